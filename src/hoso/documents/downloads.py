"""Serving document files safely, and auditing reads of classified material."""

from __future__ import annotations

from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.encoding import iri_to_uri

from hoso.core import audit
from hoso.documents.models import Attachment, Document

# Types a browser may show inline; anything else is always a download.
INLINE_TYPES = {"application/pdf", "image/png", "image/jpeg"}


def audit_classified_read(document: Document, user, action: str, **changes) -> None:
    """Every view and download of classified material is audited."""
    if document.secrecy > 0:
        audit.record(
            action,
            obj=document,
            actor=user,
            changes={key: [None, value] for key, value in changes.items()},
        )


def watermark_text(user, document: Document) -> str:
    """Who downloaded it and when, with the secrecy mark."""
    person = getattr(user, "person", None)
    name = person.full_name if person else user.get_username()
    now = timezone.localtime().isoformat(timespec="minutes")
    return f"{name} · {now} · {document.get_secrecy_display()}"


def _content_disposition(kind: str, name: str) -> str:
    ascii_name = name.encode("ascii", "ignore").decode() or "file"
    ascii_name = ascii_name.replace('"', "")
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{iri_to_uri(name)}"


def file_response(
    document: Document, attachment: Attachment, user, *, inline: bool = False
) -> HttpResponse:
    """The file as an HTTP response.

    Plain files stream from storage; classified files are decrypted in memory
    and PDFs among them are watermarked with the viewer's name and the time
    (a derived copy: the stored original is never rewritten). Only PDFs and
    images may be shown inline, with a sandboxing CSP; everything else is an
    attachment, never rendered.
    """
    from hoso.documents import storage, watermark

    stored = attachment.stored_file
    content_type = stored.content_type
    disposition = "inline" if inline and content_type in INLINE_TYPES else "attachment"
    if document.secrecy > 0:
        data = storage.read_file(stored)
        if content_type == "application/pdf":
            data = watermark.watermark_pdf(data, watermark_text(user, document))
        audit_classified_read(
            document, user, "documents.downloaded", file=attachment.name
        )
        response = HttpResponse(data, content_type=content_type)
    else:
        response = FileResponse(
            storage.open_for_download(stored), content_type=content_type
        )
    response["Content-Disposition"] = _content_disposition(disposition, attachment.name)
    response["X-Content-Type-Options"] = "nosniff"
    if not (disposition == "inline" and content_type == "application/pdf"):
        # Browsers' PDF viewers refuse to run in a sandboxed document; every
        # other response is locked down completely.
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
