"""Headless Chromium for browser journeys (Playwright driving Debian's chromium), with an axe-core
accessibility check. With CI=true a missing browser fails the run instead of skipping it."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# A desktop viewport: the USWDS header shows the navigation (and the global search) from 1024 px.
VIEWPORT = {"width": 1280, "height": 900}

# The live server runs in a thread next to the async Playwright driver loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests are required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    path = _chromium_path()
    if path is None:
        _unavailable("Chromium is not installed (apt-get install chromium)")
    if not AXE.is_file():
        _unavailable("axe-core is not installed (npm ci)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def _emptied_audit_trail(transactional_db: None) -> Iterator[None]:
    """Empty the audit trail after a transactional test on SQLite.

    Django empties the tables with DELETE between transactional tests; on SQLite the append-only
    triggers refuse that for audit events and seals (PostgreSQL is emptied with TRUNCATE, which it allows).
    Lift the trigger for the clean-up only, and put back exactly what the migration created."""
    yield
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    # Members before seals before events: the order their foreign keys allow.
    tables = ["audit_auditsealmember", "audit_auditseal", "audit_auditevent"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (%s, %s, %s)", tables
        )
        triggers = cursor.fetchall()
        for name, _sql in triggers:
            cursor.execute(f'DROP TRIGGER "{name}"')
        try:
            for table in tables:
                cursor.execute(f'DELETE FROM "{table}"')  # noqa: S608 - fixed table names
        finally:
            for _name, sql in triggers:
                cursor.execute(sql)


@pytest.fixture
def new_page(browser: Any, live_server: Any, _emptied_audit_trail: None) -> Iterator[Callable[..., Any]]:
    """Open a page in a fresh browser context (its own cookies: one signed-in user per context).

    The live server answers from another thread, so the database must be transactional."""
    contexts: list[Any] = []

    def open_page(locale: str = "en-US") -> Any:
        context = browser.new_context(locale=locale, base_url=live_server.url, viewport=VIEWPORT)
        contexts.append(context)
        pg = context.new_page()
        pg.set_default_timeout(15_000)
        return pg

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Any]) -> Any:
    return new_page()


def login(page: Any, username: str, password: str) -> None:
    """Sign in through the sign-in form and wait until the browser has left it."""
    page.goto("/accounts/login/")
    page.fill("#login-form input[name=username]", username)
    page.fill("#login-form input[name=password]", password)
    # The header's language switcher is a form with a submit button too: aim at the sign-in form.
    with page.expect_navigation():
        page.click("#login-form button")


def axe_violations(page: Any, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict[str, Any]]:
    """Run axe-core on the current page; return violations of the given impact levels."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated by the driver, not added as a <script> tag: the Content-Security-Policy refuses
        # inline scripts, and the pages must be checked with the policy they are served with.
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v.get("impact") in impacts]


# The narrow width every page is checked at too: a phone (the USWDS header folds its navigation
# and search into the menu below 1024 px).
MOBILE_VIEWPORT = {"width": 390, "height": 844}


def assert_accessible(page: Any) -> None:
    """No serious or critical axe-core violation at the desktop width nor at 390 px."""
    desktop = page.viewport_size or VIEWPORT
    _assert_no_violations(page, width="desktop")
    page.set_viewport_size(MOBILE_VIEWPORT)
    try:
        _assert_no_violations(page, width="390 px")
    finally:
        page.set_viewport_size(desktop)


def _assert_no_violations(page: Any, *, width: str) -> None:
    bad = axe_violations(page)
    summary = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v.get("help", ""),
            "nodes": [n["target"] for n in v["nodes"][:3]],
        }
        for v in bad
    ]
    assert not bad, f"axe-core violations on {page.url} at {width}: {json.dumps(summary, ensure_ascii=False)}"
