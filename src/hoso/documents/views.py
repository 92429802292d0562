"""Pages of the documents office: registers, desks, the document page and
its workflow actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from hoso.core.views import ObjectEditView, ObjectListView
from hoso.documents import downloads, forms, policy, services
from hoso.documents.choices import Direction
from hoso.documents.filtersets import CaseFileFilterSet, DocumentFilterSet
from hoso.documents.models import CaseFile, Document
from hoso.documents.tables import CaseFileTable, DocumentTable

REGISTER_FIELDS = (
    "arrival_number",
    "symbol",
    "issued_date",
    "issuer_name",
    "excerpt",
    "urgency",
    "secrecy",
    "status",
    "due_date",
    "direction",
    "created",
)


class DocumentListView(ObjectListView):
    """One register or desk: a restricted, filtered, sortable table."""

    model = Document
    table_class = DocumentTable
    filterset_class = DocumentFilterSet
    template_name = "documents/document_list.html"
    direction: str | None = None
    desk = None

    def get_queryset(self):
        if self.desk is not None:
            qs = self.desk(self.request.user)
        else:
            qs = super().get_queryset()
        if self.direction:
            qs = qs.filter(direction=self.direction)
        # Only what the register shows (the body is never listed).
        return qs.only(*REGISTER_FIELDS).with_signature_status()

    def get_add_url(self):
        if self.direction == Direction.INCOMING or self.desk is services.inbox:
            return reverse("documents:incoming-add")
        if self.direction in (Direction.OUTGOING, Direction.INTERNAL):
            return reverse("documents:draft-add")
        return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["direction"] = self.direction
        return context


def register_view(direction, title):
    return DocumentListView.as_view(direction=direction, title=title)


def desk_view(desk, title):
    return DocumentListView.as_view(desk=desk, title=title)


def _document(request, pk, action="view") -> Document:
    return get_object_or_404(
        Document.objects.restrict(request.user, action).select_related(
            "organization", "doc_type", "presented_to", "source_recipient"
        ),
        pk=pk,
    )


ACTION_FORMS = {
    "present": forms.PresentForm,
    "instruct": forms.InstructForm,
    "return": forms.ReasonForm,
    "refuse": forms.ReasonForm,
    "send-back": forms.ReasonForm,
    "complete": forms.CompleteForm,
    "request-opinions": forms.OpinionsForm,
    "opinion": forms.OpinionForm,
    "issue": forms.IssueForm,
    "recall": forms.ReasonForm,
    "sign": forms.SignForm,
}
ACTION_LABELS = {
    "register": gettext_lazy("Register"),
    "refuse": gettext_lazy("Refuse"),
    "present": gettext_lazy("Present to a leader"),
    "instruct": gettext_lazy("Give instruction"),
    "process": gettext_lazy("Start processing"),
    "complete": gettext_lazy("Complete"),
    "return": gettext_lazy("Return"),
    "edit": gettext_lazy("Edit draft"),
    "request-opinions": gettext_lazy("Ask for opinions"),
    "opinion": gettext_lazy("Give my opinion"),
    "approve": gettext_lazy("Approve"),
    "send-back": gettext_lazy("Send back for changes"),
    "sign": gettext_lazy("Sign digitally"),
    "issue": gettext_lazy("Number and issue"),
    "recall": gettext_lazy("Recall"),
}


@login_required
def document_detail(request, pk):
    """The document page: metadata, files, timeline, recipients, actions."""
    document = _document(request, pk)
    downloads.audit_classified_read(document, request.user, "documents.viewed")
    actions = policy.available_actions(document, request.user)
    action_forms = {
        name: ACTION_FORMS[name](user=request.user, document=document)
        for name in actions
        if name in ACTION_FORMS
    }
    return render(
        request,
        "documents/document_detail.html",
        {
            "document": document,
            "title": str(document),
            "actions": [(name, ACTION_LABELS[name]) for name in actions],
            "action_forms": action_forms,
            "attachments": document.attachments.select_related("stored_file"),
            "events": document.events.select_related("actor"),
            "assignments": document.assignments.select_related(
                "person", "organization"
            ),
            "recipients": document.dispatches.select_related("organization"),
            "opinions": document.opinions.select_related("person"),
            "versions": document.versions.select_related("author"),
            "duplicates": services.find_duplicates(
                document.organization, document.symbol, document.issuer_name, document
            )[:5]
            if document.direction == Direction.INCOMING
            else [],
        },
    )


@login_required
@require_POST
def document_action(request, pk, action):
    """Run one workflow action through its service; errors come back as
    messages on the document page."""
    document = _document(request, pk)
    if action not in ACTION_LABELS or action == "edit":
        raise Http404
    form_class = ACTION_FORMS.get(action)
    form = None
    if form_class is not None:
        form = form_class(request.POST, user=request.user, document=document)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(document.get_absolute_url())
    data = form.cleaned_data if form is not None else {}
    user = request.user
    try:
        if action == "register":
            services.register_incoming(document, acting_user=user)
        elif action == "refuse":
            services.refuse(document, acting_user=user, reason=data["reason"])
        elif action == "present":
            services.present(document, acting_user=user, leader=data["leader"])
        elif action == "instruct":
            services.instruct(
                document,
                acting_user=user,
                assignments=form.assignments(),
                deadline=data["deadline"],
                note=data["note"],
            )
        elif action == "process":
            services.start_processing(document, acting_user=user)
        elif action == "complete":
            services.complete(document, acting_user=user, note=data["note"])
        elif action == "return":
            services.return_document(document, acting_user=user, reason=data["reason"])
        elif action == "request-opinions":
            services.request_opinions(document, acting_user=user, people=data["people"])
        elif action == "opinion":
            services.give_opinion(document, acting_user=user, text=data["text"])
        elif action == "approve":
            services.approve(document, acting_user=user)
        elif action == "send-back":
            services.send_back_to_draft(
                document, acting_user=user, reason=data["reason"]
            )
        elif action == "sign":
            services.sign_document(
                document,
                acting_user=user,
                password=data["password"],
                otp_token=data["otp_token"],
            )
        elif action == "issue":
            recipients = data.pop("recipients")
            services.issue(document, acting_user=user, recipients=recipients, **data)
        elif action == "recall":
            services.recall(document, acting_user=user, reason=data["reason"])
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except (PermissionDenied, Document.DoesNotExist):
        messages.error(request, _("You may not do this here."))
    else:
        messages.success(
            request, _("Done: %(action)s.") % {"action": ACTION_LABELS[action]}
        )
    return redirect(document.get_absolute_url())


def _form_errors_from(exc: ValidationError, form) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _desk_defaults(request) -> dict:
    """Pre-fill the organization the user acts for and the commonest type."""
    from hoso.accounts.services import current_position
    from hoso.documents.models import DocumentType

    position = current_position(request)
    initial = {}
    if position is not None:
        initial["organization"] = position.organization_id
    official_letter = DocumentType.objects.filter(system="party", code="CV").first()
    if official_letter is not None:
        initial["doc_type"] = official_letter.pk
    return initial


@login_required
def incoming_create(request):
    """The clerk's registration form (receive and register in one step)."""
    form = forms.IncomingForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial=_desk_defaults(request),
    )
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organization = data.pop("organization")
        files = data.pop("files")
        present_to = data.pop("present_to")
        confirmed = data.pop("confirm_duplicate")
        duplicates = list(
            services.find_duplicates(organization, data["symbol"], data["issuer_name"])[
                :5
            ]
        )
        if duplicates and not confirmed:
            form.add_error(
                None,
                _(
                    "A document with this number, symbol and issuer is already "
                    "registered. Check it, then tick the box to register anyway."
                ),
            )
        else:
            try:
                document = services.create_incoming(
                    organization=organization,
                    acting_user=request.user,
                    files=files,
                    present_to=present_to,
                    **data,
                )
            except ValidationError as exc:
                _form_errors_from(exc, form)
            except PermissionDenied:
                form.add_error(None, _("You may not do this here."))
            else:
                messages.success(
                    request,
                    _("Registered with arrival number %(number)s.")
                    % {"number": document.arrival_number},
                )
                return redirect(document.get_absolute_url())
    return render(
        request,
        "documents/incoming_form.html",
        {
            "form": form,
            "duplicates": duplicates,
            "title": _("Register an incoming document"),
        },
    )


@login_required
def draft_edit(request, pk=None):
    """Start a draft, or save a new version of one."""
    document = _document(request, pk, "change") if pk else None
    initial = {}
    if document is not None:
        initial = {
            name: getattr(document, name)
            for name in ("excerpt", "body", "urgency", "secrecy", "due_date")
        }
    if document is None:
        initial = _desk_defaults(request)
    form = forms.DraftForm(
        request.POST or None, user=request.user, document=document, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if document is None:
                document = services.create_draft(
                    organization=data.pop("organization"),
                    acting_user=request.user,
                    **data,
                )
            else:
                services.update_draft(document, acting_user=request.user, **data)
        except ValidationError as exc:
            _form_errors_from(exc, form)
        except PermissionDenied:
            form.add_error(None, _("You may not do this here."))
        else:
            return redirect(document.get_absolute_url())
    return render(
        request,
        "documents/draft_form.html",
        {
            "form": form,
            "document": document,
            "title": _("Edit draft") if document else _("New draft"),
        },
    )


@login_required
def download(request, pk, attachment_id):
    """A document's file (watermarked and audited when classified)."""
    document = _document(request, pk)
    attachment = get_object_or_404(document.attachments, pk=attachment_id)
    return downloads.file_response(
        document, attachment, request.user, inline=request.GET.get("inline") == "1"
    )


@login_required
def register_export(request, direction, fmt):
    """The register as XLSX or PDF, for the filtered period (printable)."""
    from hoso.documents import registers

    follow_up = direction == "follow-up"
    if follow_up:
        direction = Direction.INCOMING
    if direction not in Direction.values or fmt not in ("xlsx", "pdf"):
        raise Http404
    queryset = DocumentFilterSet(
        request.GET,
        queryset=Document.objects.restrict(request.user, "view")
        .filter(direction=direction)
        .select_related("doc_type", "organization"),
    ).qs
    return registers.export_register(
        direction, queryset, fmt, user=request.user, follow_up=follow_up
    )


# Case files ------------------------------------------------------------------


class CaseFileListView(ObjectListView):
    model = CaseFile
    table_class = CaseFileTable
    filterset_class = CaseFileFilterSet
    title = gettext_lazy("Case files")

    def get_queryset(self):
        return super().get_queryset().select_related("organization")

    def get_add_url(self):
        return reverse("documents:casefile-add")


class CaseFileEditView(ObjectEditView):
    model = CaseFile
    form_class = forms.CaseFileForm

    def get_initial(self):
        from django.utils import timezone

        initial = _desk_defaults(self.request)
        initial.pop("doc_type", None)
        initial["year"] = timezone.localdate().year
        return initial

    def save(self, form):
        from hoso.documents import casefiles

        data = dict(form.cleaned_data)
        return casefiles.create_case_file(acting_user=self.request.user, **data)


@login_required
def casefile_detail(request, pk):
    case_file = get_object_or_404(
        CaseFile.objects.restrict(request.user, "view").select_related("organization"),
        pk=pk,
    )
    can_change = (
        CaseFile.objects.restrict(request.user, "change").filter(pk=pk).exists()
    )
    return render(
        request,
        "documents/casefile_detail.html",
        {
            "case_file": case_file,
            "title": str(case_file),
            "documents": Document.objects.restrict(request.user, "view")
            .filter(case_files=case_file)
            .select_related("doc_type"),
            "can_change": can_change,
            "file_form": forms.FileDocumentsForm(user=request.user, case_file=case_file)
            if can_change and case_file.is_open
            else None,
        },
    )


@login_required
@require_POST
def casefile_action(request, pk, action):
    from hoso.documents import casefiles
    from hoso.documents.models import CaseFile

    case_file = get_object_or_404(
        CaseFile.objects.restrict(request.user, "change"), pk=pk
    )
    try:
        if action == "file":
            form = forms.FileDocumentsForm(
                request.POST, user=request.user, case_file=case_file
            )
            if not form.is_valid():
                raise ValidationError(list(form.errors.get("documents", [])))
            casefiles.add_documents(
                case_file, form.cleaned_data["documents"], acting_user=request.user
            )
        elif action == "close":
            casefiles.close_case_file(case_file, acting_user=request.user)
        elif action == "transfer":
            casefiles.mark_transferred(case_file, acting_user=request.user)
        else:
            raise Http404
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Saved."))
    return redirect(case_file.get_absolute_url())


@login_required
@require_POST
def verify_file(request, pk, attachment_id):
    """Validate a file's signatures again."""
    from hoso.documents import signatures

    document = _document(request, pk)
    attachment = get_object_or_404(
        document.attachments.select_related("stored_file"), pk=attachment_id
    )
    status = signatures.verify_attachment(attachment)
    messages.info(
        request,
        _("Signatures checked: %(status)s")
        % {"status": attachment.get_signature_status_display() or status},
    )
    return redirect(document.get_absolute_url())
