"""Filters of the scan intake and the review queue (UI and API alike)."""

import django_filters
from django.utils.translation import gettext_lazy as _
from ninja import FilterSchema

from hoso.digitization.choices import BatchStatus, RecordStatus
from hoso.digitization.models import IntakeRecord, ScanBatch


class ScanBatchFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=BatchStatus.choices)
    name = django_filters.CharFilter(label=_("Batch"), lookup_expr="icontains")

    class Meta:
        model = ScanBatch
        fields = ["status", "name"]


class IntakeRecordFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=RecordStatus.choices
    )
    file = django_filters.CharFilter(
        label=_("File"), field_name="item__original_name", lookup_expr="icontains"
    )
    batch = django_filters.NumberFilter(label=_("Batch"), field_name="item__batch")

    class Meta:
        model = IntakeRecord
        fields = ["status", "file", "batch"]


class ScanBatchFilterIn(FilterSchema):
    status: BatchStatus | None = None
    organization: int | None = None


class IntakeRecordFilterIn(FilterSchema):
    status: RecordStatus | None = None
    organization: int | None = None
    batch: int | None = None

    def filter_batch(self, value):
        from django.db.models import Q

        return Q(item__batch_id=value) if value else Q()
