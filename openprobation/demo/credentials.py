"""Names shared by the demo-data generator and `openprobation demo-logins`.

The demo password is public on purpose (it is printed by `make run`); seed-demo refuses to run
on a database that already holds staff who are not demo users.
"""

DEMO_PASSWORD = "Demo-Probation-2026"  # noqa: S105 - a published demo credential, see module docstring

DEMO_USERNAMES = [
    "officer",
    "senior",
    "head",
    "regional",
    "court",
    "monitoring",
    "partner",
    "partner_ngo",
    "analyst",
    "auditor",
    "admin",
]
