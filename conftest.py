"""Test-wide fixtures (the test environment itself is set in openprobation/testing/pytest_env.py)."""

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    """Tests create many users; the production hasher is deliberately slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def personas(db):  # type: ignore[no-untyped-def]
    """Named users at every permission boundary: two offices in one region, one in another region."""
    from openprobation.accounts.models import Role
    from openprobation.testing.factories import OfficeFactory, RegionFactory, UserFactory

    north = RegionFactory(code="NRT", name_en="North")
    south = RegionFactory(code="STH", name_en="South")
    office_a = OfficeFactory(code="NA1", region=north)
    office_b = OfficeFactory(code="NB2", region=north)
    office_c = OfficeFactory(code="SC3", region=south)
    p = {
        "office_a": office_a,
        "office_b": office_b,
        "office_c": office_c,
        "north": north,
        "south": south,
        "officer": UserFactory(username="officer", role=Role.OFFICER, office=office_a),
        "colleague": UserFactory(username="colleague", role=Role.OFFICER, office=office_a),
        "senior": UserFactory(username="senior", role=Role.SENIOR_OFFICER, office=office_a),
        "head": UserFactory(username="head", role=Role.HEAD_OF_OFFICE, office=office_a),
        "other_district": UserFactory(username="other_district", role=Role.OFFICER, office=office_b),
        "other_head": UserFactory(username="other_head", role=Role.HEAD_OF_OFFICE, office=office_b),
        "other_region": UserFactory(username="other_region", role=Role.OFFICER, office=office_c),
        "regional_admin": UserFactory(username="regional_admin", role=Role.REGIONAL_ADMIN, office=None, region=north),
        "court_liaison": UserFactory(username="court_liaison", role=Role.COURT_LIAISON, office=office_a),
        "analyst": UserFactory(username="analyst", role=Role.ANALYST, office=None),
        "auditor": UserFactory(username="auditor", role=Role.AUDITOR, office=None),
        "monitoring": UserFactory(username="monitoring", role=Role.MONITORING_OPERATOR, office=None),
        "partner": UserFactory(username="partner", role=Role.PARTNER_STAFF, office=None),
        "sysadmin": UserFactory(username="sysadmin", role=Role.SYSTEM_ADMIN, office=None, is_staff=True),
    }
    return p
