from hoso.operations.models.indicators import (
    Indicator,
    IndicatorOutbox,
    IndicatorResult,
    IndicatorValue,
)
from hoso.operations.models.reports import (
    ReportField,
    ReportForm,
    ReportRound,
    ReportSubmission,
)
from hoso.operations.models.tasks import (
    ExtensionRequest,
    Task,
    TaskEvent,
    TaskEvidence,
)

__all__ = [
    "ExtensionRequest",
    "Indicator",
    "IndicatorOutbox",
    "IndicatorResult",
    "IndicatorValue",
    "ReportField",
    "ReportForm",
    "ReportRound",
    "ReportSubmission",
    "Task",
    "TaskEvent",
    "TaskEvidence",
]
