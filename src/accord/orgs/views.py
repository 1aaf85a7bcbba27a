"""Signing in, and a person's own account page: their personal API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accord.core.problems import Problems

from . import services, sso
from .forms import SignInForm, TokenForm


class SignInView(auth_views.LoginView):
    """Email and password, and the single sign-on button when it is enabled; says why a
    single sign-on was refused."""

    authentication_form = SignInForm
    redirect_authenticated_user = True
    template_name = "orgs/sign_in.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sso_enabled"] = sso.enabled()
        context["sso_provider"] = sso.provider_name()
        context["sso_refusal"] = sso.pop_refusal(self.request)
        return context


@login_required
@require_http_methods(["GET", "POST"])
def account_tokens(request: HttpRequest) -> HttpResponse:
    """List one's tokens; a POST creates one, whose plain text this response alone shows."""
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_token = services.create_token(
                request.user,  # type: ignore[arg-type]  # login_required: a User
                form.cleaned_data["name"],
                actor=request.user,
            )
        except Problems as exc:
            for problem in exc.problems:
                form.add_error("name", str(problem))
        else:
            form = TokenForm()
    return render(
        request,
        "orgs/account_tokens.html",
        {"form": form, "tokens": services.tokens_of(request.user), "new_token": new_token},
    )


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    token = services.revoke_token(request.user, token_id)
    messages.success(request, f"Revoked the token {token.name!r} ({token.prefix}…).")
    return redirect("account_tokens")
