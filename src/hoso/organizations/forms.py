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


class SplitForm(forms.Form):
    """Split an organization into new ones: an effective date and a fixed
    number of part slots (no JavaScript needed); a slot left without a name
    and a code is ignored. Each part picks, by checkbox, the source's current
    child organizations and members on the list it takes."""

    SLOTS = 4

    effective_date = forms.DateField(
        label=_("Effective date"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )

    def __init__(self, *args, user, instance, **kwargs):
        from hoso.organizations.restructuring import split_choices

        super().__init__(*args, **kwargs)
        # Offered as of today; the service re-reads them on the effective date.
        children, members = split_choices(instance, timezone.localdate())
        for index in range(self.SLOTS):
            number = {"number": index + 1}
            self.fields[f"part{index}-name"] = forms.CharField(
                label=_("Part %(number)s: name") % number,
                max_length=255,
                required=False,
            )
            self.fields[f"part{index}-code"] = forms.CharField(
                label=_("Part %(number)s: code") % number,
                max_length=32,
                required=False,
            )
            self.fields[f"part{index}-abbreviation"] = forms.CharField(
                label=_("Part %(number)s: abbreviation") % number,
                max_length=32,
                required=False,
            )
            for name in ("name", "code", "abbreviation"):
                self.fields[f"part{index}-{name}"].widget.attrs["class"] = (
                    "form-control"
                )
            self.fields[f"part{index}-children"] = forms.ModelMultipleChoiceField(
                label=_("Part %(number)s: organizations below") % number,
                queryset=children.order_by("path"),
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            self.fields[f"part{index}-members"] = forms.ModelMultipleChoiceField(
                label=_("Part %(number)s: members") % number,
                queryset=members.order_by("full_name", "pk"),
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    def slots(self) -> list[dict]:
        """The bound fields of each slot, for the template."""
        return [
            {
                "number": index + 1,
                **{
                    name: self[f"part{index}-{name}"]
                    for name in ("name", "code", "abbreviation", "children", "members")
                },
            }
            for index in range(self.SLOTS)
        ]

    def clean(self):
        cleaned = super().clean()
        parts = []
        for index in range(self.SLOTS):
            prefix = f"part{index}-"
            name = cleaned.get(prefix + "name", "").strip()
            code = cleaned.get(prefix + "code", "").strip()
            children = list(cleaned.get(prefix + "children") or [])
            members = list(cleaned.get(prefix + "members") or [])
            if not (name or code or children or members):
                continue  # an empty slot
            if not name:
                self.add_error(prefix + "name", _("A part needs a name."))
            if not code:
                self.add_error(prefix + "code", _("A part needs a code."))
            part = {"name": name, "code": code, "children": children}
            part["members"] = members
            abbreviation = cleaned.get(prefix + "abbreviation", "").strip()
            if abbreviation:
                # Without one, the part keeps the source's, as the API does.
                part["abbreviation"] = abbreviation
            parts.append(part)
        if len(parts) < 2:
            raise forms.ValidationError(_("A split needs at least two parts."))
        cleaned["parts"] = parts
        return cleaned
