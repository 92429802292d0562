"""Forms of the meetings pages; choice fields follow the user's scope."""

from django import forms
from django.utils.translation import gettext_lazy as _

from hoso.accounts.models import Person
from hoso.core import permissions
from hoso.documents.forms import style
from hoso.meetings.choices import Attendance, Majority, MeetingKind, VoteKind

DATETIME = {"type": "datetime-local"}
# How many of the newest visible documents the attach form offers.
DOCUMENT_CHOICES = 200


class MeetingForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("Organization"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("Title"), max_length=255)
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=forms.DateTimeInput(attrs=DATETIME)
    )
    ends_at = forms.DateTimeField(
        label=_("Ends at"), widget=forms.DateTimeInput(attrs=DATETIME)
    )
    location = forms.CharField(label=_("Location"), max_length=255, required=False)
    chair = forms.ModelChoiceField(label=_("Chair"), queryset=None, required=False)
    online = forms.BooleanField(
        label=_("Online conference with bridges"), required=False
    )

    def __init__(self, *args, user, **kwargs):
        kwargs.pop("instance", None)
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = permissions.organizations_with(
            user, "meetings.add_meeting"
        ).order_by("path")
        self.fields["chair"].queryset = Person.objects.restrict(user, "view")
        style(self)


class SeriesForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("Organization"), queryset=None)
    title = forms.CharField(label=_("Title"), max_length=200)
    day_of_month = forms.IntegerField(
        label=_("Day of the month"), min_value=1, max_value=31
    )
    start_time = forms.TimeField(
        label=_("Start time"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=15, max_value=600, initial=120
    )
    first_month = forms.DateField(
        label=_("First month"), widget=forms.DateInput(attrs={"type": "date"})
    )
    months = forms.IntegerField(
        label=_("Months to generate"), min_value=1, max_value=24, initial=12
    )
    location = forms.CharField(label=_("Location"), max_length=255, required=False)

    def __init__(self, *args, user, **kwargs):
        kwargs.pop("instance", None)
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = permissions.organizations_with(
            user, "meetings.add_meeting"
        ).order_by("path")
        style(self)


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Agenda item"), max_length=255)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class AttachDocumentForm(forms.Form):
    document = forms.ModelChoiceField(label=_("Document"), queryset=None)

    def __init__(self, *args, user, **kwargs):
        from hoso.documents.models import Document

        super().__init__(*args, **kwargs)
        visible = Document.objects.restrict(user, "view").order_by("-created")
        self.fields["document"].queryset = visible
        # Validation accepts any visible document; the list offers the newest.
        self.fields["document"].widget.choices = [("", "---------")] + [
            (d.pk, f"{d.symbol or '—'} · {d.excerpt[:80]}")
            for d in visible.only("pk", "symbol", "excerpt")[:DOCUMENT_CHOICES]
        ]
        style(self)


class AttendanceForm(forms.Form):
    attendance = forms.ChoiceField(label=_("Attendance"), choices=Attendance.choices)
    reason = forms.CharField(
        label=_("Reason for absence"), max_length=500, required=False
    )


class VoteForm(forms.Form):
    question = forms.CharField(label=_("Question"), max_length=500)
    kind = forms.ChoiceField(label=_("Kind"), choices=VoteKind.choices)
    secret = forms.BooleanField(label=_("Secret ballot"), required=False)
    options = forms.CharField(
        label=_("Options (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    seats = forms.IntegerField(label=_("How many to choose"), min_value=1, initial=1)
    quorum_percent = forms.IntegerField(
        label=_("Quorum (percentage of eligible voters)"),
        min_value=0,
        max_value=100,
        initial=50,
    )
    majority = forms.ChoiceField(
        label=_("Majority needed"),
        choices=Majority.choices,
        initial=Majority.HALF_OF_CAST,
    )
    item = forms.ModelChoiceField(label=_("Agenda item"), queryset=None, required=False)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = meeting.agenda_items.all()
        style(self)


class ConclusionForm(forms.Form):
    title = forms.CharField(label=_("Work (clear work)"), max_length=255)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    lead = forms.ModelChoiceField(label=_("Lead (clear person)"), queryset=None)
    coordinators = forms.ModelMultipleChoiceField(
        label=_("Coordinators (clear responsibility)"), queryset=None
    )
    deadline = forms.DateField(
        label=_("Deadline (clear time)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    product = forms.CharField(
        label=_("Expected product (clear product)"), max_length=255
    )
    authority = forms.ModelChoiceField(
        label=_("Accepted by (clear authority)"), queryset=None
    )
    item = forms.ModelChoiceField(label=_("Agenda item"), queryset=None, required=False)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        people = Person.objects.filter(meeting_participations__meeting=meeting)
        for name in ("lead", "coordinators", "authority"):
            self.fields[name].queryset = people
        self.fields["item"].queryset = meeting.agenda_items.all()
        style(self)


class BridgesForm(forms.Form):
    organizations = forms.ModelMultipleChoiceField(
        label=_("Participating organizations"), queryset=None
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizations"].queryset = permissions.organizations_with(
            user, "meetings.view_meeting"
        ).order_by("path")
        style(self)


class MinutesForm(forms.Form):
    text = forms.CharField(
        label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 24})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)
