"""The signing step end to end: the secretary re-enters their password to sign
an approved draft digitally, then the clerk issues it under the commune's seal.

The demo set gives every secretary and deputy a signing certificate from the
internal CA, and the province and the demo communes a seal certificate. Every
user works in their own browser context; results are read through the
`data-test` hooks and the JSON API with the browser's session, and the signed
file is checked once more, outside Hoso, with poppler's `pdfsig`.
"""

from __future__ import annotations

import hashlib
import subprocess
import uuid
from pathlib import Path

import pytest
from conftest import (
    DEMO_PASSWORD,
    api_document,
    expect_success,
    open_document_id,
    open_form,
    submit_form,
    user_page,
)
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

COMMUNE = "Đảng bộ phường Nha Trang"


# Helpers ------------------------------------------------------------------------


def _me(page) -> dict:
    response = page.request.get("/api/v1/people/me")
    assert response.ok, response.text()
    return response.json()


def _main_attachment(body: dict) -> dict:
    mains = [a for a in body["attachments"] if a["is_main"]]
    assert len(mains) == 1, body["attachments"]
    return mains[0]


def _pdfsig(path: Path) -> str:
    result = subprocess.run(
        ["pdfsig", str(path)], capture_output=True, text=True, timeout=60
    )
    return result.stdout + result.stderr


# The test ----------------------------------------------------------------------


def test_secretary_signs_with_password_then_clerk_seals_at_issue(
    make_context, tmp_path
):
    """GIVEN a draft of commune KH-01 approved by its secretary, who holds a
    signing certificate, and the commune's seal certificate
    WHEN the secretary signs with a wrong password
    THEN an error is shown and the document is neither numbered nor given a file;
    WHEN they sign again with their password
    THEN the document takes its number and symbol and its main file is a PDF
    with one valid signature, shown on the page;
    AND WHEN the clerk numbers and issues it
    THEN the main file carries two valid signatures (the signer's and the
    seal), shown on the page, reported by the API and confirmed by pdfsig."""
    marker = uuid.uuid4().hex[:8]
    excerpt = f"Về việc triển khai chữ ký số {marker}"

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
    assert body["number"] is None and body["attachments"] == [], body
    # The specialist may not sign.
    expect(
        specialist.locator("[data-test=actions] [data-test=open-sign]")
    ).to_have_count(0)

    # The secretary approves it; only then may it be signed.
    secretary = user_page(make_context, "bithu.nhatrang")
    secretary_name = _me(secretary)["full_name"]
    secretary.goto(f"/documents/{document_id}/")
    actions = secretary.locator("[data-test=actions]")
    expect(actions.locator("[data-test=open-sign]")).to_have_count(0)
    with secretary.expect_navigation():
        actions.locator("[data-test=do-approve]").click()
    expect_success(secretary)
    assert api_document(secretary, document_id)["status"] == "approved"

    # A wrong password: an error, and nothing changes.
    form = open_form(secretary, "sign")
    password = form.locator("input[name=password]")
    expect(password).to_have_attribute("type", "password")
    expect(form.locator("input[name=otp_token]")).to_be_visible()
    password.fill("Sai-mat-khau-2026")
    submit_form(secretary, form, "sign")
    messages = secretary.locator(".hoso-messages")
    expect(messages.locator(".alert-danger")).to_have_count(1)
    expect(messages.locator(".alert-success")).to_have_count(0)
    body = api_document(secretary, document_id)
    assert body["status"] == "approved", body
    assert body["number"] is None and not body["symbol"], body
    assert body["attachments"] == [], body
    assert "signed" not in [e["action"] for e in body["events"]], body
    expect(secretary.locator("[data-test=signature-status]")).to_have_count(0)

    # The right password signs.
    form = open_form(secretary, "sign")
    form.locator("input[name=password]").fill(DEMO_PASSWORD)
    submit_form(secretary, form, "sign")
    expect_success(secretary)
    body = api_document(secretary, document_id)
    assert body["number"] and body["symbol"], body
    assert body["status"] == "approved", body
    assert body["signer_name"] == secretary_name, body
    assert ("signed", "bithu.nhatrang") in [
        (e["action"], e["actor"]) for e in body["events"]
    ], body
    main = _main_attachment(body)
    assert main["content_type"] == "application/pdf", main
    assert main["signature_status"] == "valid", main
    assert [(r["signer_cn"], r["status"]) for r in main["signature_report"]] == [
        (secretary_name, "valid")
    ], main
    signed_sha256 = main["sha256"]
    secretary.reload()
    expect(secretary.locator("[data-test=signature-status]")).to_have_count(1)
    expect(secretary.locator("[data-test=signature-line]")).to_have_count(1)
    expect(secretary.locator("[data-test=signature-line]")).to_contain_text(
        secretary_name
    )

    # The clerk issues it: the commune's seal goes on the signed file.
    clerk = user_page(make_context, "vanthu.nhatrang")
    clerk.goto(f"/documents/{document_id}/")
    expect(clerk.locator("[data-test=actions] [data-test=open-sign]")).to_have_count(0)
    form = open_form(clerk, "issue")
    form.locator("input[name=signer_position]").fill("Bí thư")
    form.locator("input[name=signer_name]").fill(secretary_name)
    submit_form(clerk, form, "issue")
    expect_success(clerk)
    issued = api_document(clerk, document_id)
    assert issued["status"] == "issued", issued
    # Signing numbered it; issuing keeps that number.
    assert (issued["number"], issued["symbol"]) == (body["number"], body["symbol"])
    main = _main_attachment(issued)
    assert main["sha256"] != signed_sha256, main
    assert main["signature_status"] == "valid", main
    report = main["signature_report"]
    assert len(report) == 2, report
    assert [r["status"] for r in report] == ["valid", "valid"], report
    assert [r["signer_cn"] for r in report] == [secretary_name, COMMUNE], report
    expect(clerk.locator("[data-test=signature-status]")).to_have_count(1)
    expect(clerk.locator("[data-test=signature-line]")).to_have_count(2)

    # The file downloads from its link on the page, and pdfsig agrees.
    link = clerk.locator(f"a[href='/documents/{document_id}/files/{main['id']}/']")
    with clerk.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == main["name"]
    path = tmp_path / "signed.pdf"
    download.save_as(path)
    data = path.read_bytes()
    assert data.startswith(b"%PDF"), data[:20]
    assert hashlib.sha256(data).hexdigest() == main["sha256"]
    output = _pdfsig(path)
    assert output.count("Signature is Valid.") == 2, output
