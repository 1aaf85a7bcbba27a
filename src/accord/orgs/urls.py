from django.contrib.auth import views as auth_views
from django.urls import path

from . import sso, views

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("tokens/", views.account_tokens, name="account_tokens"),
    path("tokens/<int:token_id>/revoke/", views.revoke_token, name="account_token_revoke"),
    # Single sign-on: always routed, answering 404 while ACCORD_OIDC_ENABLED is off.
    path("sso/start/", sso.start, name="sso_start"),
    path("sso/callback/", sso.callback, name="sso_callback"),
]
