"""Sign-in, second-factor and token forms."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from hoso.accounts.models import ApiToken, Role
from hoso.core import permissions
from hoso.core.choices import Secrecy


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


def _bootstrap(form: forms.Form) -> None:
    """Give every widget its Bootstrap class."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


class PersonCreateForm(forms.Form):
    """A new person with a login and their first position."""

    organization = forms.ModelChoiceField(label=_("Organization"), queryset=None)
    role = forms.ModelChoiceField(label=_("Role"), queryset=None)
    title = forms.CharField(label=_("Title"), max_length=150, required=False)
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(
        label=_("Initial password"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to create the record without a usable password."),
    )
    citizen_id = forms.CharField(label=_("Citizen ID"), max_length=12, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    clearance = forms.TypedChoiceField(
        label=_("Clearance"), coerce=int, choices=Secrecy.choices, initial=0
    )

    def __init__(self, *args, user, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = permissions.organizations_with(
            user, "accounts.add_person"
        )
        self.fields["role"].queryset = Role.objects.all()
        _bootstrap(self)


class PersonEditForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    citizen_id = forms.CharField(label=_("Citizen ID"), max_length=12, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    clearance = forms.TypedChoiceField(
        label=_("Clearance"), coerce=int, choices=Secrecy.choices
    )

    def __init__(self, *args, user, instance=None, **kwargs):
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {name: getattr(instance, name) for name in self.base_fields},
            )
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class PositionForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("Organization"), queryset=None)
    role = forms.ModelChoiceField(label=_("Role"), queryset=None)
    title = forms.CharField(label=_("Title"), max_length=150, required=False)
    start_date = forms.DateField(
        label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = permissions.organizations_with(
            user, "accounts.add_position"
        )
        self.fields["role"].queryset = Role.objects.all()
        _bootstrap(self)
