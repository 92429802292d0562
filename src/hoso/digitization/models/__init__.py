from hoso.digitization.models.batches import ScanBatch, ScanItem
from hoso.digitization.models.records import IntakeRecord

__all__ = ["IntakeRecord", "ScanBatch", "ScanItem"]
