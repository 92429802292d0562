"""Documents API: register with files, list filters, transitions, errors."""

import datetime

import pytest
from django.utils import timezone

from hoso.documents.models import Document


def _minimal_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Cong van so 12")
    return bytes(pdf.output())


@pytest.fixture
def clerk_client(client, staff):
    client.force_login(staff["clerk_a"].user)
    return client


def _register(client, tree, nq, **extra):
    data = {
        "organization": tree["a"].pk,
        "doc_type": nq.pk,
        "symbol": "12-CV/TU",
        "issuer_name": "Tỉnh ủy Thử",
        "excerpt": "Về việc báo cáo chuyển đổi số",
        **extra,
    }
    return client.post("/api/v1/documents/incoming", data)


def test_register_incoming_with_file(clerk_client, tree, nq):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("cong-van.pdf", _minimal_pdf(), "application/pdf")
    response = _register(clerk_client, tree, nq, files=[upload])
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["arrival_number"] == 1
    assert body["organization"] == tree["a"].pk
    assert body["attachments"][0]["content_type"] == "application/pdf"
    download = clerk_client.get(
        f"/api/v1/documents/{body['id']}/files/{body['attachments'][0]['id']}"
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert "attachment" in download["Content-Disposition"]


def test_register_rejects_a_disguised_file(clerk_client, tree, nq):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    response = _register(clerk_client, tree, nq, files=[upload])
    assert response.status_code == 422
    assert not Document.objects.exists()


def test_register_validation_names_fields(clerk_client, tree, nq):
    response = _register(clerk_client, tree, nq, excerpt="", doc_type=99999)
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["detail"]}
    assert "excerpt" in fields
    assert not Document.objects.exists()


def test_register_outside_scope_is_404(clerk_client, tree, nq):
    response = _register(clerk_client, tree, nq, organization=tree["b"].pk)
    assert response.status_code == 404


def test_transitions_and_list_filters(client, tree, staff, nq):
    client.force_login(staff["clerk_a"].user)
    doc_id = _register(client, tree, nq).json()["id"]
    _register(client, tree, nq, symbol="13-CV/TU", excerpt="Về hội nghị")
    response = client.post(
        f"/api/v1/documents/{doc_id}/present",
        {"leader": staff["secretary_a"].pk},
        content_type="application/json",
    )
    assert response.json()["status"] == "presented"
    # The clerk may not instruct.
    denied = client.post(
        f"/api/v1/documents/{doc_id}/instruct",
        {"assignments": [{"role": "lead", "person": staff["specialist_a"].pk}]},
        content_type="application/json",
    )
    assert denied.status_code == 404
    client.force_login(staff["secretary_a"].user)
    deadline = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = client.post(
        f"/api/v1/documents/{doc_id}/instruct",
        {
            "assignments": [{"role": "lead", "person": staff["specialist_a"].pk}],
            "deadline": deadline,
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["due_date"] == deadline
    wrong = client.post(f"/api/v1/documents/{doc_id}/register")
    assert wrong.status_code == 404  # the secretary has no register permission
    listed = client.get("/api/v1/documents", {"status": "instructed"}).json()
    assert [item["id"] for item in listed["items"]] == [doc_id]
    by_symbol = client.get("/api/v1/documents", {"symbol": "13-cv/tu"}).json()
    assert by_symbol["count"] == 1
    sorted_items = client.get("/api/v1/documents", {"sort": "arrival_number"}).json()
    assert [i["arrival_number"] for i in sorted_items["items"]] == [1, 2]


def test_outgoing_via_api(client, tree, staff, nq):
    client.force_login(staff["specialist_a"].user)
    draft = client.post(
        "/api/v1/documents/drafts",
        {
            "organization": tree["a"].pk,
            "doc_type": nq.pk,
            "excerpt": "Về công tác cán bộ",
        },
        content_type="application/json",
    ).json()
    client.force_login(staff["secretary_a"].user)
    assert (
        client.post(
            f"/api/v1/documents/{draft['id']}/approve",
            {},
            content_type="application/json",
        ).json()["status"]
        == "approved"
    )
    client.force_login(staff["clerk_a"].user)
    issued = client.post(
        f"/api/v1/documents/{draft['id']}/issue",
        {"recipients": [tree["b"].pk], "signer_name": "Nguyễn Văn A"},
        content_type="application/json",
    ).json()
    assert issued["symbol"] == "01-NQ/ĐU"
    assert issued["recipients"][0]["status"] == "01"
    client.force_login(staff["clerk_b"].user)
    inbox = client.get("/api/v1/documents", {"status": "received"}).json()
    assert inbox["items"][0]["symbol"] == "01-NQ/ĐU"


def test_reserve_number_then_issue_with_it(client, tree, staff, nq):
    client.force_login(staff["clerk_a"].user)
    reserved = client.post(
        "/api/v1/documents/reserve-number",
        {"organization": tree["a"].pk, "doc_type": nq.pk, "note": "Nghị quyết đại hội"},
        content_type="application/json",
    )
    assert reserved.status_code == 201
    assert reserved.json()["number"] == 1
    client.force_login(staff["specialist_a"].user)
    draft = client.post(
        "/api/v1/documents/drafts",
        {"organization": tree["a"].pk, "doc_type": nq.pk, "excerpt": "Nghị quyết"},
        content_type="application/json",
    ).json()
    client.force_login(staff["secretary_a"].user)
    client.post(
        f"/api/v1/documents/{draft['id']}/approve", {}, content_type="application/json"
    )
    client.force_login(staff["clerk_a"].user)
    issued = client.post(
        f"/api/v1/documents/{draft['id']}/issue",
        {"reservation": reserved.json()["id"]},
        content_type="application/json",
    ).json()
    assert issued["number"] == 1
