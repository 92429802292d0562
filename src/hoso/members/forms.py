"""Member forms: profile, admission, and one small form per lifecycle step."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hoso.core import permissions
from hoso.members.choices import (
    DisciplineForm,
    DuesCategory,
    RatingLevel,
    ServiceBackground,
    Sex,
    TemporaryPurpose,
)
from hoso.members.models import Member
from hoso.members.services import MEMBER_LEVELS
from hoso.organizations.models import Organization


def _bootstrap(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
            continue
        if isinstance(field, forms.DateField):
            widget.input_type = "date"
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


class BootstrapForm(forms.Form):
    def __init__(self, *args, user=None, instance=None, **kwargs):
        self.user = user
        self.instance = instance
        super().__init__(*args, **kwargs)
        _bootstrap(self)


def member_units(user, permission: str):
    """Cells and grassroots organizations where `user` holds `permission`."""
    return permissions.organizations_with(user, permission).filter(
        level__in=MEMBER_LEVELS
    )


class ProfileForm(BootstrapForm):
    """The 2-HSĐV fields."""

    full_name = forms.CharField(label=_("Name in use"), max_length=150)
    birth_name = forms.CharField(label=_("Birth name"), max_length=150, required=False)
    date_of_birth = forms.DateField(label=_("Date of birth"))
    place_of_birth = forms.CharField(
        label=_("Place of birth"), max_length=255, required=False
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    ethnicity = forms.CharField(label=_("Ethnicity"), max_length=64, initial="Kinh")
    religion = forms.CharField(label=_("Religion"), max_length=64, required=False)
    hometown = forms.CharField(label=_("Hometown"), max_length=255, required=False)
    residence = forms.CharField(label=_("Residence"), max_length=255, required=False)
    citizen_id = forms.CharField(label=_("Citizen ID"), max_length=14, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    education_general = forms.CharField(
        label=_("General education"), max_length=32, required=False
    )
    political_theory = forms.CharField(
        label=_("Political theory"), max_length=64, required=False
    )
    professional = forms.CharField(
        label=_("Professional qualification"), max_length=128, required=False
    )
    languages = forms.CharField(label=_("Languages"), max_length=128, required=False)
    occupation_before = forms.CharField(
        label=_("Occupation before joining"), max_length=128, required=False
    )
    occupation = forms.CharField(label=_("Occupation"), max_length=128, required=False)
    service_background = forms.ChoiceField(
        label=_("Army / police / retired"),
        choices=ServiceBackground.choices,
        required=False,
    )
    card_number = forms.CharField(
        label=_("Party card number"), max_length=16, required=False
    )
    biography_number = forms.CharField(
        label=_("Biography number"), max_length=16, required=False
    )
    badge_number = forms.CharField(
        label=_("Badge number"), max_length=16, required=False
    )
    dues_category = forms.ChoiceField(
        label=_("Dues category"), choices=DuesCategory.choices
    )
    insured_salary = forms.IntegerField(
        label=_("Insured salary or pension (VND)"), min_value=0, required=False
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea, required=False)

    SENSITIVE = (
        "citizen_id",
        "date_of_birth",
        "place_of_birth",
        "religion",
        "residence",
        "insured_salary",
        "phone",
    )

    def __init__(self, *args, sensitive: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None and not self.is_bound:
            for name in self.fields:
                self.initial.setdefault(name, getattr(self.instance, name, None))
        if not sensitive:
            for name in self.SENSITIVE:
                self.fields.pop(name, None)


class AdmitForm(ProfileForm):
    organization = forms.ModelChoiceField(
        label=_("Cell"), queryset=Organization.objects.none()
    )
    admitted_on = forms.DateField(label=_("Admission day"))
    introducers = forms.ModelMultipleChoiceField(
        label=_("Introducing members"), queryset=Member.objects.none()
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = member_units(
            self.user, "members.add_member"
        )
        self.fields["introducers"].queryset = (
            Member.objects.restrict(self.user, "view").current().filter(status="full")
        )
        self.fields["admitted_on"].initial = timezone.localdate()
        order = ["organization", "admitted_on", "introducers"]
        self.order_fields(order + [n for n in self.fields if n not in order])
        _bootstrap(self)


class VoteForm(BootstrapForm):
    voted_on = forms.DateField(label=_("Day of the vote"))
    votes_for = forms.IntegerField(label=_("Votes for"), min_value=0)
    votes_against = forms.IntegerField(label=_("Votes against"), min_value=0)


class TransferForm(BootstrapForm):
    target = forms.ModelChoiceField(label=_("To"), queryset=Organization.objects.none())
    decided_on = forms.DateField(label=_("Decided on"))
    sent_on = forms.DateField(label=_("Sent on"))
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any cell in the system may receive a member.
        self.fields["target"].queryset = Organization.objects.filter(
            level__in=MEMBER_LEVELS
        ).order_by("path")


class TemporaryTransferForm(BootstrapForm):
    target = forms.ModelChoiceField(
        label=_("Host"), queryset=Organization.objects.none()
    )
    starts_on = forms.DateField(label=_("Starts on"))
    ends_on = forms.DateField(label=_("Ends on"))
    purpose = forms.ChoiceField(label=_("Purpose"), choices=TemporaryPurpose.choices)
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = Organization.objects.filter(
            level__in=MEMBER_LEVELS
        ).order_by("path")


class ReceiveForm(BootstrapForm):
    received_on = forms.DateField(label=_("Presented on"))
    late_reason = forms.CharField(
        label=_("Reason for lateness"), max_length=255, required=False
    )


class DatedReasonForm(BootstrapForm):
    on = forms.DateField(label=_("Date"))
    reason = forms.CharField(label=_("Reason"), max_length=255)


class DateForm(BootstrapForm):
    on = forms.DateField(label=_("Date"))


class DisciplineFormForm(BootstrapForm):
    form = forms.ChoiceField(label=_("Form"), choices=DisciplineForm.choices)
    decided_on = forms.DateField(label=_("Decided on"))
    reason = forms.CharField(label=_("Reason"), max_length=500)


class PhotoForm(BootstrapForm):
    photo = forms.FileField(label=_("Photo (JPEG or PNG, at most 512 KB)"))


class ImportForm(BootstrapForm):
    organization = forms.ModelChoiceField(
        label=_("Into"),
        queryset=Organization.objects.none(),
        help_text=_("Rows name their cell by code; it must lie under this one."),
    )
    file = forms.FileField(label=_("XLSX or CSV file"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = permissions.organizations_with(
            self.user, "members.import_member"
        ).order_by("path")


class RatingLevelForm(BootstrapForm):
    level = forms.ChoiceField(label=_("Level"), choices=RatingLevel.choices)
