from hoso.archive.models.dedup import (
    DocumentFingerprint,
    DuplicateFlag,
    FingerprintBand,
)
from hoso.archive.models.handover import HandoverPackage

__all__ = [
    "DocumentFingerprint",
    "DuplicateFlag",
    "FingerprintBand",
    "HandoverPackage",
]
