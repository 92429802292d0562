"""Scan intake end to end: upload → OCR progress → review → searchable.

The real server and Debian's Chromium (see conftest.py); the OCR and the
search index update run in the real worker (`hoso worker --batch`) the
test starts beside the browser.

GIVEN the clerk of commune Nha Trang
WHEN they upload a scanned page, watch its progress bar while a worker runs
the OCR job, review the extracted fields, correct some and confirm them
THEN an incoming document is registered with an arrival number, the
searchable PDF/A and the original attached, the corrections are kept as
labelled data, and the search box finds the document by a word that exists
only in the scanned text.
"""

from __future__ import annotations

import json
import random
import re
import threading

import pytest
from conftest import sign_in
from playwright.sync_api import expect

from hoso.digitization.tests import scanpages

pytestmark = pytest.mark.e2e


def _run_worker(server) -> threading.Thread:
    """Run the queued jobs (`hoso worker --batch`) beside the browser."""
    errors: list[BaseException] = []

    def work():
        try:
            server._manage("worker", "--batch")
        except BaseException as exc:  # reported by the caller
            errors.append(exc)

    thread = threading.Thread(target=work, daemon=True)
    thread.errors = errors
    thread.start()
    return thread


def _join(thread: threading.Thread) -> None:
    thread.join(timeout=300)
    assert not thread.is_alive(), "the worker did not finish"
    assert not thread.errors, thread.errors


def test_scan_from_upload_to_searchable_document(make_context, hoso_server, tmp_path):
    code = str(random.randint(100000, 999999))
    lines = [
        *scanpages.RESOLUTION_57[:12],
        [(0, f"Mã lưu trữ {code}", False)],
        *scanpages.RESOLUTION_57[12:],
    ]
    scan = tmp_path / f"nghi-quyet-{code}.png"
    scan.write_bytes(scanpages.png_bytes(scanpages.page_image(lines)))

    page = make_context().new_page()
    sign_in(page, "vanthu.nhatrang")
    expect(page).to_have_url(re.compile(r"://[^/]+/$"))

    # Upload.
    page.goto("/digitization/upload/")
    expect(page.locator("[data-test=upload-form]")).to_be_visible()
    expect(page.locator("#id_organization")).not_to_have_value("")
    page.fill("#id_name", f"Hộp {code}")
    page.set_input_files("#id_files", str(scan))
    with page.expect_navigation():
        page.click("#upload-scans")
    expect(page).to_have_url(re.compile(r"/digitization/batches/\d+/$"))
    progress = page.locator("#batch-progress")
    expect(progress).to_have_attribute("data-status", "queued")
    expect(page.locator("progress").first).to_be_visible()

    # The worker reads it; the page follows by itself (htmx every 2 s).
    worker = _run_worker(hoso_server)
    expect(progress).to_have_attribute("data-status", "done", timeout=180_000)
    _join(worker)
    item = page.locator("[data-test=item]")
    expect(item).to_have_attribute("data-status", "done")
    expect(item.locator("[data-test=searchable]")).to_be_visible()

    # Review: the page image and its text beside the proposed fields.
    with page.expect_navigation():
        item.locator("[data-test=review-item]").click()
    expect(page).to_have_url(re.compile(r"/digitization/review/\d+/$"))
    record_id = int(re.search(r"/review/(\d+)/$", page.url).group(1))
    expect(page.locator("[data-test=preview]")).to_be_visible()
    expect(page.locator("[data-test=ocr-text]")).to_contain_text(code)
    form = page.locator("[data-test=review-form]")
    expect(form).to_be_visible()
    page.select_option("#id_doc_type", label="Nghị quyết (NQ)")
    page.fill("#id_symbol", f"{code[:3]}-NQ/TU")
    page.fill("#id_issuer_name", "Tỉnh ủy Khánh Hòa")
    page.fill("#id_excerpt", "Về chuyển đổi số trong các cơ quan đảng")
    page.fill("#id_issued_date", "2025-03-15")
    page.select_option("#id_urgency", "0")
    with page.expect_navigation():
        page.click("#confirm-record")
    # The clerk moves on (the next record, or the new document); the
    # success message carries the arrival number.
    messages = page.locator(".hoso-messages")
    expect(messages.locator(".alert-danger")).to_have_count(0)
    expect(messages.locator(".alert-success")).to_contain_text(re.compile(r"\d+"))
    record = page.request.get(f"/api/v1/intake/records/{record_id}").json()
    assert record["status"] == "confirmed", record
    assert "symbol" in record["corrected"], record  # 57-NQ/TU was read
    document_id = record["document"]
    page.goto(f"/documents/{document_id}/")
    expect(page.locator("[data-test=arrival-number]")).to_have_text(
        re.compile(r"^\s*\d+ / \d{4}\s*$")
    )
    body = page.request.get(f"/api/v1/documents/{document_id}").json()
    assert body["status"] == "registered", body
    assert len(body["attachments"]) == 2, body
    assert body["attachments"][0]["name"].endswith(".pdf"), body

    # The clerk's corrections are labelled data, exportable as JSON lines.
    labels = page.request.get("/digitization/labels.jsonl")
    assert labels.ok, labels.text()
    rows = [json.loads(line) for line in labels.text().splitlines() if line]
    (row,) = [row for row in rows if row["id"] == record_id]
    assert row["final"]["symbol"] == f"{code[:3]}-NQ/TU", row
    assert code in row["text"], row

    # Searchable through the search box: the code exists only in the
    # scanned text.
    _join(_run_worker(hoso_server))  # the search index update job
    box = page.locator("form[role=search] input[name=q]")
    box.fill(code)
    with page.expect_navigation():
        box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=" + code))
    hit = page.locator(f"[data-test=hit-{document_id}]")
    expect(hit).to_be_visible()
    expect(hit.locator("mark").first).to_have_text(code)
    with page.expect_navigation():
        hit.locator("a").first.click()
    expect(page).to_have_url(re.compile(rf"/documents/{document_id}/$"))
