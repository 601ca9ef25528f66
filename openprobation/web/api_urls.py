"""The REST API, version 1: every endpoint, the OpenAPI 3 schema and its interactive docs."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from openprobation.accounts.api import MeView, OfficeListView
from openprobation.audit.api import AuditEventListView, AuditVerifyView
from openprobation.cases.api import (
    CaseAllocateView,
    CaseAppearanceView,
    CaseDecisionListView,
    CaseDetailView,
    CaseListView,
    CaseRegisterView,
    CaseTimelineView,
    CaseTransferView,
    CaseTransitionView,
    OfficeCaseloadView,
    PersonCasesView,
)
from openprobation.core.api import api_not_found
from openprobation.people.api import (
    IinCheckView,
    PersonAddressView,
    PersonDetailView,
    PersonDocumentView,
    PersonFamilyView,
    PersonListView,
    PersonTimelineView,
)
from openprobation.rules.api import RuleDetailView, RuleListView
from openprobation.staff.api import StaffDetailView, StaffListView
from openprobation.web.auth_api import TokenDetailView, TokenListView, TokenView

# Each app of the supervision wave declares its endpoints in its own api_urls.py.
APP_API_URLS = [
    path("", include("openprobation.conditions.api_urls")),
    path("", include("openprobation.enforcement.api_urls")),
    path("", include("openprobation.supervision.api_urls")),
    path("", include("openprobation.labour.api_urls")),
    path("", include("openprobation.assessments.api_urls")),
    path("", include("openprobation.programmes.api_urls")),
    path("", include("openprobation.employment.api_urls")),
    path("", include("openprobation.releases.api_urls")),
    path("", include("openprobation.volunteers.api_urls")),
    path("", include("openprobation.monitoring.api_urls")),
    path("", include("openprobation.notifications.api_urls")),
    path("", include("openprobation.workqueue.api_urls")),
]

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The docs pages take no inline script (Content-Security-Policy): Swagger UI's set-up script is
    # served by the same view at ?script=, ReDoc starts from a static script.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="web/api_docs/swagger_ui.html"),
        name="api-docs",
    ),
    path(
        "redoc/",
        SpectacularRedocView.as_view(url_name="api-schema", template_name="web/api_docs/redoc.html"),
        name="api-redoc",
    ),
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("auth/tokens/", TokenListView.as_view(), name="api-tokens"),
    path("auth/tokens/<int:pk>/", TokenDetailView.as_view(), name="api-token-detail"),
    path("me/", MeView.as_view(), name="api-me"),
    path("offices/", OfficeListView.as_view(), name="api-offices"),
    path("offices/<int:pk>/caseload/", OfficeCaseloadView.as_view(), name="api-office-caseload"),
    path("people/", PersonListView.as_view(), name="api-people"),
    path("people/validate-iin/", IinCheckView.as_view(), name="api-validate-iin"),
    path("people/<int:pk>/", PersonDetailView.as_view(), name="api-person"),
    path("people/<int:pk>/cases/", PersonCasesView.as_view(), name="api-person-cases"),
    path("people/<int:pk>/timeline/", PersonTimelineView.as_view(), name="api-person-timeline"),
    path("people/<int:pk>/family/", PersonFamilyView.as_view(), name="api-person-family"),
    path("people/<int:pk>/addresses/<str:kind>/", PersonAddressView.as_view(), name="api-person-address"),
    path("people/<int:pk>/documents/", PersonDocumentView.as_view(), name="api-person-documents"),
    path("cases/", CaseListView.as_view(), name="api-cases"),
    path("cases/<int:pk>/", CaseDetailView.as_view(), name="api-case"),
    path("cases/<int:pk>/timeline/", CaseTimelineView.as_view(), name="api-case-timeline"),
    path("cases/<int:pk>/transition/", CaseTransitionView.as_view(), name="api-case-transition"),
    path("cases/<int:pk>/register/", CaseRegisterView.as_view(), name="api-case-register"),
    path("cases/<int:pk>/allocate/", CaseAllocateView.as_view(), name="api-case-allocate"),
    path("cases/<int:pk>/transfer/", CaseTransferView.as_view(), name="api-case-transfer"),
    path("cases/<int:pk>/appearance/", CaseAppearanceView.as_view(), name="api-case-appearance"),
    path("cases/<int:pk>/decisions/", CaseDecisionListView.as_view(), name="api-case-decisions"),
    path("audit/events/", AuditEventListView.as_view(), name="api-audit-events"),
    path("audit/verify/", AuditVerifyView.as_view(), name="api-audit-verify"),
    path("rules/", RuleListView.as_view(), name="api-rules"),
    path("rules/<str:key>/", RuleDetailView.as_view(), name="api-rule"),
    path("staff/", StaffListView.as_view(), name="api-staff"),
    path("staff/<int:pk>/", StaffDetailView.as_view(), name="api-staff-member"),
    *APP_API_URLS,
    # Anything else under /api/v1/ (a malformed id, a typo) answers 404 in JSON, not an HTML page.
    re_path(r"^[\s\S]*$", api_not_found, name="api-not-found"),  # [\s\S]: a newline in the path too
]
