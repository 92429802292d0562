from hoso.core.models.audit import AuditAlert, AuditEntry
from hoso.core.models.base import BaseModel

__all__ = ["AuditAlert", "AuditEntry", "BaseModel"]
