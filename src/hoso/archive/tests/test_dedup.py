"""Exact and near duplicates: found at intake, flagged by a scan, decided."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from hoso.archive import services
from hoso.archive.choices import Decision, DuplicateKind
from hoso.archive.models import DocumentFingerprint, DuplicateFlag, FingerprintBand
from hoso.archive.tests.texts import MINUTES, RESOLUTION, RESOLUTION_RESCANNED
from hoso.core.models import AuditEntry
from hoso.documents.models import Document, DocumentEvent


def test_exact_duplicate_found_at_intake_by_hash(make_document, tree):
    """GIVEN a document whose file has a given SHA-256
    WHEN intake asks about a scan with the same SHA-256
    THEN the document is an exact match; another organization's is not."""
    original = make_document(content=b"Ban in giay")
    make_document("b", content=b"Ban in giay")
    sha = original.attachments.get().stored_file.sha256
    matches = services.find_duplicates(tree["a"], sha256=sha)
    assert [(m.document, m.kind, m.similarity) for m in matches] == [
        (original, DuplicateKind.EXACT, 1.0)
    ]
    assert services.find_duplicates(tree["a"], sha256=sha, exclude=original) == []


def test_near_duplicate_found_at_intake_by_text(make_document, tree):
    original = make_document(text=RESOLUTION)
    make_document(text=MINUTES)
    make_document("b", text=RESOLUTION)
    services.scan_organization(tree["a"])
    services.scan_organization(tree["b"])
    matches = services.find_duplicates(tree["a"], text=RESOLUTION_RESCANNED)
    assert len(matches) == 1
    assert matches[0].document == original
    assert matches[0].kind == DuplicateKind.NEAR
    assert matches[0].similarity >= 0.8
    assert services.find_duplicates(tree["a"], text="Một văn bản khác hẳn") == []


def test_scan_flags_exact_and_near_duplicates_once(make_document, tree):
    """GIVEN an archive with a file stored twice and a text scanned twice
    WHEN it is scanned, and scanned again
    THEN one pending flag per pair, newer document first; the second scan
    changes nothing."""
    first = make_document(content=b"Cong van goc")
    copy = make_document(content=b"Cong van goc")
    scan_1 = make_document(text=RESOLUTION)
    scan_2 = make_document(text=RESOLUTION_RESCANNED)
    make_document(text=MINUTES)
    result = services.scan_organization(tree["a"])
    assert result.documents == 5
    assert result.fingerprinted == 5
    assert result.flags_created == 2
    flags = {(f.document, f.other): f for f in DuplicateFlag.objects.all()}
    assert flags[(copy, first)].kind == DuplicateKind.EXACT
    assert flags[(scan_2, scan_1)].kind == DuplicateKind.NEAR
    assert flags[(scan_2, scan_1)].similarity >= 0.8
    assert all(f.decision == Decision.PENDING for f in flags.values())
    assert FingerprintBand.objects.count() == 32 * 3  # the two files have no text

    again = services.scan_organization(tree["a"])
    assert (again.fingerprinted, again.flags_created) == (0, 0)
    assert DuplicateFlag.objects.count() == 2
    assert AuditEntry.objects.filter(action="archive.dedup_scanned").count() == 2


def test_flag_document_at_intake_is_idempotent(make_document, tree, clerks):
    original = make_document(text=RESOLUTION)
    services.flag_document(original)
    newcomer = make_document(text=RESOLUTION_RESCANNED)
    created = services.flag_document(newcomer, acting_user=clerks["a"])
    assert [(f.document, f.other) for f in created] == [(newcomer, original)]
    assert services.flag_document(newcomer) == []
    entry = AuditEntry.objects.get(action="archive.duplicates_flagged")
    assert entry.object_id == str(newcomer.pk)
    assert entry.changes["duplicates"] == [None, [original.pk]]


def test_changed_text_refreshes_the_fingerprint(make_document, tree):
    document = make_document(text=MINUTES)
    first = services.fingerprint_document(document)
    assert services.fingerprint_document(document).source_digest == first.source_digest
    document.attachments.update(text=RESOLUTION)
    document = Document.objects.get(pk=document.pk)
    refreshed = services.fingerprint_document(document)
    assert refreshed.source_digest != first.source_digest
    assert DocumentFingerprint.objects.count() == 1
    assert FingerprintBand.objects.filter(fingerprint=refreshed).count() == 32


def test_other_organizations_never_appear_in_flags(make_document, tree, clerks):
    """GIVEN the same file in communes A and B, and a duplicate inside B
    WHEN both archives are scanned
    THEN no flag pairs A with B, and A's clerk sees only A's flags."""
    a_doc = make_document(content=b"Chung mot tep")
    b_doc = make_document("b", content=b"Chung mot tep")
    b_copy = make_document("b", content=b"Chung mot tep")
    make_document(text=RESOLUTION)
    make_document(text=RESOLUTION_RESCANNED)
    make_document("b", text=RESOLUTION)
    services.scan_organization(tree["a"])
    services.scan_organization(tree["b"])
    for flag in DuplicateFlag.objects.select_related("document", "other"):
        assert flag.document.organization_id == flag.other.organization_id
        assert flag.organization_id == flag.document.organization_id
    seen_by_a = DuplicateFlag.objects.restrict(clerks["a"], "view")
    assert seen_by_a.count() == 1
    assert not seen_by_a.filter(document__organization=tree["b"]).exists()
    assert a_doc not in {
        f.other for f in DuplicateFlag.objects.filter(organization=tree["b"])
    }
    assert DuplicateFlag.objects.filter(document=b_copy, other=b_doc).exists()
    # The province clerk oversees both communes.
    assert DuplicateFlag.objects.restrict(clerks["province"], "view").count() == 2


def test_classified_flags_hidden_without_clearance(make_document, tree, clerks):
    make_document(content=b"Tai lieu mat")
    make_document(content=b"Tai lieu mat", secrecy=1, user=clerks["cleared_a"])
    services.scan_organization(tree["a"])
    flag = DuplicateFlag.objects.get()
    assert flag.secrecy == 1
    assert not DuplicateFlag.objects.restrict(clerks["a"], "view").exists()
    assert DuplicateFlag.objects.restrict(clerks["cleared_a"], "view").exists()


def _pair(make_document, tree):
    older = make_document(content=b"Ban goc")
    newer = make_document(content=b"Ban goc")
    services.scan_organization(tree["a"])
    return DuplicateFlag.objects.get(), older, newer


def test_merge_links_the_newer_to_the_older_and_is_audited(make_document, tree, clerks):
    """GIVEN a pending exact duplicate
    WHEN the clerk merges
    THEN both documents stay, the newer one's timeline points at the older,
    and the decision is audited with who decided."""
    flag, older, newer = _pair(make_document, tree)
    decided = services.decide(flag, Decision.MERGE, clerks["a"], note="Hai bản")
    assert decided.decision == Decision.MERGE
    assert decided.decided_by == clerks["a"]
    assert decided.decided_at is not None
    assert Document.objects.filter(pk__in=[older.pk, newer.pk]).count() == 2
    assert DocumentEvent.objects.filter(
        document=newer, action="archive_merged"
    ).exists()
    assert DocumentEvent.objects.filter(
        document=older, action="archive_duplicate"
    ).exists()
    assert services.merged_into(newer) == older
    assert services.merged_into(older) is None
    entry = AuditEntry.objects.get(action="archive.duplicate_decided")
    assert entry.actor == clerks["a"]
    assert entry.object_type == "archive.duplicateflag"
    assert entry.changes["decision"] == ["pending", "merge"]
    assert entry.organization_id == tree["a"].pk
    assert AuditEntry.objects.filter(
        action="archive.merged", object_id=str(newer.pk)
    ).exists()


@pytest.mark.parametrize("decision", [Decision.KEEP, Decision.IGNORE])
def test_keep_and_ignore_are_audited_and_final(make_document, tree, clerks, decision):
    flag, _older, _newer = _pair(make_document, tree)
    services.decide(flag, decision, clerks["a"])
    entry = AuditEntry.objects.get(action="archive.duplicate_decided")
    assert entry.changes["decision"] == ["pending", decision]
    assert not DocumentEvent.objects.filter(action__startswith="archive_").exists()
    with pytest.raises(ValidationError):
        services.decide(flag, Decision.MERGE, clerks["a"])
    # A rescan does not reopen a decided pair.
    services.scan_organization(tree["a"], rebuild=True)
    assert DuplicateFlag.objects.get().decision == decision


def test_decisions_need_the_permission_and_the_scope(make_document, tree, clerks):
    flag, _older, _newer = _pair(make_document, tree)
    for user in (clerks["b"], clerks["secretary_a"], clerks["member_a"]):
        with pytest.raises(DuplicateFlag.DoesNotExist):
            services.decide(flag, Decision.KEEP, user)
    with pytest.raises(ValidationError):
        services.decide(flag, "delete", clerks["a"])
    assert services.available_decisions(flag, clerks["a"]) == list(services.DECISIONS)
    assert services.available_decisions(flag, clerks["secretary_a"]) == []


def test_dedup_command(make_document, tree, capsys):
    make_document(content=b"Ban goc")
    make_document(content=b"Ban goc")
    call_command("archive", "dedup", tree["a"].code)
    out = capsys.readouterr().out
    assert "2" in out
    assert DuplicateFlag.objects.count() == 1
