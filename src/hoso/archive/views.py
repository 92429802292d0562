"""Archive pages: the duplicates report with its decisions, the completeness
report, and handover packages (export a selection, import a package)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hoso.archive import completeness, forms, handover, services, tasks
from hoso.archive.choices import Decision
from hoso.archive.models import DuplicateFlag, HandoverPackage
from hoso.core import permissions
from hoso.documents.models import Document
from hoso.organizations.models import Organization

# Documents offered at once for a handover selection.
EXPORT_CHOICES = 500


def _back(request, fallback: str):
    """Redirect to the safe `next` URL of the form, else to `fallback`."""
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


# Duplicates -------------------------------------------------------------------


@login_required
def duplicates(request):
    """Duplicate flags in the user's scope, pending first, with buttons."""
    user = request.user
    if not permissions.has_permission(user, "archive.view_duplicateflag"):
        raise Http404
    params = request.GET.copy()
    params.setdefault("decision", Decision.PENDING)
    filters = forms.DuplicateFilterForm(params, user=user)
    flags = DuplicateFlag.objects.restrict(user, "view").select_related(
        "organization", "document", "other", "decided_by"
    )
    if filters.is_valid():
        if filters.cleaned_data["organization"]:
            flags = flags.filter(organization=filters.cleaned_data["organization"])
        if filters.cleaned_data["decision"]:
            flags = flags.filter(decision=filters.cleaned_data["decision"])
    page = Paginator(flags, 50).get_page(request.GET.get("page"))
    can_change = permissions.has_permission(user, "archive.change_duplicateflag")
    for flag in page:
        flag.decisions = services.available_decisions(flag, user) if can_change else []
    scan_form = forms.ScanForm(user=user) if can_change else None
    return render(
        request,
        "archive/duplicates.html",
        {
            "title": _("Duplicates"),
            "page": page,
            "filters": filters,
            "scan_form": scan_form,
            "decision_labels": dict(Decision.choices),
        },
    )


@login_required
@require_POST
def decide(request, pk: int, decision: str):
    """Keep, merge or ignore one flag (404 outside the user's scope)."""
    flag = get_object_or_404(
        DuplicateFlag.objects.restrict(request.user, "view"), pk=pk
    )
    try:
        services.decide(flag, decision, request.user, note=request.POST.get("note", ""))
    except DuplicateFlag.DoesNotExist:
        # Visible but not within the user's scope for decisions.
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, _error_text(error))
    except PermissionDenied:
        messages.error(request, _("You may not do this here."))
    else:
        messages.success(
            request,
            _("Decision recorded: %(decision)s.")
            % {"decision": Decision(decision).label},
        )
    return _back(request, reverse("archive:duplicates"))


@login_required
@require_POST
def scan(request):
    """Queue a duplicate scan of one organization's archive."""
    form = forms.ScanForm(request.POST, user=request.user)
    if not form.is_valid():
        raise Http404
    organization = form.cleaned_data["organization"]
    tasks.scan_organization.enqueue(organization.pk, request.user.pk)
    messages.success(
        request,
        _(
            "The archive of %(organization)s is being scanned; new duplicates "
            "appear here when it is done."
        )
        % {"organization": organization},
    )
    return redirect(reverse("archive:duplicates"))


# Completeness -----------------------------------------------------------------


@login_required
def completeness_index(request):
    """Choose the organization whose report to open."""
    form = forms.OrganizationForm(request.GET or None, user=request.user)
    if form.is_valid():
        return redirect(
            "archive:completeness", org_id=form.cleaned_data["organization"].pk
        )
    choices = form.fields["organization"].queryset
    if not request.GET and choices.count() == 1:
        return redirect("archive:completeness", org_id=choices.get().pk)
    if not choices.exists():
        raise Http404
    return render(
        request,
        "archive/completeness_index.html",
        {"title": _("Completeness report"), "form": form},
    )


@login_required
def completeness_page(request, org_id: int):
    """The printable completeness report of one organization."""
    organization = get_object_or_404(
        Organization.objects.restrict(request.user, "view"), pk=org_id
    )
    if not completeness.may_view(request.user, organization):
        raise Http404
    report = completeness.completeness_report(organization, user=request.user)
    return render(
        request,
        "archive/completeness.html",
        {
            "title": _("Completeness report: %(organization)s")
            % {"organization": organization.name},
            "report": report,
        },
    )


# Handover ---------------------------------------------------------------------


def _export_candidates(user, form: forms.ExportFilterForm):
    """Unclassified documents of the chosen organization matching the
    filters (classified ones never leave in a package)."""
    data = form.cleaned_data
    documents = Document.objects.restrict(user, "view").filter(
        organization=data["organization"], secrecy=0
    )
    if data.get("direction"):
        documents = documents.filter(direction=data["direction"])
    if data.get("year"):
        documents = documents.filter(register_year=data["year"])
    if data.get("q"):
        text = data["q"].strip()
        documents = documents.filter(
            Q(excerpt__icontains=text)
            | Q(symbol__iexact=text)
            | Q(issuer_name__icontains=text)
        )
    return documents.select_related("doc_type").order_by(
        "register_year", "direction", "arrival_number", "number", "pk"
    )


@login_required
def handover_page(request):
    """Past packages, and a register selection to export."""
    user = request.user
    if not permissions.has_permission(user, "archive.view_handoverpackage"):
        raise Http404
    packages = (
        HandoverPackage.objects.restrict(user, "view")
        .select_related("organization", "created_by")
        .annotate(record_count=Count("documents"))
        .order_by("-created", "-id")
    )
    can_export = permissions.has_permission(user, handover.EXPORT_PERMISSION)
    can_import = permissions.has_permission(user, handover.IMPORT_PERMISSION)
    form = candidates = None
    total = 0
    if can_export:
        form = forms.ExportFilterForm(request.GET or None, user=user)
        if form.is_valid():
            matching = _export_candidates(user, form)
            total = matching.count()
            candidates = list(matching[:EXPORT_CHOICES])
    return render(
        request,
        "archive/handover.html",
        {
            "title": _("Handover packages"),
            "packages": Paginator(packages, 25).get_page(request.GET.get("page")),
            "form": form,
            "candidates": candidates,
            "total": total,
            "limit": EXPORT_CHOICES,
            "can_import": can_import,
        },
    )


@login_required
@require_POST
def handover_export(request):
    """Download the chosen documents as a zipped BagIt bag."""
    ids = [value for value in request.POST.getlist("documents") if value.isdigit()]
    try:
        package, handle = handover.export_zip(ids, acting_user=request.user)
    except Document.DoesNotExist:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return _back(request, reverse("archive:handover"))
    except PermissionDenied:
        messages.error(request, _("You may not do this here."))
        return _back(request, reverse("archive:handover"))
    return FileResponse(
        handle,
        as_attachment=True,
        filename=handover.bag_file_name(package),
        content_type="application/zip",
    )


@login_required
def handover_import(request):
    """Upload a zipped package: verified, then registered as incoming."""
    if not permissions.has_permission(request.user, handover.IMPORT_PERMISSION):
        raise Http404
    form = forms.ImportForm(
        request.POST or None, request.FILES or None, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            created = handover.import_zip(
                form.cleaned_data["package"],
                organization=form.cleaned_data["organization"],
                acting_user=request.user,
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error("package", message)
        except PermissionDenied:
            form.add_error(None, _("You may not do this here."))
        else:
            package = HandoverPackage.objects.filter(documents=created[0]).latest("pk")
            messages.success(
                request,
                _("%(count)d records received and registered.")
                % {"count": len(created)},
            )
            return redirect(package.get_absolute_url())
    return render(
        request,
        "archive/import.html",
        {"title": _("Import a handover package"), "form": form},
    )


@login_required
def package_detail(request, pk: int):
    """One handover package: what it held and what was left out."""
    package = get_object_or_404(
        HandoverPackage.objects.restrict(request.user, "view").select_related(
            "organization", "created_by", "audit_file"
        ),
        pk=pk,
    )
    documents = (
        package.documents.restrict(request.user, "view")
        .select_related("doc_type")
        .order_by("pk")
    )
    return render(
        request,
        "archive/package_detail.html",
        {"title": str(package), "package": package, "documents": documents},
    )
