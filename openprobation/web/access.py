"""Who may use each address of the service: the one declared access table.

Every URL pattern of the project (pages, the REST API, the admin, health, i18n) has an entry here
saying, for each HTTP method it serves, who may use it. The access-matrix test
(``web/tests/test_access_matrix.py``) walks the URL resolver, signs in as every persona (same office,
another district, another region, each role, anonymous) and checks every answer against this
table; a route without an entry fails the test with an entry to paste. The table documents the
service — the code that enforces it is the views, ``accounts.permissions`` and
``accounts.scoping``.

The vocabulary is small. A method's rule is a union of grants; a grant is a reach and the roles it
applies to:

- ``PUBLIC`` — anyone, signed in or not (sign-in, health, the language switch).
- ``SIGNED_IN`` — any signed-in member of staff (what they get is their own jurisdiction's data,
  possibly none).
- ``roles(...)`` — those roles, wherever they are placed (a list or form limited to their own
  office, region or the country).
- ``jurisdiction(...)`` — those roles, on a record held by an office of their jurisdiction: their
  own office (office staff), an office of their region (regional staff) or any office (national
  staff). Everyone else gets 404 (or 403 where the record is visible but the action is not).
- ``own_record(...)`` — those roles, on a case in their jurisdiction allocated to them.
- ``partner(...)`` — those roles, on a referral addressed to the partner organisation they work
  for (the partner portal; everyone else gets 403 or 404).
- ``monitored(...)`` — those roles (monitoring operators), on a record held by an office of a region
  they monitor and, for a case, only while it is under electronic monitoring (an assignment open
  or removed within the last 30 days).
- ``OWNER`` — any signed-in member of staff, on a record of their own (their API tokens).
- ``NOBODY`` — no one (the address exists but refuses every caller).

Adding a route is one line: ``"<url name>": route(Subject.CASE, GET=..., POST=...)``. An admin
model is one line in ``ADMIN_MODELS``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from openprobation.accounts.models import Role
from openprobation.accounts.scoping import monitored_region_ids


class Reach(StrEnum):
    PUBLIC = "public"
    SIGNED_IN = "signed in"
    ROLE = "role"
    JURISDICTION = "jurisdiction"
    OWN_RECORD = "own record"
    OWNER = "owner"
    PARTNER = "partner"
    MONITORED = "monitored"


class Subject(StrEnum):
    """What the address (its path, or the request) names, whose office decides jurisdiction."""

    NONE = "none"
    CASE = "case"
    PERSON = "person"
    OFFICE = "office"
    RULE = "rule"
    ADMIN_OBJECT = "admin object"
    TOKEN = "API token"  # noqa: S105 - the name of a kind of record, not a secret
    STAFF_MEMBER = "staff member"
    ANALYSIS = "analysis"  # an analyst's uploaded file and its results
    # A referral to a partner organisation (the partner portal): its office, case officer and
    # the organisation it is addressed to.
    REFERRAL = "referral"
    # A partner organisation of the registry: held by its region (every office of the region
    # covers it).
    ORGANISATION = "partner organisation"


@dataclass(frozen=True)
class Grant:
    reach: Reach
    roles: frozenset[str] = frozenset()

    def __str__(self) -> str:
        if self.reach in (Reach.PUBLIC, Reach.SIGNED_IN):
            return str(self.reach)
        return f"{self.reach}: {', '.join(sorted(self.roles))}"


Rule = tuple[Grant, ...]

PUBLIC: Rule = (Grant(Reach.PUBLIC),)
SIGNED_IN: Rule = (Grant(Reach.SIGNED_IN),)
NOBODY: Rule = ()
OWNER: Rule = (Grant(Reach.OWNER),)


def roles(*names: str) -> Rule:
    return (Grant(Reach.ROLE, frozenset(names)),)


def jurisdiction(*names: str) -> Rule:
    return (Grant(Reach.JURISDICTION, frozenset(names)),)


def own_record(*names: str) -> Rule:
    return (Grant(Reach.OWN_RECORD, frozenset(names)),)


def partner(*names: str) -> Rule:
    return (Grant(Reach.PARTNER, frozenset(names)),)


def monitored(*names: str) -> Rule:
    return (Grant(Reach.MONITORED, frozenset(names)),)


WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
METHODS = ("GET", *WRITE_METHODS)


@dataclass(frozen=True)
class Route:
    subject: Subject
    methods: Mapping[str, Rule] = field(default_factory=dict)

    def rule(self, method: str) -> Rule:
        """Who may use ``method``; a method not declared is refused to everyone."""
        return self.methods.get(method, NOBODY)


def route(subject: Subject = Subject.NONE, **methods: Rule) -> Route:
    unknown = set(methods) - set(METHODS)
    if unknown:
        raise ValueError(f"unknown HTTP methods {sorted(unknown)}")
    return Route(subject, methods)


# --- Who is who --------------------------------------------------------------------------------------

OFFICER = Role.OFFICER
SENIOR = Role.SENIOR_OFFICER
HEAD = Role.HEAD_OF_OFFICE
REGIONAL = Role.REGIONAL_ADMIN
COURT = Role.COURT_LIAISON
AUDITOR = Role.AUDITOR
SYSADMIN = Role.SYSTEM_ADMIN
ANALYST = Role.ANALYST
PARTNER = Role.PARTNER_STAFF

# Staff who work with people and cases (see them in their jurisdiction).
CASEWORK = (OFFICER, SENIOR, HEAD, REGIONAL, COURT)
# Register a person / open a case (office staff and the court liaison; regional staff do not).
REGISTER = (OFFICER, SENIOR, HEAD, COURT)
# Change a person's record (not the court liaison, who registers only).
PERSON_EDIT = (OFFICER, SENIOR, HEAD, REGIONAL)
# Work on a case: senior staff on any case of the jurisdiction, an officer on the cases allocated to them.
CASE_CHANGE: Rule = (*jurisdiction(SENIOR, HEAD, REGIONAL), *own_record(OFFICER))
ALLOCATE = (SENIOR, HEAD, REGIONAL)
TRANSFER = (HEAD, REGIONAL)
OFFICE_CASELOAD = (SENIOR, HEAD, REGIONAL)
# Countersign an officer's override of a supervision level.
COUNTERSIGN = (HEAD, REGIONAL)
# A work queue: an officer's own cases, a senior officer's or head's office, a regional administrator's region.
WORK_QUEUE = (OFFICER, SENIOR, HEAD, REGIONAL)
# Keep the registry of partner organisations of their region.
PARTNER_REGISTRY = (HEAD, REGIONAL)
# Electronic monitoring: staff who see it in their jurisdiction, the operators of the monitoring
# centre (by the regions they monitor), who keeps the devices, who fits them, who sets zones.
OPERATOR = Role.MONITORING_OPERATOR
EM_STAFF = (OFFICER, SENIOR, HEAD, REGIONAL)
EM_READ: Rule = (*jurisdiction(*EM_STAFF), *monitored(OPERATOR))
EM_DEVICES = (HEAD, REGIONAL)
EM_ASSIGN = (SENIOR, HEAD)
# An EM resolution: the head of the case's office, or a senior officer of it acting as head.
EM_DECIDE = (SENIOR, HEAD)
EM_ZONES: Rule = (*jurisdiction(SENIOR, HEAD), *own_record(OFFICER))
# Handle an alert (acknowledge, call, resolve, escalate): the operators of its region, and the
# case's officer, a senior officer or the head of its office.
EM_ALERT_HANDLE: Rule = (*EM_ZONES, *monitored(OPERATOR))

# --- The table ----------------------------------------------------------------------------------------

S = Subject

ACCESS: dict[str, Route] = {
    # Shell: health, language, sign-in, overview.
    "healthz": route(GET=PUBLIC),
    "set_language": route(GET=PUBLIC, POST=PUBLIC),
    "home": route(GET=SIGNED_IN),
    "login": route(GET=PUBLIC, POST=PUBLIC),
    "password_change": route(GET=SIGNED_IN, POST=SIGNED_IN),
    "api_tokens": route(GET=SIGNED_IN, POST=SIGNED_IN),
    "api_token_revoke": route(S.TOKEN, POST=OWNER),
    "logout": route(POST=SIGNED_IN),
    # People pages.
    "people:list": route(GET=roles(*CASEWORK)),
    "people:create": route(GET=roles(*REGISTER), POST=roles(*REGISTER)),
    "people:detail": route(S.PERSON, GET=jurisdiction(*CASEWORK)),
    "people:edit": route(S.PERSON, GET=jurisdiction(*PERSON_EDIT), POST=jurisdiction(*PERSON_EDIT)),
    "people:add_family": route(S.PERSON, GET=jurisdiction(*PERSON_EDIT), POST=jurisdiction(*PERSON_EDIT)),
    "people:set_address": route(S.PERSON, GET=jurisdiction(*PERSON_EDIT), POST=jurisdiction(*PERSON_EDIT)),
    "people:add_document": route(S.PERSON, GET=jurisdiction(*PERSON_EDIT), POST=jurisdiction(*PERSON_EDIT)),
    # Case pages.
    "cases:caseload": route(GET=roles(*CASEWORK)),
    "cases:office_caseload": route(GET=roles(*OFFICE_CASELOAD)),
    "cases:open": route(S.PERSON, GET=jurisdiction(*REGISTER), POST=jurisdiction(*REGISTER)),
    "cases:detail": route(S.CASE, GET=jurisdiction(*CASEWORK)),
    "cases:transition": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "cases:register": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "cases:allocate": route(S.CASE, GET=jurisdiction(*ALLOCATE), POST=jurisdiction(*ALLOCATE)),
    "cases:transfer": route(S.CASE, GET=jurisdiction(*TRANSFER), POST=jurisdiction(*TRANSFER)),
    "cases:appearance": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "cases:decision": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    # Assessments of a case: risk and needs, the level override and the head's countersignature.
    "assessments:case": route(S.CASE, GET=jurisdiction(*CASEWORK)),
    "assessments:new_risk": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "assessments:new_needs": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "assessments:detail": route(S.CASE, GET=jurisdiction(*CASEWORK)),
    "assessments:override": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "assessments:override_decide": route(S.CASE, GET=jurisdiction(*COUNTERSIGN), POST=jurisdiction(*COUNTERSIGN)),
    # An analyst's files (validation, batch scoring): the list and upload for analysts, each job its uploader's alone.
    "assessments:analysis_list": route(GET=roles(ANALYST), POST=roles(ANALYST)),
    "assessments:analysis_detail": route(S.ANALYSIS, GET=OWNER),
    "assessments:analysis_download": route(S.ANALYSIS, GET=OWNER),
    "assessments:analysis_delete": route(S.ANALYSIS, POST=OWNER),
    # Labour duties of a case: forced-labour hours, the employment duty, referrals, offers, answers.
    "labour:overview": route(S.CASE, GET=jurisdiction(*CASEWORK)),
    "labour:hours": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "labour:employment": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "labour:referral": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "labour:offer": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "labour:offer_answer": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "labour:rejudge": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    # Duties set by the court (conditions).
    "conditions:add": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "conditions:end": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "conditions:notice": route(S.CASE, GET=jurisdiction(*CASEWORK)),
    # Supervision: reporting schedule, appointments and their outcomes.
    "supervision:schedule": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "supervision:appointment_new": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "supervision:outcome": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    # Violations and the enforcement ladder.
    "enforcement:violations": route(S.CASE, GET=jurisdiction(*CASEWORK)),
    "enforcement:record": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "enforcement:violation": route(S.CASE, GET=jurisdiction(*CASEWORK)),
    "enforcement:decide": route(S.CASE, POST=CASE_CHANGE),
    "enforcement:explain": route(S.CASE, POST=CASE_CHANGE),
    "enforcement:warning": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "enforcement:written_warning": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "enforcement:submission": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "enforcement:court_outcome": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "enforcement:wanted": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "enforcement:found": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "enforcement:task_done": route(S.CASE, POST=CASE_CHANGE),
    # --- Social and legal assistance: individual programmes, minors' participants, capacity (programmes).
    "programmes:programme": route(S.CASE, GET=jurisdiction(*CASEWORK)),
    "programmes:programme_new": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "programmes:goal_new": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "programmes:goal_edit": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "programmes:measure_new": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "programmes:measure_edit": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "programmes:measure_progress": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "programmes:measure_remove": route(S.CASE, POST=CASE_CHANGE),
    "programmes:agreement": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "programmes:review": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "programmes:close": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "programmes:participant_new": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "programmes:participant_remove": route(S.CASE, POST=CASE_CHANGE),
    "programmes:version": route(S.CASE, GET=jurisdiction(*CASEWORK)),
    "programmes:print": route(S.CASE, GET=jurisdiction(*CASEWORK)),
    "programmes:send_copies": route(S.CASE, POST=CASE_CHANGE),
    # Capacity against need, counts per district: those who manage an office or a region, and analysts.
    "programmes:capacity": route(GET=roles(SENIOR, HEAD, REGIONAL, ANALYST)),
    "api-case-programme": route(S.CASE, GET=jurisdiction(*CASEWORK), POST=CASE_CHANGE),
    "api-case-programme-goals": route(S.CASE, POST=CASE_CHANGE),
    "api-case-programme-goal": route(S.CASE, PATCH=CASE_CHANGE),
    "api-case-programme-measures": route(S.CASE, POST=CASE_CHANGE),
    "api-case-programme-measure": route(S.CASE, PATCH=CASE_CHANGE, DELETE=CASE_CHANGE),
    "api-case-programme-participants": route(S.CASE, POST=CASE_CHANGE),
    "api-case-programme-participant": route(S.CASE, DELETE=CASE_CHANGE),
    "api-case-programme-copies": route(S.CASE, POST=CASE_CHANGE),
    "api-case-programme-agreement": route(S.CASE, POST=CASE_CHANGE),
    "api-case-programme-review": route(S.CASE, POST=CASE_CHANGE),
    "api-case-programme-close": route(S.CASE, POST=CASE_CHANGE),
    "api-case-programme-versions": route(S.CASE, GET=jurisdiction(*CASEWORK)),
    "api-case-programme-version": route(S.CASE, GET=jurisdiction(*CASEWORK)),
    "api-programmes-capacity": route(GET=roles(SENIOR, HEAD, REGIONAL, ANALYST)),
    # (end of programmes)
    # --- Partner organisations, referrals and the partner portal (programmes).
    # The office refers a programme measure (the record) to a partner; a case's referrals; one
    # referral (the record) with its history, sent or cancelled by whoever may change the case.
    "programmes:referral_new": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "programmes:case_referrals": route(S.CASE, GET=jurisdiction(*CASEWORK)),
    "programmes:referral_detail": route(S.CASE, GET=jurisdiction(*CASEWORK)),
    "programmes:referral_send": route(S.CASE, POST=CASE_CHANGE),
    "programmes:referral_cancel": route(S.CASE, POST=CASE_CHANGE),
    "programmes:referral_list": route(GET=roles(*CASEWORK)),
    # The registry: read by casework staff of the region, kept by its heads and regional admin.
    "programmes:organisation_list": route(GET=roles(*CASEWORK)),
    "programmes:organisation_new": route(GET=roles(*PARTNER_REGISTRY), POST=roles(*PARTNER_REGISTRY)),
    "programmes:organisation_detail": route(S.ORGANISATION, GET=jurisdiction(*CASEWORK)),
    "programmes:organisation_edit": route(
        S.ORGANISATION, GET=jurisdiction(*PARTNER_REGISTRY), POST=jurisdiction(*PARTNER_REGISTRY)
    ),
    "programmes:organisation_staff": route(S.ORGANISATION, POST=jurisdiction(*PARTNER_REGISTRY)),
    # The partner portal: partner staff, on the referrals addressed to their organisation.
    "programmes:portal_list": route(GET=roles(PARTNER)),
    "programmes:portal_detail": route(S.REFERRAL, GET=partner(PARTNER)),
    "programmes:portal_act": route(S.REFERRAL, POST=partner(PARTNER)),
    "api-partner-organisations": route(GET=roles(*CASEWORK), POST=roles(*PARTNER_REGISTRY)),
    "api-partner-organisation": route(
        S.ORGANISATION, GET=jurisdiction(*CASEWORK), PATCH=jurisdiction(*PARTNER_REGISTRY)
    ),
    "api-case-referrals": route(S.CASE, GET=jurisdiction(*CASEWORK), POST=CASE_CHANGE),
    "api-case-referral": route(S.CASE, GET=jurisdiction(*CASEWORK)),
    "api-case-referral-transition": route(S.CASE, POST=CASE_CHANGE),
    "api-referrals": route(GET=roles(*CASEWORK)),
    "api-partner-referrals": route(GET=roles(PARTNER)),
    "api-partner-referral": route(S.REFERRAL, GET=partner(PARTNER)),
    "api-partner-referral-action": route(S.REFERRAL, POST=partner(PARTNER)),
    # (end of referrals)
    # --- Employment: employers, job quotas, vacancies, placements (employment).
    # District staff see the district's employers, quotas and vacancies and record vacancies; the head
    # of office and the regional administrator record the akimat's quotas; figures are counts for
    # heads, regional administrators, analysts (statistics) and senior officers (their office).
    "employment:figures": route(GET=roles(SENIOR, HEAD, REGIONAL, ANALYST)),
    "employment:district": route(S.OFFICE, GET=jurisdiction(OFFICER, SENIOR, HEAD, REGIONAL)),
    "employment:quota": route(S.OFFICE, GET=jurisdiction(HEAD, REGIONAL), POST=jurisdiction(HEAD, REGIONAL)),
    "employment:vacancy": route(
        S.OFFICE, GET=jurisdiction(OFFICER, SENIOR, HEAD, REGIONAL), POST=jurisdiction(OFFICER, SENIOR, HEAD, REGIONAL)
    ),
    "employment:vacancy_close": route(
        S.OFFICE, GET=jurisdiction(OFFICER, SENIOR, HEAD, REGIONAL), POST=jurisdiction(OFFICER, SENIOR, HEAD, REGIONAL)
    ),
    "employment:case": route(S.CASE, GET=jurisdiction(*CASEWORK)),
    "employment:referral": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "employment:referral_expire": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "employment:placement": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "employment:placement_end": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "employment:refusal": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "employment:status": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "api-employment-figures": route(GET=roles(SENIOR, HEAD, REGIONAL, ANALYST)),
    "api-employment-quotas": route(
        S.OFFICE, GET=jurisdiction(OFFICER, SENIOR, HEAD, REGIONAL), POST=jurisdiction(HEAD, REGIONAL)
    ),
    "api-employment-vacancies": route(
        S.OFFICE, GET=jurisdiction(OFFICER, SENIOR, HEAD, REGIONAL), POST=jurisdiction(OFFICER, SENIOR, HEAD, REGIONAL)
    ),
    "api-employment-vacancy-close": route(S.OFFICE, POST=jurisdiction(OFFICER, SENIOR, HEAD, REGIONAL)),
    "api-case-employment": route(S.CASE, GET=jurisdiction(*CASEWORK)),
    "api-case-employment-referrals": route(S.CASE, POST=CASE_CHANGE),
    "api-case-employment-referral-expire": route(S.CASE, POST=CASE_CHANGE),
    "api-case-employment-placements": route(S.CASE, POST=CASE_CHANGE),
    "api-case-employment-placement-end": route(S.CASE, POST=CASE_CHANGE),
    "api-case-employment-refusals": route(S.CASE, POST=CASE_CHANGE),
    "api-case-employment-status": route(S.CASE, POST=CASE_CHANGE),
    # (end of employment)
    # --- Penitentiary probation: release plans and their handover (releases).
    # The plan of a case: read in the case's jurisdiction (the receiving office, once told, reads it
    # too: that is the plan selector's second door, shown by the releases tests, not by this table);
    # changed by whoever may work on the case.
    "releases:plan": route(S.CASE, GET=jurisdiction(*CASEWORK)),
    "releases:open": route(S.CASE, POST=CASE_CHANGE),
    "releases:item": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "releases:details": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "releases:handover": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "releases:cancel": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    # The office's plans by release date, and the people arriving in the user's district (own jurisdiction).
    "releases:list": route(GET=roles(*CASEWORK)),
    "releases:arriving": route(GET=roles(*CASEWORK)),
    "api-release-plans": route(GET=roles(*CASEWORK)),
    "api-case-release-plan": route(S.CASE, GET=jurisdiction(*CASEWORK), POST=CASE_CHANGE),
    "api-case-release-plan-item": route(S.CASE, POST=CASE_CHANGE),
    "api-case-release-plan-details": route(S.CASE, POST=CASE_CHANGE),
    "api-case-release-plan-handover": route(S.CASE, POST=CASE_CHANGE),
    "api-case-release-plan-cancel": route(S.CASE, POST=CASE_CHANGE),
    # (end of releases)
    # --- Volunteers and mentors (volunteers).
    # The registry: read by office staff of the districts a volunteer serves and the regional
    # administrator of their region; managed by senior officers, heads and the regional administrator.
    # A volunteer's own addresses name the volunteer; the office that decides is a district they serve.
    "volunteers:list": route(GET=roles(OFFICER, SENIOR, HEAD, REGIONAL)),
    "volunteers:new": route(GET=roles(SENIOR, HEAD, REGIONAL), POST=roles(SENIOR, HEAD, REGIONAL)),
    "volunteers:detail": route(S.OFFICE, GET=jurisdiction(OFFICER, SENIOR, HEAD, REGIONAL)),
    "volunteers:edit": route(
        S.OFFICE, GET=jurisdiction(SENIOR, HEAD, REGIONAL), POST=jurisdiction(SENIOR, HEAD, REGIONAL)
    ),
    "volunteers:check": route(
        S.OFFICE, GET=jurisdiction(SENIOR, HEAD, REGIONAL), POST=jurisdiction(SENIOR, HEAD, REGIONAL)
    ),
    "volunteers:status": route(
        S.OFFICE, GET=jurisdiction(SENIOR, HEAD, REGIONAL), POST=jurisdiction(SENIOR, HEAD, REGIONAL)
    ),
    # On a case: assign (with consent), log a session, end — whoever may change the case.
    "volunteers:assign": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "volunteers:session": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "volunteers:end": route(S.CASE, GET=CASE_CHANGE, POST=CASE_CHANGE),
    "api-volunteers": route(GET=roles(OFFICER, SENIOR, HEAD, REGIONAL), POST=roles(SENIOR, HEAD, REGIONAL)),
    "api-volunteer": route(
        S.OFFICE, GET=jurisdiction(OFFICER, SENIOR, HEAD, REGIONAL), PATCH=jurisdiction(SENIOR, HEAD, REGIONAL)
    ),
    "api-volunteer-checks": route(
        S.OFFICE, GET=jurisdiction(OFFICER, SENIOR, HEAD, REGIONAL), POST=jurisdiction(SENIOR, HEAD, REGIONAL)
    ),
    "api-volunteer-status": route(S.OFFICE, POST=jurisdiction(SENIOR, HEAD, REGIONAL)),
    "api-case-volunteers": route(S.CASE, GET=jurisdiction(*CASEWORK), POST=CASE_CHANGE),
    "api-case-volunteer-sessions": route(S.CASE, GET=jurisdiction(*CASEWORK), POST=CASE_CHANGE),
    "api-case-volunteer-end": route(S.CASE, POST=CASE_CHANGE),
    # (end of volunteers)
    # The work queue ("Today"): staff who carry cases or manage an office's caseload.
    "workqueue:today": route(GET=roles(*WORK_QUEUE)),
    # Audit pages.
    "audit:log": route(GET=roles(AUDITOR)),
    "audit:verify": route(POST=roles(AUDITOR)),
    # REST API: schema and sign-in.
    "api-schema": route(GET=PUBLIC),
    "api-docs": route(GET=PUBLIC),
    "api-redoc": route(GET=PUBLIC),
    "api-token": route(POST=PUBLIC, DELETE=SIGNED_IN),
    "api-tokens": route(GET=SIGNED_IN),
    "api-token-detail": route(S.TOKEN, DELETE=OWNER),
    "api-me": route(GET=SIGNED_IN),
    # REST API: lists answer any signed-in caller with the rows of their jurisdiction (maybe none).
    "api-offices": route(GET=SIGNED_IN),
    "api-office-caseload": route(S.OFFICE, GET=jurisdiction(*OFFICE_CASELOAD)),
    "api-people": route(GET=SIGNED_IN, POST=roles(*REGISTER)),
    "api-validate-iin": route(GET=SIGNED_IN),
    "api-person": route(S.PERSON, GET=jurisdiction(*CASEWORK), PATCH=jurisdiction(*PERSON_EDIT)),
    "api-person-cases": route(S.PERSON, GET=jurisdiction(*CASEWORK)),
    "api-person-timeline": route(S.PERSON, GET=jurisdiction(*CASEWORK)),
    "api-person-family": route(S.PERSON, POST=jurisdiction(*PERSON_EDIT)),
    "api-person-address": route(S.PERSON, PUT=jurisdiction(*PERSON_EDIT)),
    "api-person-documents": route(S.PERSON, POST=jurisdiction(*PERSON_EDIT)),
    # The case is opened for the person named in the body, in an office of the caller's jurisdiction.
    "api-cases": route(S.PERSON, GET=SIGNED_IN, POST=jurisdiction(*REGISTER)),
    "api-case": route(S.CASE, GET=jurisdiction(*CASEWORK)),
    "api-case-timeline": route(S.CASE, GET=jurisdiction(*CASEWORK)),
    "api-case-transition": route(S.CASE, POST=CASE_CHANGE),
    "api-case-register": route(S.CASE, POST=CASE_CHANGE),
    "api-case-allocate": route(S.CASE, POST=jurisdiction(*ALLOCATE)),
    "api-case-transfer": route(S.CASE, POST=jurisdiction(*TRANSFER)),
    "api-case-appearance": route(S.CASE, POST=CASE_CHANGE),
    "api-case-decisions": route(S.CASE, GET=jurisdiction(*CASEWORK), POST=CASE_CHANGE),
    "api-case-assessments": route(S.CASE, GET=jurisdiction(*CASEWORK), POST=CASE_CHANGE),
    "api-case-assessment-history": route(S.CASE, GET=jurisdiction(*CASEWORK)),
    "api-case-assessment-prefill": route(S.CASE, GET=jurisdiction(*CASEWORK)),
    "api-case-assessment": route(S.CASE, GET=jurisdiction(*CASEWORK)),
    "api-case-assessment-override": route(S.CASE, POST=CASE_CHANGE),
    "api-case-assessment-override-decision": route(S.CASE, POST=jurisdiction(*COUNTERSIGN)),
    "api-instruments": route(GET=SIGNED_IN),
    "api-analysis": route(GET=roles(ANALYST), POST=roles(ANALYST)),
    "api-analysis-detail": route(S.ANALYSIS, GET=OWNER, DELETE=OWNER),
    "api-analysis-download": route(S.ANALYSIS, GET=OWNER),
    "api-case-labour-forced": route(S.CASE, GET=jurisdiction(*CASEWORK)),
    "api-case-labour-rejudge": route(S.CASE, POST=CASE_CHANGE),
    "api-case-labour-hours": route(S.CASE, GET=jurisdiction(*CASEWORK), POST=CASE_CHANGE),
    "api-case-labour-employment": route(S.CASE, GET=jurisdiction(*CASEWORK), POST=CASE_CHANGE),
    "api-case-labour-referrals": route(S.CASE, GET=jurisdiction(*CASEWORK), POST=CASE_CHANGE),
    "api-case-labour-offers": route(S.CASE, GET=jurisdiction(*CASEWORK), POST=CASE_CHANGE),
    "api-case-labour-offer-answer": route(S.CASE, POST=CASE_CHANGE),
    "api-case-conditions": route(S.CASE, GET=jurisdiction(*CASEWORK), POST=CASE_CHANGE),
    "api-case-condition-end": route(S.CASE, POST=CASE_CHANGE),
    "api-conditions-catalogue": route(GET=roles(*CASEWORK)),
    "api-case-schedule": route(S.CASE, GET=jurisdiction(*CASEWORK), PUT=CASE_CHANGE),
    "api-case-appointments": route(S.CASE, GET=jurisdiction(*CASEWORK), POST=CASE_CHANGE),
    "api-case-appointment-outcome": route(S.CASE, POST=CASE_CHANGE),
    "api-case-violations": route(S.CASE, GET=jurisdiction(*CASEWORK), POST=CASE_CHANGE),
    "api-case-violation": route(S.CASE, GET=jurisdiction(*CASEWORK)),
    "api-case-violation-transition": route(S.CASE, POST=CASE_CHANGE),
    "api-case-violation-explanation": route(S.CASE, POST=CASE_CHANGE),
    "api-case-enforcement": route(S.CASE, GET=jurisdiction(*CASEWORK), POST=CASE_CHANGE),
    "api-case-wanted": route(S.CASE, POST=CASE_CHANGE),
    "api-case-found": route(S.CASE, POST=CASE_CHANGE),
    "api-case-tasks": route(S.CASE, GET=jurisdiction(*CASEWORK)),
    "api-case-task-complete": route(S.CASE, POST=CASE_CHANGE),
    "api-work-queue": route(GET=roles(*WORK_QUEUE)),
    "api-audit-events": route(GET=roles(AUDITOR)),
    "api-audit-verify": route(POST=roles(AUDITOR)),
    "api-rules": route(GET=SIGNED_IN),
    "api-rule": route(S.RULE, GET=SIGNED_IN),
    # Staff administration (the system administrator; never their own role, placement or activity).
    "api-staff": route(GET=roles(SYSADMIN)),
    "api-staff-member": route(S.STAFF_MEMBER, GET=roles(SYSADMIN), PATCH=roles(SYSADMIN)),
    # Notifications: a case's messages to the person; "send again" for a message given up.
    "notifications:case_messages": route(S.CASE, GET=jurisdiction(*CASEWORK)),
    "notifications:retry": route(S.CASE, POST=CASE_CHANGE),
    "api-case-messages": route(S.CASE, GET=jurisdiction(*CASEWORK)),
    "api-case-message-retry": route(S.CASE, POST=CASE_CHANGE),
    # --- Electronic monitoring: devices reporting (monitoring ingest) — BEGIN
    # Devices authenticate on every request with their own credential (HTTP Basic, or OsmAnd's
    # ``key``); no member of staff may post positions with a session or a token.
    "api-em-positions": route(POST=NOBODY),
    "api-em-osmand": route(GET=NOBODY, POST=NOBODY),
    # --- Electronic monitoring: devices reporting (monitoring ingest) — END
    # --- Electronic monitoring: devices, assignments, zones, alerts, tracks (monitoring) — BEGIN
    # Devices: staff who see monitoring, on devices held by an office of their jurisdiction, and
    # operators, on devices of the regions they monitor; heads and regional administrators keep the stock.
    "api-em-devices": route(GET=roles(*EM_STAFF, OPERATOR), POST=roles(*EM_DEVICES)),
    "api-em-device": route(S.OFFICE, GET=EM_READ, PATCH=jurisdiction(*EM_DEVICES)),
    "api-em-device-status": route(S.OFFICE, POST=jurisdiction(*EM_DEVICES)),
    "api-em-device-credential": route(S.OFFICE, POST=jurisdiction(*EM_DEVICES)),
    "api-em-device-state": route(S.OFFICE, GET=EM_READ),
    # Device inventory and health pages: read as the devices above; who keeps the stock acts.
    "monitoring:devices": route(GET=roles(*EM_STAFF, OPERATOR)),
    "monitoring:device_register": route(GET=roles(*EM_DEVICES), POST=roles(*EM_DEVICES)),
    "monitoring:device": route(S.OFFICE, GET=EM_READ),
    "monitoring:device_edit": route(S.OFFICE, GET=jurisdiction(*EM_DEVICES), POST=jurisdiction(*EM_DEVICES)),
    "monitoring:device_transfer": route(S.OFFICE, GET=jurisdiction(*EM_DEVICES), POST=jurisdiction(*EM_DEVICES)),
    "monitoring:device_status": route(S.OFFICE, GET=jurisdiction(*EM_DEVICES), POST=jurisdiction(*EM_DEVICES)),
    "monitoring:device_credential": route(S.OFFICE, GET=jurisdiction(*EM_DEVICES), POST=jurisdiction(*EM_DEVICES)),
    "monitoring:health": route(GET=roles(*EM_STAFF, OPERATOR)),
    "api-em-device-health": route(GET=roles(*EM_STAFF, OPERATOR)),
    # Assignments of a case: fitted and removed by senior officers and heads.
    "api-em-case-assignments": route(S.CASE, GET=EM_READ, POST=jurisdiction(*EM_ASSIGN)),
    # EM resolutions (Order 511 para. 140): decided, ended or revoked by the head of the case's office
    # (or a senior officer acting as head, said with the request); the signed memo and the
    # co-residents informed recorded by whoever sets the case's zones. Device replacement as fitting.
    "api-em-case-resolutions": route(S.CASE, GET=EM_READ, POST=jurisdiction(*EM_DECIDE)),
    "api-em-resolution": route(S.CASE, GET=EM_READ),
    "api-em-resolution-memo": route(S.CASE, POST=EM_ZONES),
    "api-em-resolution-co-residents": route(S.CASE, POST=EM_ZONES),
    "api-em-resolution-close": route(S.CASE, POST=jurisdiction(*EM_DECIDE)),
    "api-em-assignment-replace": route(S.CASE, POST=jurisdiction(*EM_ASSIGN)),
    "api-em-assignment": route(S.CASE, GET=EM_READ),
    "api-em-assignment-end": route(S.CASE, POST=jurisdiction(*EM_ASSIGN)),
    "api-em-assignment-track": route(S.CASE, GET=EM_READ),
    # Zones, curfews and permissions: an officer on their own case, senior officers and heads.
    "api-em-assignment-zones": route(S.CASE, GET=EM_READ, POST=EM_ZONES),
    "api-em-zone": route(S.CASE, GET=EM_READ, PATCH=EM_ZONES),
    "api-em-zone-schedule": route(S.CASE, PUT=EM_ZONES),
    "api-em-zone-retire": route(S.CASE, POST=EM_ZONES),
    "api-em-assignment-exceptions": route(S.CASE, GET=EM_READ, POST=EM_ZONES),
    "api-em-exception-cancel": route(S.CASE, POST=EM_ZONES),
    # Alerts (read-only here; the operators' workflow comes with the monitoring centre).
    "api-em-alerts": route(GET=roles(*EM_STAFF, OPERATOR)),
    "api-em-alert": route(S.CASE, GET=EM_READ),
    # Alert handling at the monitoring centre and by the case's officer: the queue with its timers,
    # acknowledge, resolve (a confirmed violation records a candidate on the case), escalate, calls.
    "api-em-alert-queue": route(GET=roles(*EM_STAFF, OPERATOR)),
    "api-em-alert-acknowledge": route(S.CASE, POST=EM_ALERT_HANDLE),
    "api-em-alert-resolve": route(S.CASE, POST=EM_ALERT_HANDLE),
    "api-em-alert-escalate": route(S.CASE, POST=EM_ALERT_HANDLE),
    "api-em-alert-calls": route(S.CASE, GET=EM_READ, POST=EM_ALERT_HANDLE),
    # --- Electronic monitoring: devices, assignments, zones, alerts, tracks (monitoring) — END
    # Anything else under /api/v1/, and under /api/ (another version, a typo), is a JSON 404.
    "api-not-found": route(),
    "api-root-not-found": route(),
    # --- Electronic monitoring: the zone editor and track playback (monitoring pages) — BEGIN
    "monitoring:zones": route(S.CASE, GET=EM_READ, POST=EM_ZONES),
    "monitoring:zone_change": route(S.CASE, POST=EM_ZONES),
    "monitoring:zone_curfew": route(S.CASE, POST=EM_ZONES),
    "monitoring:zone_retire": route(S.CASE, POST=EM_ZONES),
    "monitoring:permission_create": route(S.CASE, POST=EM_ZONES),
    "monitoring:permission_cancel": route(S.CASE, POST=EM_ZONES),
    "monitoring:track": route(S.CASE, GET=EM_READ),
    # --- Electronic monitoring: the zone editor and track playback (monitoring pages) — END
    # --- Electronic monitoring pages: EM resolutions and the device's life on a case — BEGIN
    "monitoring:resolution_decide": route(S.CASE, GET=jurisdiction(*EM_DECIDE), POST=jurisdiction(*EM_DECIDE)),
    "monitoring:resolution_memo": route(S.CASE, GET=EM_ZONES, POST=EM_ZONES),
    "monitoring:resolution_co_residents": route(S.CASE, GET=EM_ZONES, POST=EM_ZONES),
    "monitoring:resolution_close": route(S.CASE, GET=jurisdiction(*EM_DECIDE), POST=jurisdiction(*EM_DECIDE)),
    "monitoring:assignment_fit": route(S.CASE, GET=jurisdiction(*EM_ASSIGN), POST=jurisdiction(*EM_ASSIGN)),
    "monitoring:assignment_replace": route(S.CASE, GET=jurisdiction(*EM_ASSIGN), POST=jurisdiction(*EM_ASSIGN)),
    "monitoring:assignment_remove": route(S.CASE, GET=jurisdiction(*EM_ASSIGN), POST=jurisdiction(*EM_ASSIGN)),
    # --- Electronic monitoring pages: EM resolutions and the device's life on a case — END
    # --- Monitoring pages: the console and an alert's page — BEGIN
    "monitoring:console": route(GET=roles(*EM_STAFF, OPERATOR)),
    "monitoring:console_events": route(GET=roles(*EM_STAFF, OPERATOR)),
    "monitoring:alert": route(S.CASE, GET=EM_READ),
    "monitoring:alert_acknowledge": route(S.CASE, POST=EM_ALERT_HANDLE),
    "monitoring:alert_resolve": route(S.CASE, POST=EM_ALERT_HANDLE),
    "monitoring:alert_escalate": route(S.CASE, POST=EM_ALERT_HANDLE),
    "monitoring:alert_call": route(S.CASE, POST=EM_ALERT_HANDLE),
    # --- Monitoring pages: the console and an alert's page — END
    # The admin site: the system administrator only (``web.admin_site``); model pages below.
    "admin:index": route(GET=roles(SYSADMIN)),
    "admin:login": route(GET=PUBLIC, POST=PUBLIC),
    "admin:logout": route(POST=roles(SYSADMIN)),
    "admin:password_change": route(GET=roles(SYSADMIN), POST=roles(SYSADMIN)),
    "admin:password_change_done": route(GET=roles(SYSADMIN)),
    "admin:jsi18n": route(GET=roles(SYSADMIN)),
    "admin:app_list": route(GET=roles(SYSADMIN)),
    # No admin declares autocomplete fields and no model has a page of its own: both refuse all.
    "admin:autocomplete": route(),
    "admin:view_on_site": route(),
    "admin:auth_user_password_change": route(S.ADMIN_OBJECT, GET=roles(SYSADMIN), POST=roles(SYSADMIN)),
    # Any other address under /admin/ (not found; others are sent to the admin's sign-in).
    "admin/(?P<url>.*)$": route(),
}


@dataclass(frozen=True)
class AdminModel:
    """Who may use a model's admin pages: list and read (view), add, change, delete."""

    view: Rule = NOBODY
    add: Rule = NOBODY
    change: Rule = NOBODY
    delete: Rule = NOBODY


def admin_model(*, view: Rule = NOBODY, add: Rule = NOBODY, change: Rule = NOBODY, delete: Rule = NOBODY) -> AdminModel:
    return AdminModel(view=view, add=add, change=change, delete=delete)


ADMIN = roles(SYSADMIN)

# Every model registered in the admin, by "app_label.model_name". Nothing is ever deleted there.
ADMIN_MODELS: dict[str, AdminModel] = {
    "accounts.region": admin_model(view=ADMIN, add=ADMIN, change=ADMIN),
    "accounts.office": admin_model(view=ADMIN, add=ADMIN, change=ADMIN),
    "accounts.user": admin_model(view=ADMIN, add=ADMIN, change=ADMIN),
    "rules.rule": admin_model(view=ADMIN, add=ADMIN, change=ADMIN),
    "conditions.conditiondefinition": admin_model(view=ADMIN, add=ADMIN, change=ADMIN),
    "assessments.instrument": admin_model(view=ADMIN, add=ADMIN, change=ADMIN),
    # Who works for which partner organisation (also set by the heads on the organisation's page).
    "programmes.partnerstaff": admin_model(view=ADMIN, add=ADMIN, change=ADMIN),
    "programmes.partnerorganisation": admin_model(view=ADMIN),
    # Registered by Django, DRF and django-axes; no role holds their permissions.
    "auth.group": admin_model(),
    "axes.accessattempt": admin_model(),
    "axes.accesslog": admin_model(),
    "axes.accessfailurelog": admin_model(),
}


def admin_model_routes(label: str, model: AdminModel) -> dict[str, Route]:
    """The entries of one admin model's pages (keyed as the resolver names them; the old
    ``<id>/`` address, which only redirects to the change page, by its path)."""
    app_label, model_name = label.split(".")
    name = f"admin:{app_label}_{model_name}"
    o = Subject.ADMIN_OBJECT
    return {
        # A POST to the list carries a bulk action, which needs its own permission: without one it
        # shows the list again.
        f"{name}_changelist": route(GET=model.view, POST=(*model.view, *model.change)),
        f"{name}_add": route(GET=model.add, POST=model.add),
        f"{name}_history": route(o, GET=model.view),
        f"{name}_delete": route(o, GET=model.delete, POST=model.delete),
        f"{name}_change": route(o, GET=model.view, POST=model.change),
        f"admin/{app_label}/{model_name}/<path:object_id>/": route(o, GET=ADMIN),
    }


def access_table() -> dict[str, Route]:
    """The whole table: the routes above and every admin model's pages."""
    table = dict(ACCESS)
    for label, model in ADMIN_MODELS.items():
        table.update(admin_model_routes(label, model))
    return table


# --- Reading the table ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """The record an address names: the office that holds it and the officer it is allocated to."""

    office: Any = None
    officer_id: int | None = None
    owner_id: int | None = None
    # A record held by a region rather than an office (a partner organisation).
    region_id: int | None = None
    # The partner organisation a referral is addressed to.
    organisation_id: int | None = None
    # A case: is it under electronic monitoring (None: the record is not a case)?
    monitored: bool | None = None


def _covers(user: Any, office: Any, region_id: int | None = None) -> bool:
    """Does the user's placement cover the office: their office, their region, or the country.
    A record held by a region (``region_id``, no office) is covered by every office of the region."""
    if office is None and region_id is not None:
        if user.office_id is not None:
            return bool(user.office.region_id == region_id)
        if user.region_id is not None:
            return bool(user.region_id == region_id)
        return True
    if office is None:
        return False
    if user.office_id is not None:
        return bool(user.office_id == office.pk)
    if user.region_id is not None:
        return bool(user.region_id == office.region_id)
    return True


def grant_allows(grant: Grant, user: Any, target: Target) -> bool:
    if grant.reach is Reach.PUBLIC:
        return True
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if grant.reach is Reach.SIGNED_IN:
        return True
    if grant.reach is Reach.OWNER:
        return target.owner_id is not None and target.owner_id == user.pk
    if user.role not in grant.roles:
        return False
    if grant.reach is Reach.ROLE:
        return True
    if grant.reach is Reach.PARTNER:
        staff = getattr(user, "partner_staff", None) if user.pk else None
        return (
            staff is not None and target.organisation_id is not None and staff.organisation_id == target.organisation_id
        )
    if grant.reach is Reach.MONITORED:
        region_id = target.office.region_id if target.office is not None else target.region_id
        return target.monitored is not False and region_id is not None and region_id in monitored_region_ids(user)
    if not _covers(user, target.office, target.region_id):
        return False
    if grant.reach is Reach.JURISDICTION:
        return True
    return target.officer_id is not None and target.officer_id == user.pk


def allows(rule: Rule, user: Any, target: Target | None = None) -> bool:
    """May ``user`` (anonymous included) use a method declared ``rule`` on ``target``?"""
    return any(grant_allows(grant, user, target or Target()) for grant in rule)


def describe(rule: Rule) -> str:
    return " | ".join(str(g) for g in rule) or "nobody"
