from hoso.documents.models.document import (
    Assignment,
    Attachment,
    Document,
    DocumentEvent,
    DraftVersion,
    Opinion,
    Recipient,
)
from hoso.documents.models.files import StoredFile
from hoso.documents.models.registers import (
    CaseFile,
    DocumentType,
    NumberSequence,
    ReservedNumber,
    Term,
)

__all__ = [
    "Assignment",
    "Attachment",
    "CaseFile",
    "Document",
    "DocumentEvent",
    "DocumentType",
    "DraftVersion",
    "NumberSequence",
    "Opinion",
    "Recipient",
    "ReservedNumber",
    "StoredFile",
    "Term",
]
