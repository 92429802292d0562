"""Organization forms; choice fields are restricted to the user's scope."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hoso.organizations.models import Organization


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = [
            "parent",
            "level",
            "kind",
            "code",
            "name",
            "abbreviation",
            "valid_from",
            "valid_to",
            "successor",
            "document_style",
        ]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_to": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Organization.objects.restrict(
            user, "add"
        ).exclude(level="cell")
        self.fields["parent"].required = not user.is_superuser
        self.fields["successor"].queryset = Organization.objects.restrict(user, "view")
        if self.instance.pk:
            self.fields["parent"].queryset = self.fields["parent"].queryset.exclude(
                path__startswith=self.instance.path
            )
        for field in self.fields.values():
            css = (
                "form-select"
                if isinstance(field.widget, forms.Select)
                else "form-control"
            )
            field.widget.attrs.setdefault("class", css)
        self.fields["parent"].empty_label = _("— none (a new root) —")

    def _post_clean(self):
        # Model validation runs in the service (full_clean there), where the
        # path is known; here we only collect the typed values.
        pass


class RestructureForm(forms.Form):
    """Merge an organization into another, or dissolve it with a successor.

    The successor is chosen among the organizations the user may change,
    still current, outside the organization's own subtree.
    """

    action = forms.ChoiceField(
        label=_("Restructuring"),
        choices=[
            ("merge", _("Merge into another organization of the same level")),
            ("dissolve", _("Dissolve, handing the records over to a successor")),
        ],
        initial="merge",
        widget=forms.RadioSelect,
    )
    target = forms.ModelChoiceField(
        label=_("Successor organization"), queryset=Organization.objects.none()
    )
    effective_date = forms.DateField(
        label=_("Effective date"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )

    def __init__(self, *args, user, instance, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = (
            Organization.objects.restrict(user, "change")
            .filter(valid_to__isnull=True, successor__isnull=True)
            .exclude(path__startswith=instance.path)
            .order_by("path")
        )
        self.fields["target"].widget.attrs["class"] = "form-select"
