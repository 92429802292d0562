"""Archive pages and API: scope (404 outside it), decisions, handover."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hoso.archive import handover, services
from hoso.archive.choices import Decision
from hoso.archive.models import DuplicateFlag, HandoverPackage
from hoso.documents.models import Document


@pytest.fixture
def flags(make_document, tree):
    """One pending exact duplicate in commune A and one in commune B."""
    for org in ("a", "b"):
        make_document(org, content=f"Ban goc {org}".encode())
        make_document(org, content=f"Ban goc {org}".encode())
        services.scan_organization(tree[org])
    return {
        org: DuplicateFlag.objects.get(organization=tree[org]) for org in ("a", "b")
    }


def test_duplicates_page_shows_only_the_users_flags(client, flags, clerks):
    client.force_login(clerks["a"])
    response = client.get(reverse("archive:duplicates"))
    assert response.status_code == 200
    shown = list(response.context["page"])
    assert shown == [flags["a"]]
    assert shown[0].decisions == list(services.DECISIONS)
    assert b'data-test="decide-merge"' in response.content
    assert b'data-test="scan-form"' in response.content


def test_read_only_roles_see_flags_without_buttons(client, flags, clerks):
    client.force_login(clerks["inspector_a"])
    response = client.get(reverse("archive:duplicates"))
    assert list(response.context["page"]) == [flags["a"]]
    assert b"decide-merge" not in response.content
    assert response.context["scan_form"] is None
    client.force_login(clerks["member_a"])
    assert client.get(reverse("archive:duplicates")).status_code == 404


def test_decide_from_the_page(client, flags, clerks):
    client.force_login(clerks["a"])
    url = reverse("archive:decide", args=[flags["a"].pk, "merge"])
    response = client.post(url, {"next": reverse("archive:duplicates")})
    assert response.status_code == 302
    flags["a"].refresh_from_db()
    assert flags["a"].decision == Decision.MERGE
    again = client.post(url, follow=True)
    assert "already decided" in again.content.decode()


def test_decide_outside_scope_is_404(client, flags, clerks):
    client.force_login(clerks["a"])
    url = reverse("archive:decide", args=[flags["b"].pk, "keep"])
    assert client.post(url).status_code == 404
    client.force_login(clerks["secretary_a"])
    url = reverse("archive:decide", args=[flags["a"].pk, "keep"])
    assert client.post(url).status_code == 404
    flags["a"].refresh_from_db()
    assert flags["a"].decision == Decision.PENDING


def test_scan_button_queues_a_task(client, tree, clerks):
    client.force_login(clerks["a"])
    response = client.post(reverse("archive:scan"), {"organization": tree["a"].pk})
    assert response.status_code == 302
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.filter(
        task_path="hoso.archive.tasks.scan_organization"
    ).exists()
    assert (
        client.post(reverse("archive:scan"), {"organization": tree["b"].pk}).status_code
        == 404
    )


def test_scan_task_runs_the_scan(make_document, tree, clerks):
    from hoso.archive import tasks

    make_document(content=b"x1")
    make_document(content=b"x1")
    result = tasks.scan_organization.call(tree["a"].pk, clerks["a"].pk)
    assert result["flags_created"] == 1


def test_api_duplicates_and_decision(client, flags, clerks):
    client.force_login(clerks["a"])
    listed = client.get("/api/v1/archive/duplicates")
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()["items"]] == [flags["a"].pk]
    assert listed.json()["items"][0]["kind"] == "exact"
    decided = client.post(
        f"/api/v1/archive/duplicates/{flags['a'].pk}/decide",
        {"decision": "ignore", "note": "hai bản khác nhau"},
        content_type="application/json",
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["decision"] == "ignore"
    assert decided.json()["decided_by"] == clerks["a"].username
    again = client.post(
        f"/api/v1/archive/duplicates/{flags['a'].pk}/decide",
        {"decision": "merge"},
        content_type="application/json",
    )
    assert again.status_code == 422
    other = client.post(
        f"/api/v1/archive/duplicates/{flags['b'].pk}/decide",
        {"decision": "keep"},
        content_type="application/json",
    )
    assert other.status_code == 404


def test_api_check_is_the_intake_question(client, make_document, tree, clerks):
    document = make_document(content=b"Ban chup")
    sha = document.attachments.get().stored_file.sha256
    client.force_login(clerks["a"])
    response = client.post(
        "/api/v1/archive/duplicates/check",
        {"organization": tree["a"].pk, "sha256": sha},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json() == [
        {
            "document": response.json()[0]["document"],
            "kind": "exact",
            "similarity": 1.0,
        }
    ]
    assert response.json()[0]["document"]["id"] == document.pk
    client.force_login(clerks["b"])
    outside = client.post(
        "/api/v1/archive/duplicates/check",
        {"organization": tree["a"].pk, "sha256": sha},
        content_type="application/json",
    )
    assert outside.status_code == 404


def test_api_scan_queues(client, tree, clerks):
    client.force_login(clerks["a"])
    response = client.post(
        "/api/v1/archive/duplicates/scan",
        {"organization": tree["a"].pk},
        content_type="application/json",
    )
    assert response.status_code == 202
    assert response.json()["task_id"]


def _export_zip(client, ids) -> bytes:
    response = client.post(
        reverse("archive:handover-export"), {"documents": [str(i) for i in ids]}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return b"".join(response.streaming_content)


def test_handover_pages_export_and_import(client, make_document, tree, clerks):
    first = make_document(content=b"Ho so 1")
    second = make_document(content=b"Ho so 2")
    client.force_login(clerks["a"])
    page = client.get(reverse("archive:handover"), {"organization": tree["a"].pk})
    assert page.status_code == 200
    assert set(page.context["candidates"]) == {first, second}
    data = _export_zip(client, [first.pk, second.pk])
    package = HandoverPackage.objects.get()
    assert client.get(package.get_absolute_url()).status_code == 200

    client.force_login(clerks["b"])
    assert client.get(package.get_absolute_url()).status_code == 404
    response = client.post(
        reverse("archive:handover-import"),
        {
            "organization": tree["b"].pk,
            "package": SimpleUploadedFile("goi.zip", data, "application/zip"),
        },
    )
    imported = HandoverPackage.objects.get(direction="import")
    assert response.status_code == 302
    assert response.url == imported.get_absolute_url()
    assert Document.objects.filter(organization=tree["b"]).count() == 2


def _alter(data: bytes, member_part: str) -> tuple[bytes, str]:
    """Flip one byte of the first zip member whose name contains
    `member_part`; return the new zip and the member's name in the bag."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    altered = ""
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if not altered and member_part in info.filename and not info.is_dir():
                content = bytes([content[0] ^ 1]) + content[1:]
                altered = info.filename.split("/", 1)[1]
            target.writestr(info, content)
    return out.getvalue(), altered


def test_altered_package_is_refused_on_the_page_and_the_api(
    client, make_document, tree, clerks
):
    first = make_document(content=b"Ho so goc")
    client.force_login(clerks["a"])
    data, altered = _alter(_export_zip(client, [first.pk]), "/files/")
    assert altered.startswith(f"data/{first.pk}/files/")
    client.force_login(clerks["b"])
    page = client.post(
        reverse("archive:handover-import"),
        {
            "organization": tree["b"].pk,
            "package": SimpleUploadedFile("goi.zip", data, "application/zip"),
        },
    )
    assert page.status_code == 200
    assert altered in " ".join(page.context["form"].errors["package"])
    api = client.post(
        "/api/v1/archive/packages/import",
        {
            "organization": tree["b"].pk,
            "file": SimpleUploadedFile("goi.zip", data, "application/zip"),
        },
    )
    assert api.status_code == 422
    assert any(altered in item["message"] for item in api.json()["detail"])
    assert not Document.objects.filter(organization=tree["b"]).exists()


def test_api_export_and_import(client, make_document, tree, clerks):
    first = make_document(content=b"Ho so API")
    client.force_login(clerks["a"])
    exported = client.post(
        "/api/v1/archive/packages/export",
        {"documents": [first.pk]},
        content_type="application/json",
    )
    assert exported.status_code == 200
    data = b"".join(exported.streaming_content)
    assert (
        client.post(
            "/api/v1/archive/packages/export",
            {"documents": [first.pk + 999]},
            content_type="application/json",
        ).status_code
        == 404
    )
    client.force_login(clerks["b"])
    assert (
        client.post(
            "/api/v1/archive/packages/export",
            {"documents": [first.pk]},
            content_type="application/json",
        ).status_code
        == 404
    )
    imported = client.post(
        "/api/v1/archive/packages/import",
        {
            "organization": tree["b"].pk,
            "file": SimpleUploadedFile("goi.zip", data, "application/zip"),
        },
    )
    assert imported.status_code == 201, imported.content
    body = imported.json()
    assert body["direction"] == "import"
    assert len(body["documents"]) == 1
    listed = client.get("/api/v1/archive/packages")
    assert [item["id"] for item in listed.json()["items"]] == [body["id"]]
    assert client.get(f"/api/v1/archive/packages/{body['id']}").status_code == 200
    client.force_login(clerks["a"])
    assert client.get(f"/api/v1/archive/packages/{body['id']}").status_code == 404
    outside = client.post(
        "/api/v1/archive/packages/import",
        {
            "organization": tree["b"].pk,
            "file": SimpleUploadedFile("goi.zip", data, "application/zip"),
        },
    )
    assert outside.status_code == 404


def test_export_page_leaves_out_classified_records(client, make_document, tree, clerks):
    make_document(content=b"Mat", secrecy=1, user=clerks["cleared_a"])
    plain = make_document(content=b"Thuong")
    client.force_login(clerks["a"])
    page = client.get(reverse("archive:handover"), {"organization": tree["a"].pk})
    assert page.context["candidates"] == [plain]


def test_anonymous_users_are_sent_to_sign_in(client, tree):
    for name in ("archive:duplicates", "archive:handover", "archive:handover-import"):
        response = client.get(reverse(name))
        assert response.status_code == 302
    assert client.get("/api/v1/archive/duplicates").status_code == 401


def test_handover_module_refuses_unknown_types(tmp_path):
    assert handover._safe_name("../../a/b:c.pdf", 1) == "01-b_c.pdf"


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_lists_do_not_grow_queries_with_rows(client, make_document, tree, clerks):
    """Query-count baseline: one more flag or package adds no query."""
    client.force_login(clerks["a"])

    def add_pair(n):
        make_document(content=f"Cap {n}".encode())
        make_document(content=f"Cap {n}".encode())
        services.scan_organization(tree["a"])
        handover.export_zip(
            list(Document.objects.filter(organization=tree["a"])[:1]),
            acting_user=clerks["a"],
        )[1].close()

    add_pair(1)
    urls = [
        reverse("archive:duplicates"),
        "/api/v1/archive/duplicates",
        "/api/v1/archive/packages",
        reverse("archive:handover"),
    ]
    baseline = [_queries(client, url) for url in urls]
    add_pair(2)
    add_pair(3)
    assert [_queries(client, url) for url in urls] == baseline
