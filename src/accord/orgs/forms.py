from django import forms
from django.contrib.auth.forms import AuthenticationForm

from accord.core.forms import PlainTextForm


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email address", widget=forms.EmailInput(attrs={"autocomplete": "username"})
    )
    error_messages = {
        "invalid_login": "Enter a correct email address and password. After repeated failures "
        "the account is locked for a while.",
        "inactive": "This account is inactive.",
    }

    def clean_username(self) -> str:
        # One account per address, whatever its case: stored and matched in lower case.
        return str(self.cleaned_data["username"]).strip().lower()


class TokenForm(PlainTextForm):
    name = forms.CharField(
        label="What the token is for",
        max_length=100,
        required=False,
        help_text="For example ‘nightly export to our dashboard’. You can revoke it at any time.",
    )
