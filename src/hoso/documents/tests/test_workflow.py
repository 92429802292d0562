"""The incoming and outgoing workflows, internal dispatch and status flow."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from hoso.core.models import AuditEntry
from hoso.documents import services
from hoso.documents.choices import RecipientStatus, Status, Urgency
from hoso.documents.models import Document


def test_register_gives_sequential_arrival_numbers(incoming):
    """GIVEN a clerk WHEN they register three documents THEN arrival numbers
    run 1, 2, 3 in the year and each registration is audited."""
    numbers = [incoming().arrival_number for _ in range(3)]
    assert numbers == [1, 2, 3]
    assert AuditEntry.objects.filter(action="documents.registered").count() == 3


def test_arrival_numbers_are_per_organization(incoming, tree, staff, nq):
    incoming()
    other = services.create_incoming(
        organization=tree["b"],
        acting_user=staff["clerk_b"].user,
        doc_type=nq,
        issuer_name="Tỉnh ủy",
        excerpt="Kế hoạch",
    )
    assert other.arrival_number == 1


def test_full_incoming_path(incoming, staff):
    """GIVEN a registered document WHEN the clerk presents it, the secretary
    instructs the specialist, who processes and completes it THEN each step is
    on the timeline and in the audit log."""
    document = incoming()
    services.present(
        document, acting_user=staff["clerk_a"].user, leader=staff["secretary_a"]
    )
    deadline = timezone.localdate() + datetime.timedelta(days=7)
    services.instruct(
        document,
        acting_user=staff["secretary_a"].user,
        assignments=[{"role": "lead", "person": staff["specialist_a"]}],
        deadline=deadline,
        note="Đề nghị tham mưu kế hoạch thực hiện",
    )
    services.start_processing(document, acting_user=staff["specialist_a"].user)
    services.complete(document, acting_user=staff["specialist_a"].user, note="Xong")
    document.refresh_from_db()
    assert document.status == Status.COMPLETED
    assert document.due_date == deadline
    actions = list(document.events.values_list("action", flat=True))
    assert actions == [
        "received",
        "registered",
        "presented",
        "instructed",
        "processing",
        "completed",
    ]
    assert AuditEntry.objects.filter(object_id=str(document.pk)).count() >= 6


def test_wrong_transitions_are_refused(incoming, staff):
    document = incoming()
    with pytest.raises(ValidationError) as error:
        services.start_processing(document, acting_user=staff["specialist_a"].user)
    assert "status" in error.value.message_dict
    services.complete(document, acting_user=staff["secretary_a"].user)
    with pytest.raises(ValidationError):
        services.present(
            document, acting_user=staff["clerk_a"].user, leader=staff["secretary_a"]
        )


def test_instruction_needs_exactly_one_lead(incoming, staff):
    document = incoming()
    with pytest.raises(ValidationError) as error:
        services.instruct(
            document,
            acting_user=staff["secretary_a"].user,
            assignments=[{"role": "coordinate", "person": staff["specialist_a"]}],
        )
    assert "assignments" in error.value.message_dict
    document.refresh_from_db()
    assert document.status == Status.REGISTERED
    assert not document.assignments.exists()


def test_clerk_cannot_instruct(incoming, staff):
    document = incoming()
    with pytest.raises(Document.DoesNotExist):
        services.instruct(
            document,
            acting_user=staff["clerk_a"].user,
            assignments=[{"role": "lead", "person": staff["specialist_a"]}],
        )


def test_other_commune_cannot_touch(incoming, staff):
    document = incoming()
    with pytest.raises(Document.DoesNotExist):
        services.register_incoming(document, acting_user=staff["clerk_b"].user)
    assert not Document.objects.restrict(staff["clerk_b"].user).filter(pk=document.pk)


def test_urgent_document_is_presented_at_once(incoming, staff):
    document = incoming(urgency=Urgency.FLASH)
    assert document.status == Status.PRESENTED
    assert document.presented_to == staff["secretary_a"]


def test_return_with_reason(incoming, staff):
    document = incoming()
    services.present(
        document, acting_user=staff["clerk_a"].user, leader=staff["secretary_a"]
    )
    with pytest.raises(ValidationError):
        services.return_document(
            document, acting_user=staff["secretary_a"].user, reason=" "
        )
    services.return_document(
        document, acting_user=staff["secretary_a"].user, reason="Sai đơn vị nhận"
    )
    document.refresh_from_db()
    assert document.status == Status.REGISTERED
    assert document.events.last().note == "Sai đơn vị nhận"


def test_duplicate_alert(incoming, tree):
    first = incoming()
    second = incoming()
    duplicates = services.find_duplicates(
        tree["a"], " 57-nq/tw ", "ban chấp hành trung ương", exclude=second
    )
    assert list(duplicates) == [first]


def test_overdue_list(incoming, staff):
    document = incoming()
    services.instruct(
        document,
        acting_user=staff["secretary_a"].user,
        assignments=[{"role": "lead", "person": staff["specialist_a"]}],
        deadline=timezone.localdate(),
    )
    assert not services.overdue(staff["secretary_a"].user).exists()
    Document.objects.filter(pk=document.pk).update(
        due_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert list(services.overdue(staff["secretary_a"].user)) == [document]
    assert list(services.assigned_to(staff["specialist_a"].user)) == [document]


def test_bad_metadata_writes_nothing(tree, staff, nq):
    before = Document.objects.count()
    with pytest.raises(ValidationError) as error:
        services.create_incoming(
            organization=tree["a"],
            acting_user=staff["clerk_a"].user,
            doc_type=nq,
            issuer_name="X",
            excerpt="",
        )
    assert "excerpt" in error.value.message_dict
    assert Document.objects.count() == before


# Outgoing and internal dispatch ------------------------------------------------


@pytest.fixture
def issued(tree, staff, nq):
    """A resolution drafted, approved and issued by commune A to commune B and
    the province."""

    def make(recipients=("b", "province")):
        draft = services.create_draft(
            organization=tree["a"],
            acting_user=staff["specialist_a"].user,
            doc_type=nq,
            excerpt="Về chuyển đổi số trong các cơ quan đảng",
            body="Nội dung nghị quyết",
        )
        services.update_draft(
            draft, acting_user=staff["specialist_a"].user, body="Bản 2"
        )
        services.approve(draft, acting_user=staff["secretary_a"].user)
        return services.issue(
            draft,
            acting_user=staff["clerk_a"].user,
            recipients=[tree[key] for key in recipients],
            signer_name=staff["secretary_a"].full_name,
            signer_position="Bí thư",
            signer_authority="T/M",
        )

    return make


def test_issue_numbers_per_type_and_builds_symbol(issued, tree):
    first, second = issued(), issued()
    assert (first.number, second.number) == (1, 2)
    assert first.symbol == "01-NQ/ĐU"
    assert first.status == Status.ISSUED
    assert first.versions.count() == 2


def test_state_style_numbers_per_year(issued, tree):
    from hoso.organizations.choices import DocumentStyle

    tree["a"].document_style = DocumentStyle.STATE
    tree["a"].save()
    document = issued()
    assert document.symbol == "01/NQ-ĐU"
    assert document.numbering_scope == f"out:state:{timezone.localdate().year}"


def test_dispatch_arrives_and_status_flows_back(issued, tree, staff):
    """GIVEN an issued document addressed to commune B WHEN B registers,
    instructs and completes its copy THEN A sees each status per recipient."""
    document = issued()
    copy = Document.objects.get(
        organization=tree["b"], source_recipient__document=document
    )
    assert copy.status == Status.RECEIVED
    assert copy.symbol == document.symbol
    recipient = document.dispatches.get(organization=tree["b"])
    assert recipient.status == RecipientStatus.ARRIVED
    services.register_incoming(copy, acting_user=staff["clerk_b"].user)
    recipient.refresh_from_db()
    assert recipient.status == RecipientStatus.ACCEPTED
    services.instruct(
        copy,
        acting_user=staff["secretary_b"].user,
        assignments=[{"role": "lead", "person": staff["secretary_b"]}],
    )
    recipient.refresh_from_db()
    assert recipient.status == RecipientStatus.ASSIGNED
    services.complete(copy, acting_user=staff["secretary_b"].user)
    recipient.refresh_from_db()
    assert recipient.status == RecipientStatus.COMPLETED
    # The province's copy is independent.
    assert document.dispatches.get(organization=tree["province"]).status == "01"


def test_refusal_reason_reaches_sender(issued, tree, staff):
    document = issued()
    copy = Document.objects.get(
        organization=tree["b"], source_recipient__document=document
    )
    services.refuse(
        copy, acting_user=staff["clerk_b"].user, reason="Không đúng thẩm quyền"
    )
    recipient = document.dispatches.get(organization=tree["b"])
    assert recipient.status == RecipientStatus.REFUSED
    assert recipient.reason == "Không đúng thẩm quyền"


def test_recall_withdraws_copies(issued, tree, staff):
    document = issued()
    services.recall(document, acting_user=staff["clerk_a"].user, reason="Sai sót")
    copies = Document.objects.filter(source_recipient__document=document)
    assert {c.status for c in copies} == {Status.WITHDRAWN}
    assert set(document.dispatches.values_list("status", flat=True)) == {"15"}


def test_issue_needs_approval(tree, staff, nq):
    draft = services.create_draft(
        organization=tree["a"],
        acting_user=staff["specialist_a"].user,
        doc_type=nq,
        excerpt="Dự thảo",
    )
    with pytest.raises(ValidationError):
        services.issue(draft, acting_user=staff["clerk_a"].user)
    with pytest.raises(Document.DoesNotExist):
        services.approve(draft, acting_user=staff["clerk_a"].user)


def test_reserved_number_is_used_once(tree, staff, nq):
    reservation = services.reserve_number(
        organization=tree["a"], acting_user=staff["clerk_a"].user, doc_type=nq
    )
    draft = services.create_draft(
        organization=tree["a"],
        acting_user=staff["specialist_a"].user,
        doc_type=nq,
        excerpt="Dùng số giữ chỗ",
    )
    services.approve(draft, acting_user=staff["secretary_a"].user)
    document = services.issue(
        draft, acting_user=staff["clerk_a"].user, reservation=reservation
    )
    assert document.number == reservation.number == 1
    second = services.create_draft(
        organization=tree["a"],
        acting_user=staff["specialist_a"].user,
        doc_type=nq,
        excerpt="Số tiếp theo",
    )
    services.approve(second, acting_user=staff["secretary_a"].user)
    with pytest.raises(ValidationError):
        services.issue(
            second, acting_user=staff["clerk_a"].user, reservation=reservation
        )
    assert services.issue(second, acting_user=staff["clerk_a"].user).number == 2


def test_opinions(tree, staff, nq):
    draft = services.create_draft(
        organization=tree["a"],
        acting_user=staff["specialist_a"].user,
        doc_type=nq,
        excerpt="Xin ý kiến",
    )
    services.request_opinions(
        draft, acting_user=staff["specialist_a"].user, people=[staff["secretary_a"]]
    )
    with pytest.raises(PermissionDenied):
        services.give_opinion(draft, acting_user=staff["clerk_a"].user, text="?")
    opinion = services.give_opinion(
        draft, acting_user=staff["secretary_a"].user, text="Đồng ý"
    )
    assert opinion.given_at is not None
    draft.refresh_from_db()
    assert draft.status == Status.IN_REVIEW


def test_moving_a_subtree_moves_its_documents(incoming, tree, staff, make_user):
    from hoso.organizations import services as org_services

    document = incoming()
    secretary = make_user("secretary", tree["central"])
    org_services.update_organization(
        tree["a"], acting_user=secretary, parent=tree["central"]
    )
    document.refresh_from_db()
    tree["a"].refresh_from_db()
    assert document.org_path == tree["a"].path
