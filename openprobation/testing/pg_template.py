"""Test databases on PostgreSQL copied from one migrated template instead of migrated each time.

Migrating an empty database takes a while and the suite ran it once per pytest-xdist worker and
once more for the fault test's private cluster. Here the schema is migrated once, into a template
database named after a digest of everything migrating depends on (the migrations, the models,
the post-migrate loaders and their fixtures: every source file of the project but the tests and
this test support, and the Django version); each worker's test database is then ``CREATE DATABASE … TEMPLATE`` of it, a copy
of the same files. A changed source file gives a new digest, so a new template, migrated once; the
newest few templates are kept (other working copies may be on other code), older ones dropped.

Builds and copies happen under one advisory lock on the server, so parallel workers (and parallel
runs) neither build the same template twice nor copy one while it is being built or dropped.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.db import DatabaseError

log = logging.getLogger("openprobation.testing")

LOCK = 0x4F50_5445_5354  # pg_advisory_lock key: "OPTEST"
KEEP = 3  # templates kept per database name (the newest)
SOURCES = Path(__file__).resolve().parents[1]


def source_digest() -> str:
    """A digest of what a migrated database depends on: the Django version and every source file
    and fixture of the project outside the tests."""
    digest = hashlib.sha256(django.get_version().encode())
    for path in sorted(SOURCES.rglob("*")):
        relative = path.relative_to(SOURCES)
        if {"tests", "testing", "__pycache__"} & set(relative.parts):
            continue
        if path.suffix == ".py" or (path.suffix == ".json" and "fixtures" in relative.parts):
            digest.update(str(relative).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def template_name(connection: Any) -> str:
    """The template's name: the test database's base name (no worker suffix) and the digest."""
    base = f"test_{connection.settings_dict['NAME']}"[:40]
    return f"{base}_tpl_{source_digest()}"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _exists(cursor: Any, name: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
    return cursor.fetchone() is not None


def _set_name(connection: Any, name: str) -> None:
    connection.close()
    settings.DATABASES[connection.alias]["NAME"] = name
    connection.settings_dict["NAME"] = name


def _build(connection: Any, cursor: Any, template: str, verbosity: int) -> None:
    """Migrate a new database the usual way (Django's ``create_test_db``), then rename it to the
    template: a build cut short never leaves a template behind."""
    building = f"{template}_new"
    cursor.execute(f"DROP DATABASE IF EXISTS {_quote(building)}")  # a build cut short
    test = connection.settings_dict["TEST"]
    name, test_name = connection.settings_dict["NAME"], test.get("NAME")
    test["NAME"] = building
    try:
        connection.creation.create_test_db(verbosity=verbosity, autoclobber=True, serialize=False)
    finally:
        test["NAME"] = test_name
        _set_name(connection, name)
    cursor.execute(f"ALTER DATABASE {_quote(building)} RENAME TO {_quote(template)}")
    prefix = template.rsplit("_tpl_", 1)[0]
    cursor.execute(
        "SELECT datname FROM pg_database WHERE datname LIKE %s AND datname NOT LIKE %s ORDER BY oid DESC",
        [prefix.replace("_", r"\_") + r"\_tpl\_%", r"%\_new"],
    )
    for (old,) in cursor.fetchall()[KEEP:]:
        cursor.execute(f"DROP DATABASE IF EXISTS {_quote(old)}")


@contextlib.contextmanager
def _locked(connection: Any) -> Iterator[Any]:
    """A cursor on the server's maintenance database, holding the templates' advisory lock."""
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK])
        try:
            yield cursor
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK])


def _ensure(connection: Any, cursor: Any, verbosity: int) -> str:
    template = template_name(connection)
    if not _exists(cursor, template):
        if verbosity >= 1:
            log.warning("migrating the test database template %s", template)
        _build(connection, cursor, template, verbosity)
    return template


def create_test_db_from_template(connection: Any, *, verbosity: int = 0) -> str | None:
    """Make the connection's test database a copy of the migrated template (built first if there is
    none for this code) and point the connection at it. Returns the database name to give
    ``destroy_test_db`` at the end, or None when the copy could not be made (the caller then sets
    up the usual way)."""
    old_name = connection.settings_dict["NAME"]
    target = connection.creation._get_test_db_name()
    try:
        with _locked(connection) as cursor:
            template = _ensure(connection, cursor, verbosity)
            cursor.execute(f"DROP DATABASE IF EXISTS {_quote(target)}")
            cursor.execute(f"CREATE DATABASE {_quote(target)} TEMPLATE {_quote(template)}")
    except DatabaseError:
        log.warning("could not copy the test database template; migrating instead", exc_info=True)
        _set_name(connection, old_name)
        return None
    _set_name(connection, target)
    connection.ensure_connection()
    return old_name


@contextlib.contextmanager
def migrated_template(connection: Any, *, verbosity: int = 0) -> Iterator[dict[str, Any]]:
    """The connection settings of the migrated template (built first if there is none for this
    code), for a tool that copies it (pg_dump); nobody copies, builds or drops a template meanwhile.
    Connect to it only briefly: a copy of a template is refused while anyone is connected to it."""
    with _locked(connection) as cursor:
        yield {**connection.settings_dict, "NAME": _ensure(connection, cursor, verbosity)}
