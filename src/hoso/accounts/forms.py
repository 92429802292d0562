"""Sign-in, second-factor and token forms."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from hoso.accounts.models import ApiToken


class SignInForm(AuthenticationForm):
    """Username and password (django-axes counts the failures)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"class": "form-control", "autocomplete": "username"}
        )
        self.fields["password"].widget.attrs.update(
            {"class": "form-control", "autocomplete": "current-password"}
        )


class TokenForm(forms.Form):
    """A six-digit code from the authenticator app."""

    token = forms.CharField(
        label=_("Code"),
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
            }
        ),
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=[("read", _("Read")), ("write", _("Read and write"))],
        initial=["read"],
        widget=forms.CheckboxSelectMultiple,
    )
    expires_days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=3650,
        required=False,
        initial=90,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )

    SCOPES = ApiToken.SCOPES
