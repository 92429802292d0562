"""Pages of the scan intake: batches and their progress, upload, the review
queue and the review form, file downloads, and the labelled-data export."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.encoding import iri_to_uri
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from hoso.core import audit, permissions
from hoso.core.views import ObjectListView
from hoso.digitization import forms, services
from hoso.digitization.choices import RecordStatus
from hoso.digitization.filtersets import IntakeRecordFilterSet, ScanBatchFilterSet
from hoso.digitization.models import IntakeRecord, ScanBatch, ScanItem
from hoso.digitization.tables import IntakeRecordTable, ScanBatchTable
from hoso.documents.models import Document

# Preview images are rendered at this resolution (dpi).
PREVIEW_DPI = 110


class ScanBatchListView(ObjectListView):
    """Every batch the user may see, newest first."""

    model = ScanBatch
    table_class = ScanBatchTable
    filterset_class = ScanBatchFilterSet
    title = gettext_lazy("Scan intake")
    template_name = "digitization/batch_list.html"

    def get_queryset(self):
        return super().get_queryset().select_related("organization")

    def get_add_url(self):
        if permissions.has_permission(self.request.user, "digitization.add_scanbatch"):
            return reverse("digitization:upload")
        return None


class ReviewQueueView(ObjectListView):
    """The review queue: records waiting for the clerk (all records with a
    status filter)."""

    model = IntakeRecord
    table_class = IntakeRecordTable
    filterset_class = IntakeRecordFilterSet
    title = gettext_lazy("Review queue")
    template_name = "digitization/review_queue.html"

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        if not self.request.GET:
            # Waiting records by default; the filter shows the others.
            kwargs["data"] = {"status": RecordStatus.PENDING}
        return kwargs

    def get_queryset(self):
        return super().get_queryset().select_related("organization", "item")


@login_required
def upload(request):
    """Upload scans (several files, or ZIP archives) as one batch."""
    from hoso.accounts.services import current_position

    if not permissions.has_permission(request.user, "digitization.add_scanbatch"):
        raise Http404
    initial = {}
    position = current_position(request)
    if position is not None:
        initial["organization"] = position.organization_id
    form = forms.UploadForm(
        request.POST or None, request.FILES or None, user=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = services.create_batch(
                data["organization"],
                data["files"],
                acting_user=request.user,
                name=data["name"],
                secrecy=data["secrecy"],
            )
        except ValidationError as exc:
            _form_errors(exc, form)
        except PermissionDenied:
            form.add_error(None, _("You may not do this here."))
        else:
            messages.success(
                request,
                _("%(count)s files received; reading them now.")
                % {"count": batch.item_count},
            )
            return redirect(batch.get_absolute_url())
    return render(
        request,
        "digitization/upload.html",
        {"form": form, "title": _("Upload scans")},
    )


def _form_errors(exc: ValidationError, form) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error("files" if "files" in form.fields else None, exc.messages)


def _batch(request, pk, action="view") -> ScanBatch:
    return get_object_or_404(
        ScanBatch.objects.restrict(request.user, action).select_related(
            "organization", "created_by"
        ),
        pk=pk,
    )


@login_required
def batch_detail(request, pk):
    """A batch with one progress bar per file. While it runs, htmx polls
    the progress fragment every 2 s; the finished fragment stops polling."""
    batch = _batch(request, pk)
    items = (
        ScanItem.objects.restrict(request.user, "view")
        .filter(batch=batch)
        .select_related("record")
    )
    context = {
        "batch": batch,
        "items": items,
        "title": str(batch),
        "can_retry": permissions.has_permission(
            request.user, "digitization.change_scanitem", batch.organization
        ),
    }
    if request.htmx:
        return render(request, "digitization/_batch_progress.html", context)
    return render(request, "digitization/batch_detail.html", context)


@login_required
@require_POST
def item_retry(request, pk):
    """Process a failed file again."""
    item = get_object_or_404(ScanItem.objects.restrict(request.user, "view"), pk=pk)
    try:
        services.retry_item(item, acting_user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except (PermissionDenied, ScanItem.DoesNotExist):
        messages.error(request, _("You may not do this here."))
    else:
        messages.success(request, _("The file is queued again."))
    return redirect("digitization:batch", pk=item.batch_id)


@login_required
@require_POST
def batch_retry(request, pk):
    """Process every failed file of a batch again."""
    batch = _batch(request, pk)
    count = services.retry_batch(batch, acting_user=request.user)
    messages.success(request, _("%(count)s files are queued again.") % {"count": count})
    return redirect(batch.get_absolute_url())


def _disposition(kind: str, name: str) -> str:
    ascii_name = name.encode("ascii", "ignore").decode().replace('"', "") or "file"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{iri_to_uri(name)}"


def _audit_read(item: ScanItem, user, action: str, **changes) -> None:
    """Reads of classified scans are audited, like classified documents."""
    if item.secrecy > 0:
        audit.record(
            action,
            obj=item,
            actor=user,
            organization=item.batch.organization,
            changes={key: [None, value] for key, value in changes.items()},
        )


@login_required
def item_file(request, pk, which):
    """The original scan or the searchable PDF/A of a file (a download;
    PDFs and images may be shown inline)."""
    from hoso.documents import storage

    item = get_object_or_404(
        ScanItem.objects.restrict(request.user, "view").select_related(
            "original", "searchable", "batch__organization"
        ),
        pk=pk,
    )
    if which == "original":
        stored, name = item.original, item.original_name
    elif which == "searchable" and item.searchable is not None:
        stored, name = item.searchable, services.searchable_name(item)
    else:
        raise Http404
    inline = request.GET.get("inline") == "1" and stored.content_type in (
        storage.PDF,
        storage.PNG,
        storage.JPEG,
    )
    if item.secrecy > 0:
        _audit_read(item, request.user, "digitization.file_downloaded", file=name)
        response = HttpResponse(
            storage.read_file(stored), content_type=stored.content_type
        )
    else:
        response = FileResponse(
            storage.open_for_download(stored), content_type=stored.content_type
        )
    response["Content-Disposition"] = _disposition(
        "inline" if inline else "attachment", name
    )
    response["X-Content-Type-Options"] = "nosniff"
    if not (inline and stored.content_type == storage.PDF):
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def item_preview(request, pk):
    """A page of a scanned file as a PNG for the review page (rendered from
    the searchable PDF, or from the original)."""
    from hoso.documents import storage

    item = get_object_or_404(
        ScanItem.objects.restrict(request.user, "view").select_related(
            "original", "searchable", "batch__organization"
        ),
        pk=pk,
    )
    try:
        page = max(1, min(int(request.GET.get("page", 1)), max(item.pages, 1)))
    except ValueError:
        page = 1
    stored = item.searchable or item.original
    data = storage.read_file(stored)
    png = _render_page(data, stored.content_type, page)
    if png is None:
        raise Http404
    _audit_read(item, request.user, "digitization.preview_viewed", page=page)
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _render_page(data: bytes, content_type: str, page: int) -> bytes | None:
    import io

    from PIL import Image

    from hoso.documents import storage

    try:
        if content_type == storage.PDF:
            import pypdfium2

            document = pypdfium2.PdfDocument(data)
            try:
                if page > len(document):
                    return None
                image = document[page - 1].render(scale=PREVIEW_DPI / 72).to_pil()
            finally:
                document.close()
        else:
            with Image.open(io.BytesIO(data)) as source:
                source.seek(min(page - 1, getattr(source, "n_frames", 1) - 1))
                image = source.convert("RGB")
                image.thumbnail((1400, 1980))
    except Exception:  # noqa: BLE001 - an unreadable page has no preview
        return None
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


def _record(request, pk, action="view") -> IntakeRecord:
    return get_object_or_404(
        IntakeRecord.objects.restrict(request.user, action).select_related(
            "organization",
            "item__batch",
            "item__searchable",
            "suggested_case_file",
            "case_file",
            "document",
            "reviewer",
        ),
        pk=pk,
    )


@login_required
def record_review(request, pk):
    """The review form: the page and its OCR text beside the extracted
    fields; confirming registers the incoming document."""
    record = _record(request, pk)
    can_review = (
        record.is_pending
        and IntakeRecord.objects.restrict(request.user, "change")
        .filter(pk=record.pk)
        .exists()
    )
    form = None
    if can_review:
        form = forms.ReviewForm(request.POST or None, user=request.user, record=record)
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                document = services.confirm_record(
                    record,
                    acting_user=request.user,
                    fields=form.metadata(),
                    case_file=form.cleaned_data.get("case_file"),
                )
            except ValidationError as exc:
                _form_errors(exc, form)
            except (PermissionDenied, Document.DoesNotExist):
                form.add_error(None, _("You may not do this here."))
            else:
                messages.success(
                    request,
                    _("Registered with arrival number %(number)s.")
                    % {"number": document.arrival_number or "—"},
                )
                following = services.pending_records(request.user).order_by("created")
                if following.exists():
                    return redirect(following.first().get_absolute_url())
                return redirect(document.get_absolute_url())
    item = record.item
    _audit_read(item, request.user, "digitization.record_viewed")
    return render(
        request,
        "digitization/record_review.html",
        {
            "record": record,
            "item": item,
            "form": form,
            "reject_form": forms.RejectForm() if can_review else None,
            "pages": range(1, (item.pages or 1) + 1),
            "title": _("Review: %(name)s") % {"name": item.original_name},
            "extracted": sorted(record.extracted.items()),
        },
    )


@login_required
@require_POST
def record_reject(request, pk):
    record = _record(request, pk)
    form = forms.RejectForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.reject_record(record, acting_user=request.user, reason=reason)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(record.get_absolute_url())
    except (PermissionDenied, IntakeRecord.DoesNotExist):
        raise Http404 from None
    messages.success(request, _("Taken out of the review queue."))
    return redirect("digitization:review")


@login_required
def labels_export(request):
    """The labelled data: one JSON object per line for every confirmed
    record the user may see (OCR text, extracted and confirmed fields)."""
    if not permissions.has_permission(request.user, "digitization.view_intakerecord"):
        raise Http404
    audit.record(
        "digitization.labels_exported",
        actor=request.user,
        object_type="digitization.intakerecord",
        object_repr="labels.jsonl",
    )
    lines = (
        json.dumps(entry, ensure_ascii=False) + "\n"
        for entry in services.labelled_records(request.user)
    )
    response = StreamingHttpResponse(lines, content_type="application/x-ndjson")
    response["Content-Disposition"] = 'attachment; filename="labels.jsonl"'
    response["Cache-Control"] = "private, no-store"
    return response
