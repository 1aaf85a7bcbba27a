from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .forms import SignInForm

urlpatterns = [
    path(
        "sign-in/",
        auth_views.LoginView.as_view(
            authentication_form=SignInForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("tokens/", views.account_tokens, name="account_tokens"),
    path("tokens/<int:token_id>/revoke/", views.revoke_token, name="account_token_revoke"),
]
