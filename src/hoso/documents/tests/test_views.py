"""Document pages: registration form, desks, actions, home page counts."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hoso.documents import services
from hoso.documents.choices import Status
from hoso.documents.models import Document


def test_registration_form_registers_and_warns_on_duplicates(client, tree, staff, nq):
    client.force_login(staff["clerk_a"].user)
    page = client.get(reverse("documents:incoming-add"))
    assert page.context["form"].initial["organization"] == tree["a"].pk
    data = {
        "organization": tree["a"].pk,
        "doc_type": nq.pk,
        "symbol": "57-NQ/TW",
        "issuer_name": "Ban Chấp hành Trung ương",
        "excerpt": "Về đột phá phát triển khoa học, công nghệ",
        "urgency": 0,
        "secrecy": 0,
        "files": [SimpleUploadedFile("nq57.txt", "Nghị quyết 57".encode())],
    }
    response = client.post(reverse("documents:incoming-add"), data)
    document = Document.objects.get()
    assert response.url == document.get_absolute_url()
    assert document.attachments.count() == 1
    data.pop("files")
    again = client.post(reverse("documents:incoming-add"), data)
    assert again.status_code == 200
    assert again.context["duplicates"] == [document]
    assert Document.objects.count() == 1
    data["confirm_duplicate"] = "on"
    client.post(reverse("documents:incoming-add"), data)
    assert Document.objects.count() == 2


def test_actions_drive_the_workflow(client, incoming, staff):
    document = incoming()
    client.force_login(staff["clerk_a"].user)
    page = client.get(document.get_absolute_url())
    assert [name for name, _label in page.context["actions"]] == ["present"]
    client.post(
        reverse("documents:action", args=[document.pk, "present"]),
        {"leader": staff["secretary_a"].pk},
    )
    client.force_login(staff["secretary_a"].user)
    home = client.get("/")
    assert ("Documents waiting for my instruction", 1) in [
        (str(label), count) for label, count, _url in home.context["waiting"]
    ]
    awaiting = client.get(reverse("documents:awaiting"))
    assert list(awaiting.context["table"].data) == [document]
    client.post(
        reverse("documents:action", args=[document.pk, "instruct"]),
        {"lead_person": staff["specialist_a"].pk, "note": "Tham mưu"},
    )
    document.refresh_from_db()
    assert document.status == Status.INSTRUCTED
    client.force_login(staff["specialist_a"].user)
    assert list(client.get(reverse("documents:assigned")).context["table"].data) == [
        document
    ]
    client.post(
        reverse("documents:action", args=[document.pk, "complete"]), {"note": "Xong"}
    )
    document.refresh_from_db()
    assert document.status == Status.COMPLETED


def test_action_errors_become_messages(client, incoming, staff):
    document = incoming()
    client.force_login(staff["secretary_a"].user)
    response = client.post(
        reverse("documents:action", args=[document.pk, "return"]),
        {"reason": ""},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert messages
    document.refresh_from_db()
    assert document.status == Status.REGISTERED


def test_outgoing_pages(client, tree, staff, nq):
    client.force_login(staff["specialist_a"].user)
    response = client.post(
        reverse("documents:draft-add"),
        {
            "organization": tree["a"].pk,
            "direction": "outgoing",
            "doc_type": nq.pk,
            "excerpt": "Về tổ chức đại hội chi bộ",
            "body": "Nội dung",
            "urgency": 0,
            "secrecy": 0,
        },
    )
    document = Document.objects.get()
    assert response.url == document.get_absolute_url()
    client.post(
        reverse("documents:draft-edit", args=[document.pk]),
        {
            "excerpt": "Về tổ chức đại hội chi bộ nhiệm kỳ 2025-2030",
            "urgency": 0,
            "secrecy": 0,
        },
    )
    assert document.versions.count() == 2
    client.force_login(staff["secretary_a"].user)
    client.post(reverse("documents:action", args=[document.pk, "approve"]))
    client.force_login(staff["clerk_a"].user)
    client.post(
        reverse("documents:action", args=[document.pk, "issue"]),
        {
            "signer_position": "Bí thư",
            "signer_name": staff["secretary_a"].full_name,
            "recipients": [tree["b"].pk],
        },
    )
    document.refresh_from_db()
    assert document.status == Status.ISSUED
    page = client.get(document.get_absolute_url())
    assert b'data-test="recipients"' in page.content
    assert services.inbox(staff["clerk_b"].user).count() == 1


def test_follow_up_register_download(client, incoming, staff):
    incoming()
    client.force_login(staff["clerk_a"].user)
    response = client.get(
        reverse("documents:register-export", args=["follow-up", "xlsx"])
    )
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert (
        client.get(
            reverse("documents:register-export", args=["nonsense", "xlsx"])
        ).status_code
        == 404
    )
