"""The transports' settings are checked when the service starts: a wrong value stops it with a
message naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

BASE_ENV = {
    "SECRET_KEY": "test-only-secret-key-not-for-any-deployment-0123456789",
    "DATABASE_URL": "sqlite:///:memory:",
    "LOCAL_DEVELOPMENT": "true",
}


def load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("NOTIFY_", "EMAIL_"))}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import openprobation.settings as s; print(s.NOTIFY_SMS_TRANSPORT, s.NOTIFY_EMAIL_TRANSPORT)",
        ],
        env={**clean, **BASE_ENV, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"NOTIFY_SMS_TRANSPORT": "pigeon"}, "NOTIFY_SMS_TRANSPORT='pigeon' is not a transport"),
        ({"NOTIFY_EMAIL_TRANSPORT": "http"}, "NOTIFY_EMAIL_TRANSPORT='http' is not a transport"),
        ({"NOTIFY_SMS_TRANSPORT": "http"}, "NOTIFY_SMS_TRANSPORT=http needs NOTIFY_SMS_URL"),
        ({"NOTIFY_SMS_TRANSPORT": "http", "NOTIFY_SMS_URL": "file:///etc/passwd"}, "needs NOTIFY_SMS_URL"),
        ({"NOTIFY_MAX_ATTEMPTS": "0"}, "NOTIFY_MAX_ATTEMPTS=0 must be at least 1"),
        ({"NOTIFY_TIMEOUT_SECONDS": "ten"}, "NOTIFY_TIMEOUT_SECONDS='ten' is not an integer"),
        ({"EMAIL_USE_TLS": "true", "EMAIL_USE_SSL": "true"}, "EMAIL_USE_TLS and EMAIL_USE_SSL"),
    ],
)
def test_a_bad_notification_setting_stops_the_start(env, message) -> None:
    result = load_settings(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_the_defaults_and_a_valid_choice_start() -> None:
    assert load_settings().stdout.split() == ["file", "file"]
    result = load_settings(
        NOTIFY_SMS_TRANSPORT="http", NOTIFY_SMS_URL="https://sms.example.kz/send", NOTIFY_EMAIL_TRANSPORT="smtp"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["http", "smtp"]
