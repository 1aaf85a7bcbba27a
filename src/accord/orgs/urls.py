from django.contrib.auth import views as auth_views
from django.urls import path

from . import sso, views

urlpatterns = [
    path("", views.account, name="account"),
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("tokens/", views.account_tokens, name="account_tokens"),
    path("tokens/<int:token_id>/revoke/", views.revoke_token, name="account_token_revoke"),
    # Passwords: changed when signed in, reset by an emailed link, set from an invitation.
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "invitation/<uidb64>/<token>/",
        views.InvitationAcceptView.as_view(),
        name="invitation_accept",
    ),
    path("invitation/done/", views.InvitationDoneView.as_view(), name="invitation_done"),
    # People, for organisation and platform administrators.
    path("people/", views.people, name="people"),
    path("people/invite/", views.invite, name="people_invite"),
    path("people/<int:person_id>/", views.person, name="person"),
    path("people/<int:person_id>/deactivate/", views.deactivate, name="person_deactivate"),
    path("people/<int:person_id>/reactivate/", views.reactivate, name="person_reactivate"),
    path("people/<int:person_id>/invite-again/", views.invite_again, name="person_invite_again"),
    # Single sign-on: always routed, answering 404 while ACCORD_OIDC_ENABLED is off.
    path("sso/start/", sso.start, name="sso_start"),
    path("sso/callback/", sso.callback, name="sso_callback"),
]
