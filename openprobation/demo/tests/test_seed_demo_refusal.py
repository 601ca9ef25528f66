"""seed-demo refuses to mix demo data with real data (apart from the shared demo data of
test_seed_demo, which would be in the way)."""

from __future__ import annotations

import pytest
from django.core.management.base import CommandError

from openprobation.accounts.models import User
from openprobation.demo.tests.test_seed_demo import seed
from openprobation.people.models import Person


@pytest.mark.django_db
def test_refuses_a_database_with_real_staff():
    User.objects.create_user(username="real.auditor", password="x-Long-Password-123", role="auditor")
    with pytest.raises(CommandError, match="not demo users"):
        seed()
    assert not Person.objects.exists()
