import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openprobation.settings")
application = get_wsgi_application()
# Load the URLconf, and every view module it imports, while the server process starts rather than
# on its first request (seconds of imports that would stall the first requests of every worker).
get_resolver().url_patterns  # noqa: B018
