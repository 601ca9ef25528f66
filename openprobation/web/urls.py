from django.contrib.auth import views as auth_views
from django.urls import include, path

from openprobation.web import tokens, views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/password/", views.ChangePasswordView.as_view(), name="password_change"),
    path("accounts/tokens/", tokens.api_tokens, name="api_tokens"),
    path("accounts/tokens/<int:pk>/revoke/", tokens.api_token_revoke_view, name="api_token_revoke"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("people/", include(("openprobation.people.urls", "people"))),
    path("cases/", include(("openprobation.cases.urls", "cases"))),
    path("audit/", include(("openprobation.audit.urls", "audit"))),
    path("", include(("openprobation.conditions.urls", "conditions"))),
    path("", include(("openprobation.enforcement.urls", "enforcement"))),
    path("", include(("openprobation.supervision.urls", "supervision"))),
    path("", include(("openprobation.labour.urls", "labour"))),
    path("", include(("openprobation.assessments.urls", "assessments"))),
    path("", include(("openprobation.programmes.urls", "programmes"))),
    path("", include(("openprobation.employment.urls", "employment"))),
    path("", include(("openprobation.releases.urls", "releases"))),
    path("", include(("openprobation.volunteers.urls", "volunteers"))),
    path("", include(("openprobation.notifications.urls", "notifications"))),
    path("", include(("openprobation.workqueue.urls", "workqueue"))),
    path("", include(("openprobation.monitoring.urls", "monitoring"))),
]
