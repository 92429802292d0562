"""Handbook forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from hoso.core import permissions
from hoso.documents.forms import style
from hoso.handbook.choices import LibraryCategory
from hoso.handbook.models import LibraryEntry

DOCUMENT_CHOICES = 200


class PublishForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Publish to the members of"), queryset=None
    )
    document = forms.ModelChoiceField(label=_("Document"), queryset=None)
    category = forms.ChoiceField(label=_("Category"), choices=LibraryCategory.choices)
    title = forms.CharField(label=_("Title"), max_length=500, required=False)
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user, **kwargs):
        from hoso.documents.models import Document

        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = permissions.organizations_with(
            user, "handbook.add_libraryentry"
        ).order_by("path")
        visible = (
            Document.objects.restrict(user, "view")
            .filter(secrecy=0)
            .order_by("-created")
        )
        self.fields["document"].queryset = visible
        self.fields["document"].widget.choices = [("", "---------")] + [
            (d.pk, f"{d.symbol or '—'} · {d.excerpt[:80]}")
            for d in visible.only("pk", "symbol", "excerpt")[:DOCUMENT_CHOICES]
        ]
        style(self)


class StudyForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("For the members of"), queryset=None)
    entry = forms.ModelChoiceField(label=_("Resolution to read"), queryset=None)
    title = forms.CharField(label=_("Title"), max_length=255)
    instructions = forms.CharField(
        label=_("Instructions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    due_date = forms.DateField(
        label=_("Due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    questions = forms.CharField(
        label=_("Quiz (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One question per line: Question? | option | *right option | option"
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = permissions.organizations_with(
            user, "handbook.add_studysession"
        ).order_by("path")
        self.fields["entry"].queryset = LibraryEntry.objects.restrict(user, "view")
        style(self)


class FeedbackForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("To"), queryset=None)
    subject = forms.CharField(label=_("Subject"), max_length=255)
    body = forms.CharField(
        label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, user, **kwargs):
        from hoso.handbook.services import feedback_committees

        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = feedback_committees(user)
        style(self)
