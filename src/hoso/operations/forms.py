"""Forms of the operations centre; choice fields are restricted to the
user's scope. Validation of the six clears lives in the service, so the
form, the API and other apps' calls give the same errors."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hoso.accounts.models import Person
from hoso.core import permissions
from hoso.operations.models import Indicator, Task


def bootstrap(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several evidence files at once."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


def people_in_scope(user):
    """People the user may name on a task (their organizations' people)."""
    return Person.objects.restrict(user, "view").order_by("full_name")


class TaskForm(forms.Form):
    """The six clears, the organization and the source."""

    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    organization = forms.ModelChoiceField(
        label=_("Responsible organization"), queryset=None, required=False
    )
    lead = forms.ModelChoiceField(
        label=_("Lead person (clear person)"), queryset=None, required=False
    )
    description = forms.CharField(
        label=_("Work to do (clear work)"), widget=forms.Textarea, required=False
    )
    deadline = forms.DateField(
        label=_("Deadline (clear time)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    coordinators = forms.ModelMultipleChoiceField(
        label=_("Coordinators (clear responsibility)"), queryset=None, required=False
    )
    product = forms.CharField(
        label=_("Expected product (clear product)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    authority = forms.ModelChoiceField(
        label=_("Accepting authority (clear authority)"),
        queryset=None,
        required=False,
    )
    source_document = forms.ModelChoiceField(
        label=_("Source document"), queryset=None, required=False
    )

    def __init__(self, *args, user, parent: Task | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        from hoso.documents.models import Document
        from hoso.organizations.models import Organization

        self.parent = parent
        if parent is not None:
            organizations = Organization.objects.subtree(parent.organization.path)
        else:
            organizations = permissions.organizations_with(user, "operations.add_task")
        self.fields["organization"].queryset = organizations.order_by("path")
        people = people_in_scope(user)
        if parent is not None:
            # The lead of a task may name people of the organizations below.
            from hoso.accounts.models import Position

            below = Position.objects.current().filter(
                organization__path__startswith=parent.organization.path
            )
            people = (
                people | Person.objects.filter(pk__in=below.values("person_id"))
            ).distinct()
        for name in ("lead", "authority", "coordinators"):
            self.fields[name].queryset = people
        self.fields["source_document"].queryset = Document.objects.restrict(
            user, "view"
        )
        self.fields["source_document"].widget = forms.NumberInput()
        self.fields["source_document"].help_text = _("The document's number in Hoso.")
        bootstrap(self)


class ProgressForm(forms.Form):
    text = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3})
    )
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    files = MultipleFileField(label=_("Evidence files"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class SubmitForm(forms.Form):
    text = forms.CharField(label=_("Result"), widget=forms.Textarea(attrs={"rows": 3}))
    files = MultipleFileField(label=_("Product files"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class ExtensionForm(forms.Form):
    new_deadline = forms.DateField(
        label=_("New deadline"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "description",
            "unit",
            "direction",
            "target",
            "target_date",
            "green_from",
            "yellow_from",
            "rule",
            "rollup_green_from",
            "rollup_yellow_from",
            "period_kind",
            "measured_level",
            "computed",
            "active",
            "order",
        ]
        widgets = {"target_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from hoso.operations.indicators import computed_choices

        self.fields["computed"] = forms.ChoiceField(
            label=_("Computed from"), choices=computed_choices(), required=False
        )
        bootstrap(self)


class IndicatorValueForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("Organization"), queryset=None)
    period_start = forms.DateField(
        label=_("A day in the period"), widget=forms.DateInput(attrs={"type": "date"})
    )
    value = forms.FloatField(label=_("Value"))
    weight = forms.FloatField(label=_("Weight"), initial=1, min_value=0)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = permissions.organizations_with(
            user, "operations.add_indicatorvalue"
        ).order_by("path")
        bootstrap(self)


class ReportFormForm(forms.Form):
    """A report form's heading; its fields come in `ReportFieldFormSet`."""

    organization = forms.ModelChoiceField(label=_("Defined by"), queryset=None)
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    description = forms.CharField(
        label=_("Instructions"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    target_level = forms.ChoiceField(label=_("For level"), required=False)
    target_organizations = forms.ModelMultipleChoiceField(
        label=_("Or for organizations"), queryset=None, required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from hoso.organizations.choices import Level

        orgs = permissions.organizations_with(user, "operations.add_reportform")
        self.fields["organization"].queryset = orgs.order_by("path")
        self.fields["target_organizations"].queryset = orgs.order_by("path")
        self.fields["target_level"].choices = [("", "—"), *Level.choices]
        bootstrap(self)


class ReportFieldForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=50, required=False)
    label = forms.CharField(label=_("Label"), max_length=300, required=False)
    kind = forms.ChoiceField(label=_("Type"), required=False)
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)
    min_value = forms.FloatField(label=_("Minimum"), required=False)
    max_value = forms.FloatField(label=_("Maximum"), required=False)
    aggregate = forms.ChoiceField(label=_("Aggregate up by"), required=False)
    indicator = forms.ModelChoiceField(
        label=_("Feeds indicator"), queryset=Indicator.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from hoso.operations.choices import FieldAggregate, FieldKind

        self.fields["kind"].choices = [("", "—"), *FieldKind.choices]
        self.fields["aggregate"].choices = FieldAggregate.choices
        self.fields["indicator"].queryset = Indicator.objects.filter(
            active=True, computed=""
        )
        bootstrap(self)


ReportFieldFormSet = forms.formset_factory(ReportFieldForm, extra=5)


class OpenRoundForm(forms.Form):
    period_start = forms.DateField(
        label=_("Period from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        label=_("Period to"), widget=forms.DateInput(attrs={"type": "date"})
    )
    due_date = forms.DateField(
        label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


def answers_form(report_form, data=None, initial=None, disabled=False) -> forms.Form:
    """A Django form built from a report form's typed fields (the service
    validates again, so the API gives the same errors)."""
    from hoso.operations.choices import FieldKind

    form = forms.Form(data=data, initial=initial or {})
    for field in report_form.fields.all():
        if field.kind == FieldKind.TEXT:
            django_field = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
        elif field.kind == FieldKind.DATE:
            django_field = forms.CharField(
                widget=forms.DateInput(attrs={"type": "date"})
            )
        elif field.kind == FieldKind.BOOLEAN:
            django_field = forms.ChoiceField(
                choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))]
            )
        else:
            attrs = {"step": "1" if field.kind == FieldKind.INTEGER else "any"}
            if field.min_value is not None:
                attrs["min"] = f"{field.min_value:g}"
            if field.max_value is not None:
                attrs["max"] = f"{field.max_value:g}"
            django_field = forms.CharField(widget=forms.NumberInput(attrs=attrs))
        django_field.required = False
        django_field.label = field.label + (" *" if field.required else "")
        django_field.disabled = disabled
        form.fields[field.code] = django_field
    bootstrap(form)
    return form
