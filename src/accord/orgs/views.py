"""Signing in and out, passwords (reset by email, changed when signed in, set from an
invitation), a person's own account page (their notices and API tokens), and the people pages
where administrators invite people, change their roles and deactivate them."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from axes.utils import reset as reset_lockout
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accord.core.problems import Problems

from . import services, sso
from .forms import (
    ChangePasswordForm,
    InviteForm,
    NewPasswordForm,
    NoticesForm,
    PeopleSearchForm,
    ResetPasswordForm,
    RoleForm,
    SignInForm,
    TokenForm,
)
from .models import User


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


def _add_problems(form: BaseForm, problems: Problems) -> None:
    """A service's problems on the form: each on its field where the form has one."""
    for problem in problems.problems:
        field = getattr(problem, "field", None)
        form.add_error(field if field in form.fields else None, str(problem))


# Passwords -----------------------------------------------------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    """Asks for an email address; the next page says the same whether or not it has an account."""

    form_class = ResetPasswordForm
    template_name = "orgs/password_reset.html"
    success_url = reverse_lazy("password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "orgs/password_reset_sent.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["valid_hours"] = settings.PASSWORD_RESET_TIMEOUT // 3600
        return context


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The emailed link: a form for the new password, or why the link no longer works."""

    form_class = NewPasswordForm
    template_name = "orgs/password_set.html"
    success_url = reverse_lazy("password_reset_complete")
    heading = "Choose a new password"
    invalid_advice = "reset"

    def get_user(self, uidb64: str) -> Any:
        user = super().get_user(uidb64)
        # A deactivated person's old link does not bring them back.
        return user if user is not None and user.is_active else None

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        # Whoever proved they hold the mailbox is no longer locked out by failed sign-ins.
        reset_lockout(username=form.user.email)
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["heading"] = self.heading
        context["invalid_advice"] = self.invalid_advice
        return context


class InvitationAcceptView(PasswordResetConfirmView):
    """An invitation's link: the person invited sets their first password."""

    token_generator = services.invitation_tokens
    success_url = reverse_lazy("invitation_done")
    heading = "Set your password"
    invalid_advice = "invitation"


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "orgs/password_set_done.html"
    heading = "Your password has been changed"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["heading"] = self.heading
        return context


class InvitationDoneView(PasswordResetCompleteView):
    heading = "Your password is set"


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = ChangePasswordForm
    template_name = "orgs/password_change.html"
    success_url = reverse_lazy("account")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, "Your password has been changed.")
        return response


# A person's own account ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """Who one is, the notices one gets (a POST saves them), and the ways to one's password,
    tokens and, for administrators, people."""
    person: User = request.user  # type: ignore[assignment]  # login_required: a User
    if request.method == "POST":
        form = NoticesForm(request.POST)
        if form.is_valid():
            wanted = set(form.cleaned_data["notices"])
            services.set_notices_off(
                person, [code for code in form.codes() if code not in wanted], actor=person
            )
            messages.success(request, "Your email choices have been saved.")
            return redirect("account")
    else:
        off = set(person.notices_off or [])
        codes = NoticesForm().codes()
        form = NoticesForm(initial={"notices": [code for code in codes if code not in off]})
    return render(
        request,
        "orgs/account.html",
        {
            "person": person,
            "form": form,
            "manages_people": services.can_manage_people(person),
            "has_password": person.has_usable_password(),
        },
    )


# People --------------------------------------------------------------------------------------


@login_required
def people(request: HttpRequest) -> HttpResponse:
    everyone = services.people_managed_by(request.user)
    form = PeopleSearchForm(request.GET or None)
    q = ""
    if form.is_bound and form.is_valid():
        q = form.cleaned_data["q"].strip()
    if q:
        everyone = everyone.filter(
            Q(email__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q)
        )
    paginator = Paginator(everyone, settings.PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "orgs/people.html",
        {
            "form": form,
            "page": page,
            "total": paginator.count,
            "query": urlencode({"q": q}) if q else "",
            "all_organisations": getattr(request.user, "is_platform_admin", False),
            "invited": {p.pk for p in page.object_list if services.is_invited(p)},
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest) -> HttpResponse:
    actor = request.user
    form = InviteForm(
        request.POST or None,
        roles=services.roles_assignable_by(actor),
        organisations=services.organisations_for_invitations(actor),
        choose_organisation=bool(getattr(actor, "is_platform_admin", False)),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.invite_person(
                actor,
                email=data["email"],
                role=data["role"],
                organisation=data.get("organisation"),
                first_name=data["first_name"],
                last_name=data["last_name"],
            )
        except Problems as exc:
            _add_problems(form, exc)
        else:
            messages.success(
                request,
                f"Invitation sent to {person.email}. The link in it works for "
                f"{services.INVITATION_VALID_FOR.days} days.",
            )
            return redirect("person", person_id=person.pk)
    return render(
        request,
        "orgs/invite.html",
        {"form": form, "organisation": getattr(actor, "organisation", None)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def person(request: HttpRequest, person_id: int) -> HttpResponse:
    """One person: their details, their role (a POST changes it), and deactivating them."""
    actor = request.user
    found = services.managed_person(actor, person_id)
    roles = services.roles_assignable_by(actor)
    form = RoleForm(request.POST or None, roles=roles, initial={"role": found.role})
    if request.method == "POST" and form.is_valid():
        try:
            services.change_role(actor, found, form.cleaned_data["role"])
        except Problems as exc:
            _add_problems(form, exc)
        else:
            messages.success(request, f"{found.email} is now: {found.get_role_display()}.")
            return redirect("person", person_id=found.pk)
    is_self = found.pk == actor.pk
    may_change = not is_self and (
        getattr(actor, "is_platform_admin", False) or not found.is_platform_admin
    )
    return render(
        request,
        "orgs/person.html",
        {
            "found": found,
            "form": form,
            "is_self": is_self,
            "may_change": may_change,
            "invited": services.is_invited(found),
        },
    )


@login_required
@require_POST
def deactivate(request: HttpRequest, person_id: int) -> HttpResponse:
    found = services.managed_person(request.user, person_id)
    services.set_active(request.user, found, active=False)
    messages.success(request, f"{found.email} has been deactivated and can no longer sign in.")
    return redirect("person", person_id=found.pk)


@login_required
@require_POST
def reactivate(request: HttpRequest, person_id: int) -> HttpResponse:
    found = services.managed_person(request.user, person_id)
    services.set_active(request.user, found, active=True)
    messages.success(request, f"{found.email} has been reactivated and can sign in again.")
    return redirect("person", person_id=found.pk)


@login_required
@require_POST
def invite_again(request: HttpRequest, person_id: int) -> HttpResponse:
    found = services.managed_person(request.user, person_id)
    services.resend_invitation(request.user, found)
    messages.success(request, f"A new invitation has been sent to {found.email}.")
    return redirect("person", person_id=found.pk)
