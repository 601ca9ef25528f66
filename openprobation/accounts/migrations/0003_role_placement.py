# A user's placement must match the level their role works at (accounts.models.ROLE_PLACEMENT).

import openprobation.accounts.models
from django.db import migrations, models
from django.db.models import Q

# The table as it stood when this migration was written (migrations do not read live code).
OFFICE_ROLES = ["analyst", "court_liaison", "head_of_office", "officer", "senior_officer"]
REGION_ROLES = ["analyst", "regional_admin"]
NATIONAL_ROLES = ["analyst", "auditor", "monitoring_operator", "partner_staff", "system_admin"]
MATCHES = (
    Q(role__in=OFFICE_ROLES, office__isnull=False, region__isnull=True)
    | Q(role__in=REGION_ROLES, office__isnull=True, region__isnull=False)
    | Q(role__in=NATIONAL_ROLES, office__isnull=True, region__isnull=True)
)


def settle_mismatched_placements(apps, schema_editor):
    """Existing rows that do not fit the rule, before the constraint is added.

    Roles that work nationally (auditor, system administrator, partner staff, monitoring operator)
    gain nothing from an office or region, so theirs is cleared: that narrows nothing and widens
    nothing. Anyone else placed wrongly (an officer without an office, a regional administrator in
    an office) is deactivated with the placement kept, since guessing a placement could widen what
    they see; the administrator corrects the placement before reactivating them.
    """
    User = apps.get_model("accounts", "User")
    mismatched = User.objects.exclude(MATCHES)
    mismatched.filter(role__in=["auditor", "monitoring_operator", "partner_staff", "system_admin"]).update(
        office=None, region=None
    )
    User.objects.exclude(MATCHES).filter(is_active=True).update(is_active=False)
    if schema_editor.connection.vendor == "postgresql":
        # PostgreSQL refuses to alter a table with deferred foreign-key checks still pending
        # from the updates above: run them now.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_monitored_regions'),
        ('auth', '0012_alter_user_first_name_max_length'),
    ]

    operations = [
        migrations.RunPython(settle_mismatched_placements, migrations.RunPython.noop),
        migrations.AlterModelManagers(
            name='user',
            managers=[
                ('objects', openprobation.accounts.models.StaffManager()),
            ],
        ),
        migrations.AddConstraint(
            model_name='user',
            constraint=models.CheckConstraint(condition=models.Q(('is_active', False), models.Q(('role__in', ['analyst', 'court_liaison', 'head_of_office', 'officer', 'senior_officer']), ('office__isnull', False), ('region__isnull', True)), models.Q(('role__in', ['analyst', 'regional_admin']), ('office__isnull', True), ('region__isnull', False)), models.Q(('role__in', ['analyst', 'auditor', 'monitoring_operator', 'partner_staff', 'system_admin']), ('office__isnull', True), ('region__isnull', True)), _connector='OR'), name='user_placement_matches_role', violation_error_code='role_placement'),
        ),
    ]
