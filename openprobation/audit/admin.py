"""The audit trail is not in the Django admin.

Its events name the people whose records were read or changed (subject, old → new values, search
filters): personal data that is for auditors only, who read it on the audit page (``/audit/``),
where each of their reads is itself audited. Even a list limited to ids and actions would tell the
system administrator who looked at whose file and when, and let them search for it. Nobody adds,
changes or deletes audit events anywhere (database triggers refuse UPDATE and DELETE).
"""
