"""Forms of the scan intake and the review queue; choices follow the
user's scope and clearance."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hoso.core import permissions
from hoso.core.choices import Secrecy
from hoso.digitization import services
from hoso.documents.choices import Urgency
from hoso.documents.forms import MultipleFileField, style
from hoso.documents.models import CaseFile, DocumentType


def _clearance_choices(user):
    limit = 3 if user.is_superuser else permissions.clearance_of(user)
    return [(value, label) for value, label in Secrecy.choices if value <= limit]


class UploadForm(forms.Form):
    """Scanned files (several at once, or ZIP archives) for one organization."""

    organization = forms.ModelChoiceField(label=_("Organization"), queryset=None)
    name = forms.CharField(
        label=_("Batch name"),
        max_length=200,
        required=False,
        help_text=_("For example the archive box or the year the papers are from."),
    )
    secrecy = forms.TypedChoiceField(
        label=_("Secrecy"),
        coerce=int,
        initial=0,
        help_text=_("Classified batches are stored encrypted."),
    )
    files = MultipleFileField(
        label=_("Files"),
        help_text=_("PDF, TIFF, JPEG or PNG scans, or ZIP archives of them."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = permissions.organizations_with(
            user, "digitization.add_scanbatch"
        )
        self.fields["secrecy"].choices = _clearance_choices(user)
        self.fields["files"].widget.attrs["accept"] = (
            ".pdf,.tif,.tiff,.jpg,.jpeg,.png,.zip,application/pdf,image/*,"
            "application/zip"
        )
        style(self)

    def clean_files(self):
        files = self.cleaned_data.get("files") or []
        if not files:
            raise forms.ValidationError(_("Choose at least one file."))
        return files


class ReviewForm(forms.Form):
    """The clerk's check of what extraction proposed; every field editable.

    Used by the review page and by the confirm API (whose JSON fields carry
    the same names), so both validate alike.
    """

    doc_type = forms.ModelChoiceField(label=_("Document type"), queryset=None)
    symbol = forms.CharField(
        label=_("Number and symbol"), max_length=64, required=False
    )
    number = forms.IntegerField(label=_("Number"), min_value=0, required=False)
    issuer_name = forms.CharField(label=_("Issuing body"), max_length=255)
    place = forms.CharField(label=_("Place"), max_length=100, required=False)
    issued_date = forms.DateField(
        label=_("Date of the document"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
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
    case_file = forms.ModelChoiceField(
        label=_("Case file"),
        queryset=None,
        required=False,
        help_text=_("The file in the file plan this document goes into."),
    )

    def __init__(self, *args, user, record, **kwargs):
        if "initial" not in kwargs:
            kwargs["initial"] = initial_values(record)
        super().__init__(*args, **kwargs)
        self.record = record
        self.fields["doc_type"].queryset = DocumentType.objects.filter(
            is_active=True
        ).order_by("system", "name")
        self.fields["secrecy"].choices = _clearance_choices(user)
        self.fields["case_file"].queryset = CaseFile.objects.restrict(
            user, "change"
        ).filter(organization_id=record.organization_id, closed_on__isnull=True)
        style(self)

    def clean_symbol(self):
        """Canonical spelling when the symbol parses (`57-nq/tu` → `57-NQ/TU`);
        kept as typed otherwise (old documents have odd symbols)."""
        from hoso.documents.symbols import SymbolError, format_symbol, parse_symbol

        symbol = (self.cleaned_data.get("symbol") or "").strip()
        if not symbol:
            return ""
        try:
            return format_symbol(parse_symbol(symbol))
        except SymbolError:
            return symbol

    def metadata(self) -> dict:
        """The document metadata, ready for `services.confirm_record`."""
        data = dict(self.cleaned_data)
        data.pop("case_file", None)
        return data


def initial_values(record) -> dict:
    """The review form's starting values: the proposal, with the type and
    the suggested case file as objects."""
    proposed = dict(record.proposed or {})
    initial = {
        name: proposed.get(name)
        for name in services.REVIEW_FIELDS
        if proposed.get(name) not in (None, "")
    }
    doc_type = services.doc_type_from_key(proposed.get("doc_type") or "")
    if doc_type is None:
        doc_type = DocumentType.objects.filter(system="party", code="CV").first()
    initial["doc_type"] = doc_type.pk if doc_type else None
    if record.suggested_case_file_id:
        initial["case_file"] = record.suggested_case_file_id
    return initial


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)
