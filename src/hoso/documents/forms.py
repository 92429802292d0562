"""Forms of the documents office; choice fields follow the user's scope."""

from django import forms
from django.utils.translation import gettext_lazy as _

from hoso.accounts.models import Person
from hoso.core import permissions
from hoso.core.choices import Secrecy
from hoso.documents.choices import Direction, Urgency
from hoso.documents.models import DocumentType
from hoso.organizations.models import Organization


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


def _clearance_choices(user):
    limit = 3 if user.is_superuser else permissions.clearance_of(user)
    return [(value, label) for value, label in Secrecy.choices if value <= limit]


class IncomingForm(forms.Form):
    """The clerk's registration form for an incoming document."""

    organization = forms.ModelChoiceField(label=_("Register of"), queryset=None)
    doc_type = forms.ModelChoiceField(label=_("Document type"), queryset=None)
    symbol = forms.CharField(
        label=_("Number and symbol"), max_length=64, required=False
    )
    issuer_name = forms.CharField(label=_("Issuing body"), max_length=255)
    place = forms.CharField(label=_("Place"), max_length=100, required=False)
    issued_date = forms.DateField(
        label=_("Date of the document"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    excerpt = forms.CharField(
        label=_("Excerpt"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    signer_name = forms.CharField(label=_("Signer"), max_length=150, required=False)
    signer_position = forms.CharField(
        label=_("Signer's position"), max_length=150, required=False
    )
    urgency = forms.TypedChoiceField(
        label=_("Urgency"), coerce=int, choices=Urgency.choices, initial=0
    )
    secrecy = forms.TypedChoiceField(label=_("Secrecy"), coerce=int, initial=0)
    page_count = forms.IntegerField(label=_("Pages"), min_value=0, required=False)
    due_date = forms.DateField(
        label=_("Deadline"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    present_to = forms.ModelChoiceField(
        label=_("Present to"),
        queryset=None,
        required=False,
        help_text=_("Urgent documents go to the secretary at once if left empty."),
    )
    files = MultipleFileField(label=_("Files"), required=False)
    confirm_duplicate = forms.BooleanField(
        label=_("Register it although it looks like a duplicate"), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["organization"].queryset = permissions.organizations_with(
            user, "documents.register_document"
        ).exclude(level="cell")
        self.fields["doc_type"].queryset = DocumentType.objects.filter(is_active=True)
        self.fields["secrecy"].choices = _clearance_choices(user)
        self.fields["present_to"].queryset = Person.objects.restrict(user, "view")
        style(self)


class DraftForm(forms.Form):
    """A new outgoing or internal draft, or a new version of one."""

    organization = forms.ModelChoiceField(label=_("Issued by"), queryset=None)
    direction = forms.ChoiceField(
        label=_("Register"),
        choices=[
            (Direction.OUTGOING, _("Outgoing")),
            (Direction.INTERNAL, _("Internal")),
        ],
    )
    doc_type = forms.ModelChoiceField(label=_("Document type"), queryset=None)
    excerpt = forms.CharField(
        label=_("Excerpt"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    body = forms.CharField(
        label=_("Body"), required=False, widget=forms.Textarea(attrs={"rows": 10})
    )
    urgency = forms.TypedChoiceField(
        label=_("Urgency"), coerce=int, choices=Urgency.choices, initial=0
    )
    secrecy = forms.TypedChoiceField(label=_("Secrecy"), coerce=int, initial=0)
    due_date = forms.DateField(
        label=_("Deadline for recipients"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, user, document=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = permissions.organizations_with(
            user, "documents.add_document"
        )
        self.fields["doc_type"].queryset = DocumentType.objects.filter(is_active=True)
        self.fields["secrecy"].choices = _clearance_choices(user)
        if document is not None:
            for name in ("organization", "direction", "doc_type"):
                del self.fields[name]
        style(self)


class PresentForm(forms.Form):
    leader = forms.ModelChoiceField(label=_("Leader"), queryset=None)

    def __init__(self, *args, user, document, **kwargs):
        super().__init__(*args, **kwargs)
        from hoso.accounts.models import Position

        leaders = Position.objects.current().filter(
            organization=document.organization,
            role__code__in=["secretary", "deputy_secretary", "standing_member"],
        )
        self.fields["leader"].queryset = Person.objects.filter(
            pk__in=leaders.values("person_id")
        )
        style(self)


class InstructForm(forms.Form):
    """The leader's instruction (the six clears start here: who, by when)."""

    lead_person = forms.ModelChoiceField(
        label=_("Lead (person)"), queryset=None, required=False
    )
    lead_organization = forms.ModelChoiceField(
        label=_("Lead (organization)"), queryset=None, required=False
    )
    coordinators = forms.ModelMultipleChoiceField(
        label=_("Coordinate"), queryset=None, required=False
    )
    informed = forms.ModelMultipleChoiceField(
        label=_("For information"), queryset=None, required=False
    )
    deadline = forms.DateField(
        label=_("Deadline"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(
        label=_("Instruction"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user, document, **kwargs):
        super().__init__(*args, **kwargs)
        people = (
            Person.objects.restrict(user, "view")
            .filter(
                positions__organization__path__startswith=document.organization.path
            )
            .distinct()
        )
        self.fields["lead_person"].queryset = people
        self.fields["coordinators"].queryset = people
        self.fields["informed"].queryset = people
        self.fields["lead_organization"].queryset = Organization.objects.restrict(
            user, "view"
        ).filter(path__startswith=document.organization.path)
        style(self)

    def clean(self):
        data = super().clean()
        if bool(data.get("lead_person")) == bool(data.get("lead_organization")):
            raise forms.ValidationError(
                _("Name exactly one lead: a person or an organization.")
            )
        return data

    def assignments(self) -> list[dict]:
        data = self.cleaned_data
        items = [
            {
                "role": "lead",
                "person": data.get("lead_person"),
                "organization": data.get("lead_organization"),
            }
        ]
        items += [{"role": "coordinate", "person": p} for p in data["coordinators"]]
        items += [{"role": "inform", "person": p} for p in data["informed"]]
        return items


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        kwargs.pop("user", None)
        kwargs.pop("document", None)
        super().__init__(*args, **kwargs)
        style(self)


class CompleteForm(forms.Form):
    note = forms.CharField(
        label=_("Result"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        kwargs.pop("user", None)
        kwargs.pop("document", None)
        super().__init__(*args, **kwargs)
        style(self)


class OpinionsForm(forms.Form):
    people = forms.ModelMultipleChoiceField(label=_("Ask"), queryset=None)

    def __init__(self, *args, user, document, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = Person.objects.restrict(user, "view")
        style(self)


class OpinionForm(forms.Form):
    text = forms.CharField(
        label=_("Your opinion"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        kwargs.pop("user", None)
        kwargs.pop("document", None)
        super().__init__(*args, **kwargs)
        style(self)


class SignForm(forms.Form):
    """Signing asks the signer to authenticate again."""

    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    otp_token = forms.CharField(
        label=_("Code from your authenticator app"),
        required=False,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
    )

    def __init__(self, *args, **kwargs):
        kwargs.pop("user", None)
        kwargs.pop("document", None)
        super().__init__(*args, **kwargs)
        style(self)


class IssueForm(forms.Form):
    signer_authority = forms.ChoiceField(
        label=_("Signing authority"),
        required=False,
        choices=[
            ("", "—"),
            ("T/M", "T/M"),
            ("K/T", "K/T"),
            ("T/L", "T/L"),
            ("Q.", "Q."),
        ],
    )
    signer_position = forms.CharField(label=_("Signer's position"), max_length=150)
    signer_name = forms.CharField(label=_("Signer"), max_length=150)
    recipients = forms.ModelMultipleChoiceField(
        label=_("Send to (on this system)"), queryset=None, required=False
    )
    recipients_text = forms.CharField(
        label=_("Recipients (Nơi nhận)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    page_count = forms.IntegerField(label=_("Pages"), min_value=0, required=False)

    def __init__(self, *args, user, document, **kwargs):
        from hoso.documents.policy import dispatch_targets

        super().__init__(*args, **kwargs)
        self.fields["recipients"].queryset = dispatch_targets(document.organization)
        self.fields["recipients"].widget.attrs["size"] = 8
        style(self)


class CaseFileForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("Organization"), queryset=None)
    year = forms.IntegerField(label=_("Year"), min_value=1945, max_value=2100)
    code = forms.CharField(label=_("File code"), max_length=50)
    title = forms.CharField(label=_("Title"), max_length=500)
    retention_years = forms.IntegerField(
        label=_("Retention (years)"),
        min_value=0,
        max_value=100,
        initial=0,
        help_text=_("0 means permanent."),
    )

    def __init__(self, *args, user, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = permissions.organizations_with(
            user, "documents.add_casefile"
        )
        style(self)


class FileDocumentsForm(forms.Form):
    documents = forms.ModelMultipleChoiceField(
        label=_("Documents to file"), queryset=None
    )

    def __init__(self, *args, user, case_file, **kwargs):
        from hoso.documents.models import Document

        super().__init__(*args, **kwargs)
        self.fields["documents"].queryset = (
            Document.objects.restrict(user, "view")
            .filter(organization=case_file.organization)
            .filter(register_year=case_file.year)
            .exclude(case_files=case_file)
            .order_by("-created")
        )
        self.fields["documents"].widget.attrs["size"] = 10
        style(self)
