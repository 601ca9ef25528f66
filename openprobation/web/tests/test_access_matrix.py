"""The access matrix, generated: every URL pattern of the project, every persona, against the one
declared table (``openprobation.web.access``).

- Every route the resolver knows has an entry (a new route without one fails, naming it and
  printing an entry to paste), and every entry still names a route.
- Reads: each persona GETs each route — on a record of office A (allocated to "officer") and, where
  the route names a record, on a record of office C in the other region (allocated to
  "other_region") — and is answered as the table says: allowed = 2xx or a redirect that is not to
  a sign-in page; refused = 401/403/404/405 or a redirect to sign-in.
- Writes: for every POST/PUT/PATCH/DELETE the table declares, each persona it refuses sends a valid
  payload and is refused, and the database (every table but the audit trail, sessions and
  django-axes) is unchanged; then one allowed persona sends the same payload and the database
  changes — so the refusals are about access, not a bad payload.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from openprobation.accounts.models import Role
from openprobation.accounts.tokens import token_create
from openprobation.assessments.tests import matrix as assessments_matrix
from openprobation.cases.models import Case, CaseStatus, CourtDecision
from openprobation.cases.services import CaseInput, case_open
from openprobation.conditions.models import CaseCondition, ConditionDefinition
from openprobation.core.timeutil import local_today
from openprobation.employment.tests import matrix as employment_matrix
from openprobation.enforcement.tests import matrix as enforcement_matrix
from openprobation.labour.tests.matrix import LABOUR_PAYLOADS, LABOUR_RECORDS
from openprobation.monitoring.tests import ingest_matrix as monitoring_ingest_matrix
from openprobation.monitoring.tests import matrix as monitoring_matrix
from openprobation.people.iin import make_iin
from openprobation.programmes.tests import matrix as programmes_matrix
from openprobation.programmes.tests import referral_matrix
from openprobation.releases.tests import matrix as releases_matrix
from openprobation.rules.models import Rule
from openprobation.supervision.models import Appointment
from openprobation.supervision.services import is_working_day, local_start
from openprobation.testing.factories import (
    TEST_PASSWORD,
    PersonFactory,
    UserFactory,
    make_personas,
)
from openprobation.testing.shared_data import built_for_module
from openprobation.volunteers.tests import matrix as volunteers_matrix
from openprobation.web.access import (
    METHODS,
    WRITE_METHODS,
    Route,
    Subject,
    Target,
    access_table,
    allows,
    describe,
)

pytestmark = [pytest.mark.django_db, pytest.mark.generated]


PERSONAS = [
    "officer",
    "colleague",
    "senior",
    "head",
    "other_district",
    "other_head",
    "other_region",
    "regional_admin",
    "court_liaison",
    "analyst",
    "auditor",
    "monitoring",
    "partner",
    "sysadmin",
    "anonymous",
]
# Who proves a write payload valid: the first persona the table allows, in this order.
PROVER_ORDER = [
    "anonymous",
    "officer",
    "court_liaison",
    "senior",
    "head",
    "regional_admin",
    "auditor",
    "sysadmin",
    "partner",
]


# --- The routes, from the resolver ------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    key: str  # the URL name (namespaced), or the pattern when it has no name
    path: str  # the whole pattern, for messages
    name: str | None

    @property
    def is_api(self) -> bool:
        return self.path.startswith("api/")


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[Found]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            path = prefix + str(entry.pattern)
            name = f"{namespace}{entry.name}" if entry.name else None
            yield Found(key=name or path, path=path, name=name)


def all_routes() -> list[Found]:
    return list(_walk(get_resolver()))


ROUTES = all_routes()
TABLE = access_table()
DECLARED = [r for r in ROUTES if r.key in TABLE]


def _skeleton(found: Found) -> str:
    subject = "Subject.CASE" if "<int:pk>" in found.path else "Subject.NONE"
    return f'    "{found.key}": route({subject}, GET=NOBODY, POST=NOBODY),  # /{found.path}'


def test_every_route_is_in_the_access_table():
    missing = [r for r in ROUTES if r.key not in TABLE]
    assert not missing, (
        "These URL patterns have no entry in openprobation/web/access.py (ACCESS, or ADMIN_MODELS for "
        "an admin model). Declare who may use each method:\n" + "\n".join(_skeleton(r) for r in missing)
    )


def test_every_entry_of_the_access_table_names_a_route():
    known = {r.key for r in ROUTES}
    stale = sorted(set(TABLE) - known)
    assert not stale, f"access.py declares routes that no longer exist: {stale}"


# --- The world ---------------------------------------------------------------------------------------


@dataclass
class Side:
    """The records of one office that the addresses name."""

    office: Any
    officer: Any
    other_officer: Any
    transfer_to: Any
    person: Any
    active: Case
    awaiting: Case
    deferral: Case


def _opened(actor: Any, person: Any, office: Any, **data: Any) -> Case:
    """A case opened through the service (so its control period is computed), allocated to ``actor``."""
    case = case_open(actor=actor, person=person, office=office, data=CaseInput(**data))
    Case.objects.filter(pk=case.pk).update(officer=actor)
    case.refresh_from_db()
    return case


def _side(office: Any, officer: Any, other_officer: Any, transfer_to: Any) -> Side:
    person = PersonFactory(registered_office=office)
    today = local_today()
    released = today - dt.timedelta(days=3)
    sentence = {
        "case_type": "sentence",
        "received_on": today - dt.timedelta(days=40),
        "court": "Суд",
        "decision_number": "1-7/2026",
        "decision_date": today - dt.timedelta(days=60),
        "effective_date": today - dt.timedelta(days=45),
        "sentence_kind": "conditional",
        "term_months": 24,
    }
    active = _opened(officer, person, office, **sentence)
    Case.objects.filter(pk=active.pk).update(status=CaseStatus.ACTIVE)
    active.refresh_from_db()
    return Side(
        office=office,
        officer=officer,
        other_officer=other_officer,
        transfer_to=transfer_to,
        person=person,
        active=active,
        awaiting=_opened(officer, person, office, **sentence),
        deferral=_opened(
            officer,
            person,
            office,
            **{**sentence, "sentence_kind": "deferral", "received_on": released, "release_date": released},
        ),
    )


def _personas() -> dict[str, Any]:
    """The personas of ``conftest.personas``, built once for the module, and a second officer of
    office C (whose case the other side's officer may not touch)."""
    people = make_personas()
    people["south_colleague"] = UserFactory(username="south_colleague", role=Role.OFFICER, office=people["office_c"])
    return people


def _session_key(user: Any) -> str:
    """A signed-in session for ``user`` (what ``Client.force_login`` stores, without its signals)."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "openprobation.accounts.backends.RoleBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return str(session.session_key)


def _axes_rows() -> None:
    """One row of each django-axes table, so their admin pages have an object to show."""
    seen = {"username": "someone", "ip_address": "127.0.0.1", "user_agent": "test", "path_info": "/accounts/login/"}
    AccessAttempt.objects.create(**seen, get_data="", post_data="", http_accept="*/*", failures_since_start=1)
    AccessLog.objects.create(**seen, http_accept="*/*")
    AccessFailureLog.objects.create(**seen, http_accept="*/*", locked_out=False)


def _build_world() -> dict[str, Any]:
    w = _personas()
    w["tokens"] = {"A": token_create(user=w["officer"]).token, "C": token_create(user=w["other_region"]).token}
    w["analysis_jobs"] = assessments_matrix.analysis_jobs(w)
    _axes_rows()
    w["sides"] = {
        "A": _side(w["office_a"], w["officer"], w["colleague"], w["office_b"]),
        "C": _side(w["office_c"], w["other_region"], w["south_colleague"], w["office_b"]),
    }
    # The partner persona works for side A's organisation; each side's active case has a
    # referral addressed to its side's organisation.
    w["referrals"] = referral_matrix.referral_world(w)
    w["sessions"] = {name: _session_key(w[name]) for name in PERSONAS if name != "anonymous"}
    return w


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker):
    """The personas, the records the addresses name and a signed-in session per persona, built
    once for the module (``testing.shared_data``); each test runs in a savepoint inside it."""
    yield from built_for_module(django_db_blocker, _build_world)


@pytest.fixture
def world(module_world, db):
    for side in module_world["sides"].values():
        for record in (side.person, side.active, side.awaiting, side.deferral):
            record.refresh_from_db()
    return module_world


# Which case of a side an address works on (registering needs a case awaiting registration; the
# appearance a release on deferral); every other case address works on the active case.
CASE_FOR = {
    "cases:register": "awaiting",
    "api-case-register": "awaiting",
    "cases:appearance": "deferral",
    "api-case-appearance": "deferral",
}


def _admin_model(key: str) -> Any:
    """The model of an admin model page, from its name or its pattern."""
    for model in apps.get_models():
        meta = model._meta
        if key.startswith(f"admin:{meta.app_label}_{meta.model_name}_") or key.startswith(
            f"admin/{meta.app_label}/{meta.model_name}/"
        ):
            return model
    return None


def _admin_object_pk(key: str) -> str:
    if key == "admin:auth_user_password_change":
        return "0"
    model = _admin_model(key)
    found = model._base_manager.order_by("pk").first() if model is not None else None
    return str(found.pk) if found is not None else "0"


@dataclass
class Call:
    url: str
    target: Target
    side: Side | None


def _call(world: dict[str, Any], found: Found, route: Route, side_name: str) -> Call:
    side: Side | None = (
        world["sides"][side_name] if route.subject in (Subject.CASE, Subject.PERSON, Subject.OFFICE) else None
    )
    target = Target()
    kwargs: dict[str, Any] = {}
    query = ""
    if side is not None and route.subject is Subject.CASE:
        case = getattr(side, CASE_FOR.get(found.key, "active"))
        kwargs["pk"] = case.pk
        target = Target(office=case.office, officer_id=case.officer_id)
    elif side is not None and route.subject is Subject.PERSON:
        kwargs["pk"] = side.person.pk
        target = Target(office=side.office)
        if found.key == "cases:open":
            query = f"?person={side.person.pk}"
    elif side is not None and route.subject is Subject.OFFICE:
        kwargs["pk"] = side.office.pk
        target = Target(office=side.office)
    elif route.subject is Subject.TOKEN:
        # Side A: the officer's own token; side C: another region's officer's token.
        token = world["tokens"][side_name]
        kwargs["pk"] = token.pk
        target = Target(owner_id=token.user_id)
    elif route.subject is Subject.ANALYSIS:
        # Side A: the analyst's own job; side C: another analyst's.
        job = world["analysis_jobs"][side_name]
        kwargs["pk"] = job.pk
        target = Target(owner_id=job.owner_id)
    elif route.subject is Subject.STAFF_MEMBER:
        kwargs["pk"] = world["colleague"].pk
    elif route.subject is Subject.REFERRAL:
        # Side A: a referral addressed to the partner persona's organisation; side C: to another's.
        referral = world["referrals"][side_name]
        kwargs["pk"] = referral.pk
        target = Target(
            office=referral.office, officer_id=referral.case.officer_id, organisation_id=referral.organisation_id
        )
    elif route.subject is Subject.ORGANISATION:
        # Side A: an organisation of the north region (offices A and B); side C: of the south.
        org = world["partner_orgs"][side_name]
        kwargs["pk"] = org.pk
        target = Target(region_id=org.region_id)
    pattern = found.path
    if "<int:record>" in pattern:
        # A record of the case (an appointment, a violation, ...): the URL names the case (pk) and
        # the record; RECORDS makes one on the case of this side.
        kwargs["record"] = RECORDS[found.key](world, kwargs["pk"])
    if route.subject is Subject.CASE:
        # A monitoring operator sees a case only while it is under electronic monitoring.
        target = replace(target, monitored=monitoring_matrix.monitored(kwargs["pk"]))
    if "<str:what>" in pattern:
        kwargs["what"] = "json"
    if "<str:kind>" in pattern:
        kwargs["kind"] = "actual"
    if "<str:key>" in pattern:
        kwargs["key"] = Rule.objects.order_by("key").values_list("key", flat=True).first()
    if "object_id" in pattern:
        kwargs["object_id"] = _admin_object_pk(found.key)
    if "<id>" in pattern:
        kwargs["id"] = world["officer"].pk
    if "content_type_id" in pattern:
        kwargs["content_type_id"] = ContentType.objects.get(app_label="accounts", model="region").pk
    if "app_label" in pattern:
        kwargs["app_label"] = "accounts"
    if found.key == "api-validate-iin":
        query = "?iin=" + make_iin(dt.date(1990, 5, 17), "M", 77)
    if found.key == "api-root-not-found":
        url = "/api/v2/nothing-here/"
    elif "(?P<url>" in pattern or found.key == "api-not-found":
        url = "/" + pattern.split("(")[0].split("^")[0] + "nothing-here/"
    elif found.name is not None:
        url = reverse(found.name, kwargs={k: v for k, v in kwargs.items() if k != "pk" or "pk>" in pattern})
    else:
        url = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), pattern)
    return Call(url=url + query, target=target, side=side)


def _sides(route: Route) -> list[str]:
    sided = (
        Subject.CASE,
        Subject.PERSON,
        Subject.OFFICE,
        Subject.TOKEN,
        Subject.ANALYSIS,
        Subject.REFERRAL,
        Subject.ORGANISATION,
    )
    return ["A", "C"] if route.subject in sided else ["A"]


# --- Answers ---------------------------------------------------------------------------------------


def _is_sign_in(location: str) -> bool:
    path = urlsplit(location).path
    return path in (reverse("login"), reverse("admin:login"))


def outcome(response: HttpResponse, client: Client) -> str:
    """Allowed (2xx, or a redirect that does not end at a sign-in page) or refused (401, 403, 404,
    405, or sent to sign in). The admin sends a refused caller of its sign-out address to its index,
    which sends them on to its sign-in page: that redirect is followed."""
    status = response.status_code
    if status in (401, 403, 404, 405):
        return "refused"
    if 300 <= status < 400:
        location = response["Location"]
        if _is_sign_in(location):
            return "refused"
        if urlsplit(location).path != reverse("admin:index"):
            return "allowed"
        then = client.get(location)
        if 300 <= then.status_code < 400 and _is_sign_in(then["Location"]):
            return "refused"
        return "allowed"
    if 200 <= status < 300:
        return "allowed"
    return f"unexpected {status}"


def _user(world: dict[str, Any], name: str) -> Any:
    return AnonymousUser() if name == "anonymous" else world[name]


# One request handler for every client: building one loads the middleware, which (WhiteNoise
# indexing the static files) is the slowest part of a request by far.
_HANDLER = Client().handler


def _clients(world: dict[str, Any]) -> dict[str, Client]:
    clients = {}
    for name in PERSONAS:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.handler = _HANDLER
        if name != "anonymous":
            client.cookies[settings.SESSION_COOKIE_NAME] = world["sessions"][name]
        clients[name] = client
    return clients


def send(client: Client, method: str, url: str, *, api: bool, payload: Any = None) -> Any:
    if method == "GET":
        return client.get(url)
    call = getattr(client, method.lower())
    if isinstance(payload, dict) and any(hasattr(v, "read") for v in payload.values()):
        return call(url, payload)  # a file upload: multipart, page or API
    if api or method in ("PUT", "PATCH", "DELETE"):
        body = json.dumps(payload or {})
        return call(url, body, content_type="application/json")
    return call(url, payload or {})


def _read_params() -> list[Any]:
    params = []
    for found in DECLARED:
        for side in _sides(TABLE[found.key]):
            params.append(pytest.param(found, side, id=f"{found.key}@{side}"))
    return params


@pytest.mark.parametrize(("found", "side_name"), _read_params())
def test_who_may_read(world, found, side_name):
    route = TABLE[found.key]
    call = _call(world, found, route, side_name)
    rule = route.rule("GET")
    clients = _clients(world)
    wrong = []
    for name in PERSONAS:
        expected = "allowed" if allows(rule, _user(world, name), call.target) else "refused"
        response = send(clients[name], "GET", call.url, api=found.is_api)
        got = outcome(response, clients[name])
        if got != expected:
            where = response.get("Location", "")
            wrong.append(f"{name}: expected {expected}, got {response.status_code} {where}".rstrip())
    assert not wrong, f"GET {call.url} (GET: {describe(rule)}):\n" + "\n".join(wrong)


# --- Writes ----------------------------------------------------------------------------------------

SKIPPED_TABLES = {"audit.auditevent", "sessions.session"}


def _watched_models() -> list[Any]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if not (
            model._meta.proxy
            or not model._meta.managed
            or model._meta.label_lower in SKIPPED_TABLES
            or model._meta.app_label == "axes"
        )
    ]


@functools.cache
def _digest_sql() -> str:
    """One statement that gives, per table, a digest of all its rows (PostgreSQL)."""
    quote = connection.ops.quote_name
    return "\nUNION ALL\n".join(
        f"SELECT '{model._meta.label_lower}', md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), ''))"  # noqa: S608 (names from the model registry)
        f" FROM {quote(model._meta.db_table)} t"
        for model in _watched_models()
    )


def snapshot() -> dict[str, list[Any]]:
    """Every row of every table (but the audit trail, sessions and django-axes): on PostgreSQL a
    digest per table computed by the server in one round trip, elsewhere the rows themselves."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_digest_sql())
            return {label: [digest] for label, digest in cursor.fetchall()}
    return {
        model._meta.label_lower: list(model._base_manager.order_by("pk").values_list()) for model in _watched_models()
    }


def changed_tables(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(label for label in after if before.get(label) != after[label])


W = dict[str, Any]
Payload = Callable[[W, Side | None], Any]
TODAY = local_today


def _new_person_form(w: W, s: Side | None) -> dict[str, Any]:
    birth = dt.date(1988, 3, 9)
    return {
        "iin": make_iin(birth, "M", 4242),
        "surname": "Жақсылықов",
        "first_name": "Нұрлан",
        "patronymic": "Серікұлы",
        "birth_date": birth.isoformat(),
        "sex": "M",
        "citizenship": "KAZ",
        "native_language": "kk",
        "languages": ["kk", "ru"],
        "disability_group": "0",
        "employment_status": "unemployed",
        "education_level": "secondary",
        "office": w["office_a"].pk,
        "doc-status": "valid",
        "family-TOTAL_FORMS": "0",
        "family-INITIAL_FORMS": "0",
        "family-MIN_NUM_FORMS": "0",
        "family-MAX_NUM_FORMS": "20",
    }


def _new_person_json(w: W, s: Side | None) -> dict[str, Any]:
    birth = dt.date(1988, 3, 9)
    return {
        "iin": make_iin(birth, "M", 4243),
        "surname": "Жұмабаев",
        "first_name": "Нұрлан",
        "patronymic": "Серікұлы",
        "birth_date": birth.isoformat(),
        "sex": "M",
        "native_language": "kk",
        "languages": ["kk", "ru"],
    }


def _person_form(w: W, s: Side | None) -> dict[str, Any]:
    assert s is not None
    person = s.person
    return {
        "iin": person.iin,
        "surname": person.surname,
        "first_name": person.first_name,
        "patronymic": person.patronymic,
        "birth_date": person.birth_date.isoformat(),
        "sex": person.sex,
        "citizenship": "KAZ",
        "native_language": "kk",
        "disability_group": "0",
        "employment_status": "employed",
        "education_level": "higher",
        "phone": "+7 701 000 00 00",
    }


def _sentence(w: W, s: Side | None) -> dict[str, Any]:
    assert s is not None
    today = TODAY()
    return {
        "person": s.person.pk,
        "office": s.office.pk,
        "case_type": "sentence",
        "received_on": (today - dt.timedelta(days=5)).isoformat(),
        "court": "Алматы аудандық соты",
        "decision_number": "1-77/2026",
        "decision_date": (today - dt.timedelta(days=30)).isoformat(),
        "effective_date": (today - dt.timedelta(days=15)).isoformat(),
        "cc_articles": "188 ч.2",
        "sentence_kind": "restriction_of_liberty",
        "term_months": 12,
        "term_days": 0,
    }


def _decision(w: W, s: Side | None) -> dict[str, Any]:
    today = TODAY()
    return {
        "kind": "extension",
        "court": "Алматы қаласының аудандық соты",
        "number": "4-12/2026",
        "decision_date": (today - dt.timedelta(days=2)).isoformat(),
        "effective_date": (today - dt.timedelta(days=1)).isoformat(),
        "extension_months": 3,
    }


def _transition(w: W, s: Side | None) -> dict[str, Any]:
    return {"to_status": "suspended", "reason": "Болезнь"}


def _register(w: W, s: Side | None) -> dict[str, Any]:
    return {"registered_on": TODAY().isoformat()}


def _allocate(w: W, s: Side | None) -> dict[str, Any]:
    assert s is not None
    return {"officer": s.other_officer.pk, "reason": "Отпуск"}


def _transfer(w: W, s: Side | None) -> dict[str, Any]:
    assert s is not None
    return {"to_office": s.transfer_to.pk, "reason": "Переезд"}


def _appearance(w: W, s: Side | None) -> dict[str, Any]:
    return {"appeared_on": TODAY().isoformat()}


def _sign_in(username: str) -> Payload:
    return lambda w, s: {"username": username, "password": TEST_PASSWORD}


NEW_PASSWORD = "Another-Correct-Horse-77"


def _password_change(w: W, s: Side | None) -> dict[str, Any]:
    return {"old_password": TEST_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}


def _region(w: W, s: Side | None) -> dict[str, Any]:
    return {"code": "WST", "name_kk": "Батыс", "name_ru": "Запад", "name_en": "West"}


def _nothing(w: W, s: Side | None) -> dict[str, Any]:
    return {}


# A valid payload for every write the table declares (admin model pages use Django's forms and get
# a plausible one below). Writes whose effect is only the session, a cookie or the audit trail are
# listed in NO_DB_EFFECT: for them the refusals are checked, the allowed call is not.
# Routes that name a record of a case (``cases/<int:pk>/.../<int:record>/``): how to make one on
# the case with primary key ``case_pk``; returns the record's primary key.
def _condition(w: W, case_pk: int) -> int:
    definition = ConditionDefinition.objects.get(code="no_change_residence_work", version=1)
    start = TODAY() - dt.timedelta(days=30)
    return CaseCondition.objects.create(case_id=case_pk, definition=definition, in_force_from=start).pk


def _condition_add(w: W, s: Side | None) -> dict[str, Any]:
    return {
        "code": "no_leave_locality",
        "decision": "original",
        "in_force_from": TODAY().isoformat(),
        "p_zone": "Астана",
    }


def _condition_add_json(w: W, s: Side | None) -> dict[str, Any]:
    return {
        "code": "report_to_office",
        "params": {"reports": 2, "period": "month"},
        "in_force_from": TODAY().isoformat(),
    }


def _condition_end(w: W, s: Side | None) -> dict[str, Any]:
    assert s is not None
    day = TODAY() - dt.timedelta(days=1)
    decision = CourtDecision.objects.create(
        case=s.active,
        kind="duties_changed",
        court="Суд",
        number="4-13/2026",
        decision_date=day,
        effective_date=day,
        duties_removed=["not to change residence"],
    )
    return {"decision": decision.pk, "ended_on": TODAY().isoformat(), "reason": "Решение суда"}


def _dead_message(w: W, case_pk: int) -> int:
    """A message of the case that was given up (the only kind that may be sent again)."""
    import uuid  # noqa: PLC0415

    from openprobation.notifications.models import Message  # noqa: PLC0415

    message = Message.objects.create(
        channel="sms",
        to="+77010000000",
        body="Еске салу",
        language="kk",
        dedupe_key=f"matrix:{case_pk}:{uuid.uuid4().hex}",
        case_id=case_pk,
        status="dead",
        attempts=8,
        next_attempt_at=dt.datetime.now(dt.UTC),
    )
    return message.pk


def _working_day_from(day: dt.date, step: int) -> dt.date:
    while not is_working_day(day):
        day += dt.timedelta(days=step)
    return day


def _past_appointment(w: W, case_pk: int) -> int:
    day = _working_day_from(TODAY() - dt.timedelta(days=1), -1)
    case = Case.objects.get(pk=case_pk)
    return Appointment.objects.create(case=case, starts_at=local_start(day, dt.time(10)), officer=case.officer).pk


def _schedule(w: W, s: Side | None) -> dict[str, Any]:
    return {
        "pattern": "weekly",
        "weekdays": [1, 3],
        "time_of_day": "09:30",
        "kind": "office_report",
        "valid_from": TODAY().isoformat(),
        "reason": "Работает в первую смену",
    }


def _appointment(w: W, s: Side | None) -> dict[str, Any]:
    day = _working_day_from(TODAY() + dt.timedelta(days=2), 1)
    return {"kind": "home_visit", "day": day.isoformat(), "time": "11:00", "place": "Үйі"}


def _appointment_json(w: W, s: Side | None) -> dict[str, Any]:
    day = _working_day_from(TODAY() + dt.timedelta(days=2), 1)
    return {"kind": "home_visit", "starts_at": f"{day.isoformat()}T11:00:00+05:00", "place": "Үйі"}


RECORDS: dict[str, Callable[[dict[str, Any], int], int]] = {
    "conditions:end": _condition,
    "api-case-condition-end": _condition,
    "notifications:retry": _dead_message,
    "api-case-message-retry": _dead_message,
    "supervision:outcome": _past_appointment,
    "api-case-appointment-outcome": _past_appointment,
}

PAYLOADS: dict[tuple[str, str], Payload] = {
    ("set_language", "POST"): lambda w, s: {"language": "ru", "next": "/"},
    ("login", "POST"): _sign_in("colleague"),
    ("password_change", "POST"): _password_change,
    ("logout", "POST"): _nothing,
    ("people:create", "POST"): _new_person_form,
    ("people:edit", "POST"): _person_form,
    ("people:add_family", "POST"): lambda w, s: {"relation": "spouse", "full_name": "Әйелі"},
    ("people:set_address", "POST"): lambda w, s: {"kind": "actual", "locality": "Астана"},
    ("people:add_document", "POST"): lambda w, s: {"kind": "passport", "number": "N1234567", "status": "valid"},
    ("cases:open", "POST"): _sentence,
    ("cases:transition", "POST"): _transition,
    ("cases:register", "POST"): _register,
    ("cases:allocate", "POST"): _allocate,
    ("cases:transfer", "POST"): _transfer,
    ("cases:appearance", "POST"): _appearance,
    ("cases:decision", "POST"): _decision,
    ("conditions:add", "POST"): _condition_add,
    ("conditions:end", "POST"): _condition_end,
    ("api-case-conditions", "POST"): _condition_add_json,
    ("api-case-condition-end", "POST"): _condition_end,
    ("supervision:schedule", "POST"): _schedule,
    ("supervision:appointment_new", "POST"): _appointment,
    ("supervision:outcome", "POST"): lambda w, s: {"outcome": "attended_complied"},
    ("audit:verify", "POST"): _nothing,
    ("api-token", "POST"): _sign_in("colleague"),
    ("api-token", "DELETE"): _nothing,
    ("api-token-detail", "DELETE"): _nothing,
    ("api_tokens", "POST"): lambda w, s: {"label": "Ноутбук"},
    ("api_token_revoke", "POST"): _nothing,
    ("api-staff-member", "PATCH"): lambda w, s: {"first_name": "Renamed"},
    ("api-people", "POST"): _new_person_json,
    ("api-person", "PATCH"): lambda w, s: {"phone": "+7 701 000 00 00"},
    ("api-person-family", "POST"): lambda w, s: {"relation": "spouse", "full_name": "Ахметова Айгүл"},
    ("api-person-address", "PUT"): lambda w, s: {"locality": "Астана", "street": "Кенесары"},
    ("api-person-documents", "POST"): lambda w, s: {"kind": "passport", "number": "N1234567"},
    ("api-cases", "POST"): _sentence,
    ("api-case-transition", "POST"): _transition,
    ("api-case-register", "POST"): _register,
    ("api-case-allocate", "POST"): _allocate,
    ("api-case-transfer", "POST"): _transfer,
    ("api-case-appearance", "POST"): _appearance,
    ("api-case-decisions", "POST"): _decision,
    ("notifications:retry", "POST"): _nothing,
    ("api-case-message-retry", "POST"): _nothing,
    ("api-case-schedule", "PUT"): _schedule,
    ("api-case-appointments", "POST"): _appointment_json,
    ("api-case-appointment-outcome", "POST"): lambda w, s: {"outcome": "failed_to_attend"},
    ("api-audit-verify", "POST"): _nothing,
    ("admin:login", "POST"): _sign_in("sysadmin"),
    ("admin:logout", "POST"): _nothing,
    ("admin:password_change", "POST"): _password_change,
    ("admin:auth_user_password_change", "POST"): lambda w, s: {
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "usable_password": "true",
    },
    ("admin:accounts_region_add", "POST"): _region,
    ("admin:accounts_region_change", "POST"): _region,
}
RECORDS.update(LABOUR_RECORDS)
PAYLOADS.update(LABOUR_PAYLOADS)
RECORDS.update(enforcement_matrix.RECORDS)
PAYLOADS.update(enforcement_matrix.PAYLOADS)
RECORDS.update(assessments_matrix.RECORDS)
PAYLOADS.update(assessments_matrix.PAYLOADS)
for _app_matrix in (
    programmes_matrix,
    referral_matrix,
    employment_matrix,
    releases_matrix,
    volunteers_matrix,
    monitoring_matrix,
    monitoring_ingest_matrix,
):
    RECORDS.update(_app_matrix.RECORDS)
    PAYLOADS.update(_app_matrix.PAYLOADS)
# The record is named in the body, not the address: one the caller may not see is a bad value of
# that field (400 naming it, the same answer as for a record that does not exist), not a 404.
SUBJECT_IN_BODY = {("api-cases", "POST")}
NO_DB_EFFECT = {
    # The matrix signs in with sessions; revoking "the token of this call" needs a token-authenticated
    # call (accounts/tests/test_api_tokens.py covers it).
    ("api-token", "DELETE"),
    ("set_language", "POST"),
    ("logout", "POST"),
    ("audit:verify", "POST"),
    ("api-audit-verify", "POST"),
    ("admin:logout", "POST"),
}


def _admin_payload(key: str) -> Payload:
    if key.endswith("_delete"):
        return lambda w, s: {"post": "yes"}
    if key.endswith("_changelist"):
        return lambda w, s: {"action": "delete_selected", "_selected_action": [_admin_object_pk(key)], "post": "yes"}
    return _nothing


def _write_params() -> list[Any]:
    params = []
    for found in DECLARED:
        route = TABLE[found.key]
        for method in WRITE_METHODS:
            if method not in route.methods:
                continue
            for side in _sides(route):
                params.append(pytest.param(found, method, side, id=f"{method} {found.key}@{side}"))
    return params


def test_every_declared_write_has_a_payload():
    missing = [
        (found.key, method)
        for found in DECLARED
        if not found.key.startswith("admin")
        for method in WRITE_METHODS
        if method in TABLE[found.key].methods and (found.key, method) not in PAYLOADS
    ]
    assert not missing, f"Give these writes a valid payload in PAYLOADS: {missing}"


@pytest.mark.parametrize(("found", "method", "side_name"), _write_params())
def test_a_refused_write_changes_nothing(world, found, method, side_name):
    route = TABLE[found.key]
    call = _call(world, found, route, side_name)
    rule = route.rule(method)
    make = PAYLOADS.get((found.key, method)) or _admin_payload(found.key)
    payload = make(world, call.side)
    clients = _clients(world)
    before = snapshot()
    wrong = []
    refused = [name for name in PERSONAS if not allows(rule, _user(world, name), call.target)]
    for name in refused:
        response = send(clients[name], method, call.url, api=found.is_api, payload=payload)
        got = outcome(response, clients[name])
        if got != "refused" and not (response.status_code == 400 and (found.key, method) in SUBJECT_IN_BODY):
            wrong.append(f"{name}: expected refused, got {response.status_code} {response.get('Location', '')}")
    # One look at every table after all the refused attempts (a look per attempt costs more than
    # the attempts); a change names the tables, and a run of the attempts one by one the culprit.
    after = snapshot()
    if after != before:
        wrong.append(f"{', '.join(refused)}: refused but changed {changed_tables(before, after)}")
        before = after
    assert not wrong, f"{method} {call.url} ({method}: {describe(rule)}):\n" + "\n".join(wrong)

    if (found.key, method) not in PAYLOADS or (found.key, method) in NO_DB_EFFECT:
        return
    prover = next((n for n in PROVER_ORDER if allows(rule, _user(world, n), call.target)), None)
    if prover is None:
        return
    response = send(clients[prover], method, call.url, api=found.is_api, payload=payload)
    assert outcome(response, clients[prover]) == "allowed", (prover, response.status_code, _errors(response))
    assert changed_tables(before, snapshot()), f"{prover}'s {method} {call.url} changed nothing: {_errors(response)}"


def _errors(response: HttpResponse) -> str:
    """What the answer says is wrong with the payload (the form's messages or the JSON body)."""
    text = response.content.decode(errors="replace")
    if response.get("Content-Type", "").startswith("application/json"):
        return text[:1000]
    found = re.findall(r'class="usa-error-message"(?: id="([^"]*)")?>([^<]*)<', text)
    return " | ".join(f"{field}: {message}" for field, message in found) or text[:300]


def test_methods_in_the_table_are_http_methods():
    for key, route in TABLE.items():
        assert set(route.methods) <= set(METHODS), key
