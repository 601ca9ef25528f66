"""Production defaults: outside local development, HTTPS-only cookies, HSTS and the redirect to
HTTPS are on unless the operator says otherwise, and Django's deployment check is clean."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
STRONG_KEY = "production-like-key-9f3b1c7e5a2d4086b1e3f5a7c9d0e2f4a6b8c0d2e4f6a8b0c2d4e6f8"

PRINT_SETTINGS = """
import json
import django
from django.conf import settings
django.setup()
print(json.dumps({name: getattr(settings, name) for name in [
    "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER", "DEBUG",
]}))
"""


def _environment(**values: str) -> dict[str, str]:
    """A clean environment: only what a deployment would set (plus what Python itself needs)."""
    keep = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "SYSTEMROOT") if name in os.environ}
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "openprobation.settings",
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": "sqlite:///:memory:",
        "SECRET_KEY": STRONG_KEY,
        **values,
    }


def _settings(**values: str) -> dict[str, object]:
    result = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=ROOT,
        env=_environment(**values),
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(result.stdout))


def test_without_local_development_the_https_protections_are_on_by_default():
    values = _settings(ALLOWED_HOSTS="probation.example.kz")
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is False
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["DEBUG"] is False


def test_the_operator_may_opt_into_preload_and_leave_the_redirect_to_the_proxy():
    values = _settings(SECURE_HSTS_PRELOAD="true", SECURE_SSL_REDIRECT="false", BEHIND_PROXY="true")
    assert values["SECURE_HSTS_PRELOAD"] is True
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_local_development_serves_plain_http():
    values = _settings(LOCAL_DEVELOPMENT="true")
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["CSRF_COOKIE_SECURE"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0
    assert values["SECURE_SSL_REDIRECT"] is False


def test_the_deployment_check_is_clean_for_production_settings(tmp_path):
    # A deployment keeps the audit keys outside the database, as files (see README, Security).
    signing_key = tmp_path / "audit_checkpoint_key.pem"
    subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-m", "openprobation.audit.keys", str(signing_key)],
        cwd=ROOT,
        env=_environment(),
        capture_output=True,
        check=True,
    )
    chain_key = tmp_path / "audit_chain_key"
    chain_key.write_text("chain-key-for-the-deployment-check-7c1e9a5b3d2f4e6a8c0b")
    result = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-m", "openprobation.cli", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_environment(
            ALLOWED_HOSTS="probation.example.kz",
            DEBUG="false",
            AUDIT_CHAIN_KEY_FILE=str(chain_key),
            AUDIT_CHECKPOINT_SIGNING_KEY_FILE=str(signing_key),
            AUDIT_CHECKPOINT_DIR=str(tmp_path / "checkpoints"),
        ),
        capture_output=True,
        text=True,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
