"""The documents office end to end: an incoming document from registration to
completion, and an outgoing one from draft to its receiver's register.

Every user works in their own browser context. Statuses are shown translated
(Vietnamese by default), so the tests read the `data-test` hooks and compare
statuses through the JSON API with the browser's session.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import (
    api_document,
    expect_success,
    open_document_id,
    open_form,
    submit_form,
    user_page,
)
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PROVINCE = "Đảng bộ tỉnh Khánh Hòa"


# Helpers ------------------------------------------------------------------------


def _person_id(page) -> int:
    """The signed-in user's person id (through the API)."""
    response = page.request.get("/api/v1/people/me")
    assert response.ok, response.text()
    return response.json()["id"]


def _do(page, action: str) -> None:
    """Click a direct action button on the document page."""
    with page.expect_navigation():
        page.locator(f"[data-test=actions] [data-test=do-{action}]").click()
    expect_success(page)


def _open_from_desk(page, desk: str, marker: str, excerpt: str) -> int:
    """Find the document on a desk by the unique marker in its excerpt, and
    open it."""
    page.goto(f"/documents/{desk}/?q={marker}")
    link = page.get_by_role("link", name=excerpt)
    expect(link).to_have_count(1)
    link.click()
    return open_document_id(page)


def _small_pdf(path: Path, text: str) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=14)
    pdf.cell(text=text)
    pdf.output(str(path))
    return path


def _status(page, document_id: int) -> str:
    return api_document(page, document_id)["status"]


# Incoming ----------------------------------------------------------------------


def test_incoming_document_from_registration_to_completion(make_context, tmp_path):
    """GIVEN the clerk, the secretary and a specialist of commune KH-01
    WHEN the clerk registers an incoming letter with a PDF and presents it,
    the secretary instructs the specialist to lead with a deadline,
    and the specialist starts processing and completes it with a note
    THEN every desk shows the document at its turn, the final status is
    "completed", the timeline lists every step by its actor, and the PDF
    downloads intact from the document page."""
    marker = uuid.uuid4().hex[:8]
    excerpt = f"Về việc kiểm tra công tác văn thư {marker}"
    symbol = f"{marker[:4]}-CV/TU"
    pdf = _small_pdf(tmp_path / f"cong-van-{marker}.pdf", f"Cong van {marker}")
    deadline = date.today() + timedelta(days=14)

    secretary = user_page(make_context, "bithu.nhatrang")
    specialist = user_page(make_context, "chuyenvien.nhatrang")
    clerk = user_page(make_context, "vanthu.nhatrang")
    secretary_id = _person_id(secretary)
    specialist_id = _person_id(specialist)

    # The clerk registers it with its file.
    clerk.goto("/documents/incoming/add/")
    form = clerk.locator("[data-test=incoming-form]")
    expect(form).to_be_visible()
    expect(clerk.locator("#id_organization")).not_to_have_value("")
    expect(clerk.locator("#id_doc_type")).not_to_have_value("")
    clerk.fill("#id_symbol", symbol)
    clerk.fill("#id_issuer_name", "Văn phòng Tỉnh ủy Khánh Hòa")
    clerk.fill("#id_excerpt", excerpt)
    clerk.select_option("#id_urgency", "0")
    clerk.select_option("#id_secrecy", "0")
    clerk.set_input_files("#id_files", str(pdf))
    with clerk.expect_navigation():
        clerk.click("#register-incoming")
    document_id = open_document_id(clerk)
    expect_success(clerk)
    arrival = clerk.locator("[data-test=arrival-number]")
    expect(arrival).to_have_text(re.compile(r"^\s*\d+ / \d{4}\s*$"))
    arrival_number, register_year = map(int, arrival.inner_text().split("/"))
    # The success message carries the arrival number.
    expect(clerk.locator(".hoso-messages .alert-success")).to_contain_text(
        str(arrival_number)
    )
    body = api_document(clerk, document_id)
    assert body["status"] == "registered", body
    assert body["arrival_number"] == arrival_number, body
    assert body["register_year"] == register_year, body
    assert [a["name"] for a in body["attachments"]] == [pdf.name], body

    # … and presents it to the secretary.
    form = open_form(clerk, "present")
    form.locator("#id_leader").select_option(str(secretary_id))
    submit_form(clerk, form, "present")
    assert _status(clerk, document_id) == "presented"
    open_present = clerk.locator("[data-test=actions] [data-test=open-present]")
    expect(open_present).to_have_count(0)

    # The secretary finds it waiting for instruction (home badge and desk).
    secretary.goto("/")
    awaiting_badge = secretary.locator(
        "li:has(a[href='/documents/awaiting/']) [data-test=waiting-count]"
    )
    expect(awaiting_badge).to_have_text(re.compile(r"^[1-9]\d*$"))
    assert _open_from_desk(secretary, "awaiting", marker, excerpt) == document_id
    form = open_form(secretary, "instruct")
    form.locator("#id_lead_person").select_option(str(specialist_id))
    form.locator("#id_deadline").fill(deadline.isoformat())
    form.locator("#id_note").fill(f"Giao chuyên viên tham mưu {marker}")
    submit_form(secretary, form, "instruct")
    body = api_document(secretary, document_id)
    assert body["status"] == "instructed", body
    assert body["due_date"] == deadline.isoformat(), body
    # No longer waiting for them.
    secretary.goto(f"/documents/awaiting/?q={marker}")
    expect(secretary.get_by_role("link", name=excerpt)).to_have_count(0)

    # The specialist has it on their desk, starts and completes it.
    assert _open_from_desk(specialist, "assigned", marker, excerpt) == document_id
    _do(specialist, "process")
    assert _status(specialist, document_id) == "processing"
    form = open_form(specialist, "complete")
    form.locator("#id_note").fill(f"Đã báo cáo kết quả {marker}")
    submit_form(specialist, form, "complete")
    body = api_document(specialist, document_id)
    assert body["status"] == "completed", body
    expect(specialist.locator("[data-test=actions] button")).to_have_count(0)
    specialist.goto(f"/documents/assigned/?q={marker}")
    expect(specialist.get_by_role("link", name=excerpt)).to_have_count(0)

    # The timeline lists every step, in order, with who did it.
    steps = [
        ("received", "vanthu.nhatrang"),
        ("registered", "vanthu.nhatrang"),
        ("presented", "vanthu.nhatrang"),
        ("instructed", "bithu.nhatrang"),
        ("processing", "chuyenvien.nhatrang"),
        ("completed", "chuyenvien.nhatrang"),
    ]
    assert [(e["action"], e["actor"]) for e in body["events"]] == steps, body
    specialist.goto(f"/documents/{document_id}/")
    items = specialist.locator("[data-test=timeline] > li")
    expect(items).to_have_count(len(steps))
    for index, (_action, actor) in enumerate(steps):
        expect(items.nth(index)).to_contain_text(actor)
    expect(items.nth(3)).to_contain_text(f"Giao chuyên viên tham mưu {marker}")
    expect(items.nth(5)).to_contain_text(f"Đã báo cáo kết quả {marker}")

    # The file downloads from its link on the page, unchanged.
    link = specialist.locator(
        f"a[href='/documents/{document_id}/files/{body['attachments'][0]['id']}/']"
    )
    with specialist.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == pdf.name
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF"), data[:20]
    assert data == pdf.read_bytes()


# Outgoing ----------------------------------------------------------------------


def test_outgoing_document_reaches_the_province_and_its_status_flows_back(
    make_context,
):
    """GIVEN a specialist, the secretary and the clerk of commune KH-01, and
    the province's clerk
    WHEN the specialist drafts a report, the secretary approves it, and the
    clerk numbers and issues it to the province on this system
    THEN the province's clerk finds the copy in their inbox and registers it,
    AND the sender's page shows the province's status change to "accepted"."""
    marker = uuid.uuid4().hex[:8]
    excerpt = f"Báo cáo kết quả công tác tháng {marker}"

    # The specialist writes the draft.
    specialist = user_page(make_context, "chuyenvien.nhatrang")
    specialist.goto("/documents/drafts/add/")
    expect(specialist.locator("[data-test=draft-form]")).to_be_visible()
    expect(specialist.locator("#id_organization")).not_to_have_value("")
    specialist.select_option("#id_direction", "outgoing")
    expect(specialist.locator("#id_doc_type")).not_to_have_value("")
    specialist.fill("#id_excerpt", excerpt)
    specialist.fill("#id_body", f"Kính gửi Tỉnh ủy Khánh Hòa.\nNội dung {marker}.")
    with specialist.expect_navigation():
        specialist.click("#save-draft")
    document_id = open_document_id(specialist)
    body = api_document(specialist, document_id)
    assert body["status"] == "draft", body
    assert body["direction"] == "outgoing", body
    assert body["number"] is None, body
    # The specialist may not approve nor issue.
    actions = specialist.locator("[data-test=actions]")
    expect(actions.locator("[data-test=do-approve]")).to_have_count(0)
    expect(actions.locator("[data-test=open-issue]")).to_have_count(0)

    # The secretary approves it.
    secretary = user_page(make_context, "bithu.nhatrang")
    secretary.goto(f"/documents/{document_id}/")
    _do(secretary, "approve")
    assert _status(secretary, document_id) == "approved"

    # The clerk numbers and issues it to the province.
    clerk = user_page(make_context, "vanthu.nhatrang")
    clerk.goto(f"/documents/{document_id}/")
    expect(clerk.locator("[data-test=recipients]")).to_have_count(0)
    form = open_form(clerk, "issue")
    form.locator("#id_signer_authority").select_option("T/M")
    form.locator("#id_signer_position").fill("Bí thư")
    form.locator("#id_signer_name").fill("Nguyễn Văn An")
    form.locator("#id_recipients").select_option(label=PROVINCE)
    form.locator("#id_recipients_text").fill("- Tỉnh ủy Khánh Hòa,\n- Lưu VP.")
    form.locator("#id_page_count").fill("1")
    submit_form(clerk, form, "issue")
    body = api_document(clerk, document_id)
    assert body["status"] == "issued", body
    assert body["number"] and body["symbol"], body
    assert [(r["organization_name"], r["status"]) for r in body["recipients"]] == [
        (PROVINCE, "01")
    ], body
    symbol = body["symbol"]
    recipients = clerk.locator("[data-test=recipients]")
    recipient_status = recipients.locator("[data-test=recipient-status]")
    expect(recipient_status).to_have_count(1)
    arrived_text = recipient_status.inner_text().strip()
    assert arrived_text

    # The province's clerk finds the copy in their inbox and registers it.
    receiver = user_page(make_context, "vanthu.tinh")
    copy_id = _open_from_desk(receiver, "inbox", marker, excerpt)
    assert copy_id != document_id
    copy = api_document(receiver, copy_id)
    assert copy["status"] == "received", copy
    assert copy["direction"] == "incoming", copy
    assert copy["symbol"] == symbol, copy
    _do(receiver, "register")
    expect(receiver.locator("[data-test=arrival-number]")).to_have_text(
        re.compile(r"^\s*\d+ / \d{4}\s*$")
    )
    copy = api_document(receiver, copy_id)
    assert copy["status"] == "registered", copy
    assert copy["arrival_number"], copy
    receiver.goto(f"/documents/inbox/?q={marker}")
    expect(receiver.get_by_role("link", name=excerpt)).to_have_count(0)

    # The sender sees the province accepted it.
    clerk.reload()
    expect(recipient_status).to_have_count(1)
    expect(recipient_status).not_to_have_text(arrived_text)
    body = api_document(clerk, document_id)
    assert body["recipients"][0]["status"] == "03", body
    expect(recipient_status).to_contain_text(body["recipients"][0]["status_label"])
