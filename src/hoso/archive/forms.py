"""Forms of the archive pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from hoso.archive import completeness, handover
from hoso.archive.choices import Decision
from hoso.core import permissions
from hoso.documents.choices import Direction


def _organizations(user, permission: str):
    return permissions.organizations_with(user, permission).order_by("path")


class OrganizationForm(forms.Form):
    """Choose one organization among those where the user holds a permission."""

    permission = completeness.VIEW_PERMISSION

    organization = forms.ModelChoiceField(
        label=_("Organization"),
        queryset=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = _organizations(user, self.permission)


class ScanForm(OrganizationForm):
    permission = "archive.change_duplicateflag"


class DuplicateFilterForm(forms.Form):
    """Filters of the duplicates report."""

    organization = forms.ModelChoiceField(
        label=_("Organization"),
        queryset=None,
        required=False,
        widget=forms.Select(attrs={"class": "form-select hoso-autosubmit"}),
    )
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("", _("All")), *Decision.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select hoso-autosubmit"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = _organizations(
            user, "archive.view_duplicateflag"
        )


class ExportFilterForm(forms.Form):
    """Which register records to offer for a handover package."""

    organization = forms.ModelChoiceField(
        label=_("Organization"),
        queryset=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    direction = forms.ChoiceField(
        label=_("Register"),
        choices=[("", _("All registers")), *Direction.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    year = forms.IntegerField(
        label=_("Register year"),
        required=False,
        min_value=1900,
        max_value=2999,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = _organizations(
            user, handover.EXPORT_PERMISSION
        )


class ImportForm(forms.Form):
    """Upload a zipped handover package into an organization."""

    organization = forms.ModelChoiceField(
        label=_("Receiving organization"),
        queryset=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    package = forms.FileField(
        label=_("Handover package (.zip of a BagIt bag)"),
        widget=forms.ClearableFileInput(
            attrs={"class": "form-control", "accept": ".zip,application/zip"}
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = _organizations(
            user, handover.IMPORT_PERMISSION
        )
