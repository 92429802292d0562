"""Periodic reports: a higher level defines a form, opens a period for the
levels or organizations below, they fill in, save drafts and submit; the
receiver accepts or returns for correction. Accepted numbers aggregate up
the tree and can feed indicator values; exports to XLSX and PDF; late
submitters are reminded."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hoso.core import audit, permissions
from hoso.operations.choices import FieldAggregate, FieldKind, SubmissionStatus
from hoso.operations.models import (
    ReportField,
    ReportForm,
    ReportRound,
    ReportSubmission,
)

FILLABLE = {
    SubmissionStatus.NOT_STARTED,
    SubmissionStatus.DRAFT,
    SubmissionStatus.RETURNED,
}
COUNTED = [SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED]
NUMERIC = {FieldKind.INTEGER, FieldKind.DECIMAL, FieldKind.PERCENT}


def _check_fields(fields: list[dict]) -> list[dict]:
    """Validate field definitions; errors name the row."""
    from hoso.operations.models import Indicator

    errors = []
    codes = set()
    cleaned = []
    for index, spec in enumerate(fields, start=1):
        code = (spec.get("code") or "").strip()
        label = (spec.get("label") or "").strip()
        kind = spec.get("kind") or ""
        problem = None
        if not code or not code.replace("_", "").replace("-", "").isalnum():
            problem = _("give a code of letters, digits, - or _")
        elif code in codes:
            problem = _("the code %(code)s is used twice") % {"code": code}
        elif not label:
            problem = _("give a label")
        elif kind not in FieldKind.values:
            problem = _("choose a type")
        elif (
            spec.get("min_value") is not None
            and spec.get("max_value") is not None
            and spec["min_value"] > spec["max_value"]
        ):
            problem = _("the minimum is above the maximum")
        elif spec.get("aggregate") and kind not in NUMERIC | {FieldKind.BOOLEAN}:
            problem = _("only numbers and yes/no answers aggregate")
        indicator = spec.get("indicator")
        if isinstance(indicator, str) and indicator:
            indicator = Indicator.objects.filter(code=indicator).first()
            if indicator is None:
                problem = problem or _("unknown indicator")
        if problem:
            errors.append(
                _("Field %(n)s: %(problem)s.") % {"n": index, "problem": problem}
            )
            continue
        codes.add(code)
        cleaned.append(
            {
                "code": code,
                "label": label,
                "kind": kind,
                "required": bool(spec.get("required", True)),
                "min_value": spec.get("min_value"),
                "max_value": spec.get("max_value"),
                "aggregate": spec.get("aggregate") or "",
                "indicator": indicator or None,
                "order": index,
            }
        )
    if not cleaned and not errors:
        errors.append(_("A report form needs at least one field."))
    if errors:
        raise ValidationError({"fields": errors})
    return cleaned


@transaction.atomic
def create_report_form(
    *,
    acting_user,
    organization,
    title: str,
    fields: list[dict],
    description: str = "",
    target_level: str = "",
    target_organizations: Iterable = (),
) -> ReportForm:
    """Define a report form for the levels or organizations below.

    GIVEN a user with `operations.add_reportform` at the organization
    WHEN they define a title, typed fields and the targets
    THEN the form is stored with its fields and audited.
    """
    if not permissions.has_permission(
        acting_user, "operations.add_reportform", organization
    ):
        raise PermissionDenied
    targets = list(target_organizations or [])
    errors = {}
    if not (title or "").strip():
        errors["title"] = _("Give the report a title.")
    if not target_level and not targets:
        errors["target_level"] = _("Choose a level or organizations to report.")
    outside = [t for t in targets if not t.path.startswith(organization.path)]
    if outside:
        errors["target_organizations"] = _(
            "Only organizations below %(org)s can be asked to report."
        ) % {"org": organization}
    try:
        cleaned = _check_fields(fields)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    form = ReportForm.objects.create(
        organization=organization,
        org_path=organization.path,
        title=title.strip(),
        description=description,
        target_level=target_level,
        created_by=acting_user,
    )
    form.target_organizations.set(targets)
    ReportField.objects.bulk_create(
        [ReportField(form=form, **spec) for spec in cleaned]
    )
    audit.record(
        "operations.report_form_created",
        obj=form,
        actor=acting_user,
        changes={
            "title": [None, form.title],
            "fields": [None, [f["code"] for f in cleaned]],
        },
    )
    return form


def target_organizations(form: ReportForm):
    """Who must report: the owner's descendants at the target level, and
    the organizations named."""
    from hoso.organizations.models import Organization

    qs = Organization.objects.none()
    if form.target_level:
        qs = Organization.objects.filter(
            path__startswith=form.org_path, level=form.target_level
        ).exclude(pk=form.organization_id)
    named = form.target_organizations.values_list("pk", flat=True)
    return Organization.objects.filter(
        pk__in=qs.values("pk")
    ) | Organization.objects.filter(pk__in=named)


def reporters(organization) -> list:
    """Users who may fill in reports for the organization (positions there
    whose role grants `operations.change_reportsubmission`)."""
    from hoso.accounts.models import Position

    positions = (
        Position.objects.current()
        .filter(organization=organization)
        .select_related("person__user", "role")
    )
    return [
        p.person.user
        for p in positions
        if p.person.user_id
        and permissions.role_grants(
            p.role.permissions or [], "operations.change_reportsubmission"
        )
    ]


@transaction.atomic
def open_round(
    form: ReportForm,
    *,
    acting_user,
    period_start: date,
    period_end: date,
    due_date: date,
) -> ReportRound:
    """Open a reporting period: one (not started) submission per target,
    and a notification to their reporters."""
    from hoso.notifications.services import notify

    if not permissions.has_permission(
        acting_user, "operations.add_reportform", form.organization
    ):
        raise PermissionDenied
    errors = {}
    if not period_start or not period_end or period_end < period_start:
        errors["period_end"] = _("The period ends before it starts.")
    if not due_date or (period_start and due_date < period_start):
        errors["due_date"] = _("The due date is before the period starts.")
    if ReportRound.objects.filter(form=form, period_start=period_start).exists():
        errors["period_start"] = _("This period is already open.")
    if errors:
        raise ValidationError(errors)
    report_round = ReportRound.objects.create(
        form=form, period_start=period_start, period_end=period_end, due_date=due_date
    )
    targets = list(target_organizations(form))
    ReportSubmission.objects.bulk_create(
        [
            ReportSubmission(round=report_round, organization=org, org_path=org.path)
            for org in targets
        ]
    )
    audit.record(
        "operations.report_round_opened",
        obj=form,
        actor=acting_user,
        changes={
            "period": [None, f"{period_start}–{period_end}"],
            "due_date": [None, due_date.isoformat()],
            "organizations": [None, len(targets)],
        },
    )
    for org in targets:
        notify(
            reporters(org),
            kind="report.opened",
            title=_("Report due %(date)s: %(title)s")
            % {"date": due_date.strftime("%d/%m/%Y"), "title": form.title},
            url=report_round.get_absolute_url(),
            email=True,
        )
    return report_round


def _typed(field: ReportField, raw):
    """Parse one answer; raise ValueError with the reason."""
    if raw in (None, ""):
        return None
    kind = field.kind
    if kind == FieldKind.TEXT:
        return str(raw).strip() or None
    if kind == FieldKind.BOOLEAN:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("true", "1", "yes", "on", "có"):
            return True
        if text in ("false", "0", "no", "off", "không"):
            return False
        raise ValueError(_("answer yes or no"))
    if kind == FieldKind.DATE:
        if isinstance(raw, date):
            return raw.isoformat()
        try:
            return date.fromisoformat(str(raw)).isoformat()
        except ValueError:
            raise ValueError(_("enter a date")) from None
    try:
        number = float(str(raw).replace(",", "."))
    except ValueError:
        raise ValueError(_("enter a number")) from None
    if kind == FieldKind.INTEGER:
        if number != int(number):
            raise ValueError(_("enter a whole number"))
        number = int(number)
    if kind == FieldKind.PERCENT and not 0 <= number <= 100:
        raise ValueError(_("enter a percentage from 0 to 100"))
    if field.min_value is not None and number < field.min_value:
        raise ValueError(_("the minimum is %(min)s") % {"min": f"{field.min_value:g}"})
    if field.max_value is not None and number > field.max_value:
        raise ValueError(_("the maximum is %(max)s") % {"max": f"{field.max_value:g}"})
    return number


def clean_answers(form: ReportForm, data: dict, *, complete: bool) -> dict:
    """Typed answers by field code; errors name the field. A draft may
    leave required fields empty; a submission may not."""
    errors = {}
    cleaned = {}
    for field in form.fields.all():
        try:
            value = _typed(field, (data or {}).get(field.code))
        except ValueError as exc:
            errors[field.code] = f"{field.label}: {exc}."
            continue
        if value is None and complete and field.required:
            errors[field.code] = _("%(label)s: this answer is required.") % {
                "label": field.label
            }
            continue
        if value is not None:
            cleaned[field.code] = value
    unknown = set(data or {}) - {f.code for f in form.fields.all()}
    if unknown:
        errors[sorted(unknown)[0]] = _("Unknown field.")
    if errors:
        raise ValidationError(errors)
    return cleaned


def _locked(submission: ReportSubmission, user, action: str) -> ReportSubmission:
    return (
        ReportSubmission.objects.restrict(user, action)
        .select_for_update(of=("self",))
        .select_related("round__form__organization", "organization")
        .get(pk=submission.pk)
    )


@transaction.atomic
def save_draft(submission: ReportSubmission, *, acting_user, data: dict):
    """Save answers without submitting (required answers may be missing)."""
    submission = _locked(submission, acting_user, "change")
    if submission.status not in FILLABLE:
        raise ValidationError(_("This report was already submitted."))
    submission.data = clean_answers(submission.round.form, data, complete=False)
    submission.status = SubmissionStatus.DRAFT
    submission.save(update_fields=["data", "status", "updated"])
    audit.record("operations.report_draft_saved", obj=submission, actor=acting_user)
    return submission


@transaction.atomic
def submit_report(
    submission: ReportSubmission, *, acting_user, data: dict | None = None
):
    """Submit the report (every required answer, typed and in range)."""
    from hoso.notifications.services import notify

    submission = _locked(submission, acting_user, "change")
    if submission.status not in FILLABLE:
        raise ValidationError(_("This report was already submitted."))
    form = submission.round.form
    submission.data = clean_answers(
        form, submission.data if data is None else data, complete=True
    )
    submission.status = SubmissionStatus.SUBMITTED
    submission.submitted_at = timezone.now()
    submission.submitted_by = acting_user
    submission.save()
    audit.record(
        "operations.report_submitted",
        obj=submission,
        actor=acting_user,
        changes={"data": [None, submission.data]},
    )
    notify(
        [form.created_by],
        kind="report.submitted",
        title=_("Report submitted by %(org)s: %(title)s")
        % {"org": submission.organization, "title": form.title},
        url=submission.get_absolute_url(),
    )
    return submission


def _may_review(user, submission: ReportSubmission) -> bool:
    return permissions.has_permission(
        user, "operations.review_reportsubmission", submission.round.form.organization
    )


@transaction.atomic
def accept_report(submission: ReportSubmission, *, acting_user):
    """The receiver accepts; answers feeding indicators become values."""
    from hoso.operations.services import set_indicator_value

    submission = _locked(submission, acting_user, "view")
    if not _may_review(acting_user, submission):
        raise PermissionDenied
    if submission.status != SubmissionStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be accepted."))
    submission.status = SubmissionStatus.ACCEPTED
    submission.decided_at = timezone.now()
    submission.decided_by = acting_user
    submission.save()
    for field in submission.round.form.fields.exclude(indicator=None).select_related(
        "indicator"
    ):
        value = submission.data.get(field.code)
        if isinstance(value, bool):
            value = 100.0 if value else 0.0
        if isinstance(value, int | float):
            set_indicator_value(
                field.indicator,
                acting_user=None,
                organization=submission.organization,
                period_start=submission.round.period_start,
                value=value,
                source="report",
                note=str(submission.round.form)[:300],
            )
    audit.record("operations.report_accepted", obj=submission, actor=acting_user)
    return submission


@transaction.atomic
def return_report(submission: ReportSubmission, *, acting_user, reason: str):
    """The receiver returns the report for correction, saying why."""
    from hoso.notifications.services import notify

    submission = _locked(submission, acting_user, "view")
    if not _may_review(acting_user, submission):
        raise PermissionDenied
    if submission.status != SubmissionStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be returned."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say what to correct.")})
    submission.status = SubmissionStatus.RETURNED
    submission.return_reason = reason.strip()
    submission.decided_at = timezone.now()
    submission.decided_by = acting_user
    submission.save()
    audit.record(
        "operations.report_returned",
        obj=submission,
        actor=acting_user,
        changes={"reason": [None, reason]},
    )
    notify(
        reporters(submission.organization)
        + ([submission.submitted_by] if submission.submitted_by else []),
        kind="report.returned",
        title=_("Report returned for correction: %(title)s")
        % {"title": submission.round.form.title},
        url=submission.get_absolute_url(),
        email=True,
    )
    return submission


# Aggregation and exports -----------------------------------------------------


def aggregate(
    fields: list[ReportField], submissions: Iterable[ReportSubmission]
) -> dict:
    """Field code → aggregated value over the submissions that count."""
    values: dict[str, list] = {f.code: [] for f in fields if f.aggregate}
    for submission in submissions:
        if submission.status not in COUNTED:
            continue
        for code in values:
            if submission.data.get(code) is not None:
                values[code].append(submission.data[code])
    out = {}
    for field in fields:
        if not field.aggregate:
            continue
        items = values[field.code]
        if field.aggregate == FieldAggregate.COUNT_YES:
            out[field.code] = sum(1 for v in items if v is True)
        elif not items:
            out[field.code] = None
        elif field.aggregate == FieldAggregate.SUM:
            out[field.code] = sum(items)
        elif field.aggregate == FieldAggregate.MEAN:
            out[field.code] = round(sum(items) / len(items), 2)
        elif field.aggregate == FieldAggregate.MIN:
            out[field.code] = min(items)
        elif field.aggregate == FieldAggregate.MAX:
            out[field.code] = max(items)
    return out


def rollup_rows(report_round: ReportRound, node, user) -> tuple[list, dict, list]:
    """One row per child of `node` (and the node itself when it reports):
    the aggregate of the submissions in that child's subtree."""
    from hoso.organizations.models import Organization

    fields = list(report_round.form.fields.all())
    submissions = list(
        ReportSubmission.objects.restrict(user, "view")
        .filter(round=report_round, org_path__startswith=node.path)
        .select_related("organization")
    )
    rows = []
    own = [s for s in submissions if s.organization_id == node.pk]
    if own:
        rows.append({"organization": node, "submissions": own, "values": own[0].data})
    for child in Organization.objects.filter(parent=node).order_by("name"):
        below = [s for s in submissions if s.org_path.startswith(child.path)]
        if not below:
            continue
        counted = sum(1 for s in below if s.status in COUNTED)
        rows.append(
            {
                "organization": child,
                "submissions": below,
                "counted": counted,
                "values": aggregate(fields, below)
                if len(below) > 1 or below[0].organization_id != child.pk
                else below[0].data,
            }
        )
    total = aggregate(fields, submissions)
    return rows, total, fields


def export_round(report_round: ReportRound, node, fmt: str, *, user):
    """The node's submissions (one row per organization) and the aggregate,
    as XLSX or PDF."""
    from django.http import FileResponse
    from django.template.loader import render_to_string

    fields = list(report_round.form.fields.all())
    submissions = list(
        ReportSubmission.objects.restrict(user, "view")
        .filter(round=report_round, org_path__startswith=node.path)
        .select_related("organization")
        .order_by("org_path")
    )
    total = aggregate(fields, submissions)
    headers = [_("Organization"), _("Status"), *[f.label for f in fields]]
    rows = [
        [s.organization.name, s.get_status_display()]
        + [_cell(s.data.get(f.code)) for f in fields]
        for s in submissions
    ]
    total_row = [_("Total"), ""] + [_cell(total.get(f.code, "")) for f in fields]
    title = str(report_round)
    filename = f"report-{report_round.pk}-{node.pk}.{fmt}"
    if fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = (report_round.form.title or "report")[:31]
        sheet.append([title])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([str(node)])
        sheet.append([])
        sheet.append(headers)
        for cell in sheet[4]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    # Text is text: an answer starting with "=" is no formula.
                    cell.data_type = "s"
        sheet.append(total_row)
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        output = tempfile.SpooledTemporaryFile(max_size=4_000_000)  # noqa: SIM115
        workbook.save(output)
        content_type = (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    elif fmt == "pdf":
        from weasyprint import HTML

        from hoso.documents.registers import _font_faces, _url_fetcher

        faces = _font_faces()
        html = render_to_string(
            "operations/report_pdf.html",
            {
                "title": title,
                "node": node,
                "headers": headers,
                "rows": rows,
                "total": total_row,
                "font_faces": faces,
            },
        )
        output = tempfile.SpooledTemporaryFile(max_size=4_000_000)  # noqa: SIM115
        output.write(
            HTML(
                string=html, url_fetcher=_url_fetcher({f["url"] for f in faces})
            ).write_pdf()
        )
        content_type = "application/pdf"
    else:
        raise ValueError(f"Unknown export format {fmt!r}.")
    output.seek(0)
    response = FileResponse(
        output, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _cell(value):
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    return "" if value is None else value


def send_report_reminders_now(today: date | None = None) -> int:
    """Remind reporters of organizations that have not submitted: two days
    before the due date and, once late, once a week."""
    from hoso.notifications.services import notify

    today = today or timezone.localdate()
    pending = (
        ReportSubmission.objects.filter(
            status__in=list(FILLABLE), round__due_date__lte=today + timedelta(days=2)
        )
        .select_related("round__form", "organization")
        .order_by("id")
    )
    sent = 0
    for submission in pending:
        due = submission.round.due_date
        if due >= today:
            key = f"report:{submission.pk}:due:{due.isoformat()}"
            title = _("Report due %(date)s: %(title)s")
        else:
            week = (today - due).days // 7
            key = f"report:{submission.pk}:late:{due.isoformat()}:{week}"
            title = _("Report late since %(date)s: %(title)s")
        sent += len(
            notify(
                reporters(submission.organization),
                kind="report.reminder",
                title=title
                % {
                    "date": due.strftime("%d/%m/%Y"),
                    "title": submission.round.form.title,
                },
                url=submission.get_absolute_url(),
                email=True,
                dedupe_key=key,
            )
        )
    return sent
