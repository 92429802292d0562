"""Handover packages: BagIt export, verified import, refusal of altered bags."""

import io
import json
import zipfile
from datetime import date
from pathlib import Path

import bagit
import pytest
from django.core.exceptions import ValidationError

from hoso.archive import handover
from hoso.archive.choices import PackageDirection
from hoso.archive.models import HandoverPackage
from hoso.core.models import AuditEntry
from hoso.documents.models import Document, DocumentEvent

COMPARED = [
    "symbol",
    "issuer_name",
    "excerpt",
    "issued_date",
    "doc_type_id",
    "page_count",
    "signer_name",
    "place",
    "body",
]


@pytest.fixture
def records(make_document, clerks, cv):
    """Two records of commune A with files and text, and a classified one."""
    first = make_document(
        content="Nghị quyết số 57, bản gốc".encode(),
        text="Nghị quyết số 57 về khoa học công nghệ",
        issued_date=date(2025, 1, 6),
        page_count=4,
        signer_name="Nguyễn Văn A",
        place="Hà Nội",
    )
    second = make_document(
        content=b"Cong van 12", doc_type=cv, issued_date=date(2025, 2, 1)
    )
    secret = make_document(
        content=b"Mat", secrecy=1, user=clerks["cleared_a"], page_count=1
    )
    return first, second, secret


def _hashes(document):
    return sorted(
        document.attachments.values_list("stored_file__sha256", "name", "is_main")
    )


def test_round_trip_into_another_organization(records, tree, clerks, tmp_path):
    """GIVEN two records and a classified one in commune A
    WHEN a cleared clerk exports them and B's clerk imports the bag
    THEN the bag is a valid BagIt bag (sha256 + sha512) without the
    classified record, and B holds two registered records with the same
    metadata, files and text; everything is audited."""
    first, second, secret = records
    bag_path = handover.export_bag(
        records, acting_user=clerks["cleared_a"], dest_dir=tmp_path
    )
    bag = bagit.Bag(str(bag_path))
    assert bag.validate()
    assert set(bag.algorithms) == {"sha256", "sha512"}
    for tag in ("Source-Organization", "Bagging-Date", "Payload-Oxum"):
        assert bag.info[tag]
    assert bag.info["Source-Organization"] == tree["a"].name
    assert bag.info["External-Identifier"] == bag_path.name
    data = bag_path / "data"
    assert sorted(p.name for p in data.iterdir()) == sorted(
        [str(first.pk), str(second.pk), "audit.jsonl", "handover.json"]
    )
    metadata = json.loads((data / str(first.pk) / "metadata.json").read_text())
    assert metadata["fields"]["symbol"] == first.symbol
    assert metadata["attachments"][0]["signature_status"] is not None
    assert "signature_report" in metadata["attachments"][0]
    assert metadata["events"][0]["action"] == "received"
    index = json.loads((data / "handover.json").read_text())
    assert index["skipped"] == [{"id": secret.pk, "reason": "classified"}]
    audit_lines = [
        json.loads(line) for line in (data / "audit.jsonl").read_text().splitlines()
    ]
    assert {line["object_id"] for line in audit_lines} == {
        str(first.pk),
        str(second.pk),
    }
    exported = HandoverPackage.objects.get(direction=PackageDirection.EXPORT)
    assert exported.skipped == index["skipped"]
    assert set(exported.documents.all()) == {first, second}
    assert AuditEntry.objects.filter(action="archive.exported").count() == 2

    imported = handover.import_bag(
        bag_path, organization=tree["b"], acting_user=clerks["b"]
    )
    assert len(imported) == 2
    for original, copy in zip([first, second], imported, strict=True):
        original.refresh_from_db()
        assert copy.organization == tree["b"]
        assert copy.arrival_number is not None
        for name in COMPARED:
            assert getattr(copy, name) == getattr(original, name), name
        assert _hashes(copy) == _hashes(original)
    assert imported[0].attachments.get().text == first.attachments.get().text
    assert DocumentEvent.objects.filter(
        document=imported[0], action="archive_imported"
    ).exists()
    assert AuditEntry.objects.filter(action="archive.imported").count() == 2
    package = HandoverPackage.objects.get(direction=PackageDirection.IMPORT)
    assert package.organization == tree["b"]
    assert package.external_identifier == bag_path.name
    assert package.audit_file is not None

    with pytest.raises(ValidationError, match="already imported"):
        handover.import_bag(bag_path, organization=tree["b"], acting_user=clerks["b"])


def test_zip_round_trip(records, tree, clerks):
    first, second, _secret = records
    package, handle = handover.export_zip([first, second], acting_user=clerks["a"])
    with handle:
        data = handle.read()
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert f"{package.external_identifier}/bagit.txt" in names
    created = handover.import_zip(
        io.BytesIO(data), organization=tree["b"], acting_user=clerks["b"]
    )
    assert [d.excerpt for d in created] == [first.excerpt, second.excerpt]


def _payload_file(bag_path: Path, document) -> Path:
    return next((bag_path / "data" / str(document.pk) / "files").iterdir())


def test_altered_byte_is_refused_naming_the_file(records, tree, clerks, tmp_path):
    """GIVEN an exported bag
    WHEN one byte of a payload file changes
    THEN the import is refused, the error names the file, nothing is stored."""
    first = records[0]
    bag_path = handover.export_bag(
        records[:2], acting_user=clerks["a"], dest_dir=tmp_path
    )
    target = _payload_file(bag_path, first)
    data = bytearray(target.read_bytes())
    data[0] ^= 0x01
    target.write_bytes(bytes(data))
    before = Document.objects.count()
    with pytest.raises(ValidationError) as refused:
        handover.import_bag(bag_path, organization=tree["b"], acting_user=clerks["b"])
    relative = f"data/{first.pk}/files/{target.name}"
    assert any(relative in message for message in refused.value.messages)
    assert Document.objects.count() == before
    assert not HandoverPackage.objects.filter(
        direction=PackageDirection.IMPORT
    ).exists()


def test_resized_missing_and_extra_files_are_named(records, clerks, tmp_path):
    first, second = records[0], records[1]
    bag_path = handover.export_bag(
        records[:2], acting_user=clerks["a"], dest_dir=tmp_path
    )
    grown = _payload_file(bag_path, first)
    grown.write_bytes(grown.read_bytes() + b"!")
    with pytest.raises(ValidationError) as refused:
        handover.open_bag(bag_path)
    assert any(grown.name in message for message in refused.value.messages)

    gone = _payload_file(bag_path, second)
    gone.unlink()
    (bag_path / "data" / "extra.txt").write_text("thêm")
    with pytest.raises(ValidationError) as refused:
        handover.open_bag(bag_path)
    text = " ".join(refused.value.messages)
    assert gone.name in text
    assert "data/extra.txt" in text


def test_altered_tag_file_is_refused(records, clerks, tmp_path):
    bag_path = handover.export_bag(
        records[:1], acting_user=clerks["a"], dest_dir=tmp_path
    )
    info = bag_path / "bag-info.txt"
    info.write_text(info.read_text().replace("hoso-", "hoso-X", 1))
    with pytest.raises(ValidationError) as refused:
        handover.open_bag(bag_path)
    assert any("bag-info.txt" in message for message in refused.value.messages)


def test_export_needs_scope_one_organization_and_unclassified(
    records, make_document, clerks, tmp_path
):
    first = records[0]
    with pytest.raises(Document.DoesNotExist):
        handover.export_bag([first], acting_user=clerks["b"], dest_dir=tmp_path)
    with pytest.raises(Document.DoesNotExist):
        # Above the clerk's clearance: as if it did not exist.
        handover.export_bag(records, acting_user=clerks["a"], dest_dir=tmp_path)
    other = make_document("b")
    with pytest.raises(ValidationError, match="one organization"):
        handover.export_bag(
            [first, other], acting_user=clerks["province"], dest_dir=tmp_path
        )
    with pytest.raises(ValidationError, match="classified"):
        handover.export_bag(
            [records[2]], acting_user=clerks["cleared_a"], dest_dir=tmp_path
        )
    with pytest.raises(handover.PermissionDenied):
        handover.export_bag(
            [first], acting_user=clerks["secretary_a"], dest_dir=tmp_path
        )


def _zip(entries: dict[str, bytes]) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    buffer.seek(0)
    return buffer


@pytest.mark.parametrize(
    "name", ["../evil.txt", "/etc/evil", "bag/../../evil", "C:/evil", "a\\..\\b"]
)
def test_unsafe_zip_paths_are_refused(tmp_path, name):
    with pytest.raises(ValidationError, match="unsafe path"):
        handover.safe_extract(_zip({name: b"x", "bagit.txt": b""}), tmp_path)
    assert not (tmp_path.parent / "evil.txt").exists()


def test_symlinks_and_non_zips_are_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        link = zipfile.ZipInfo("bag/link")
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "/etc/passwd")
    buffer.seek(0)
    with pytest.raises(ValidationError, match="unsafe path"):
        handover.safe_extract(buffer, tmp_path)
    with pytest.raises(ValidationError, match="not a zip"):
        handover.safe_extract(io.BytesIO(b"not a zip"), tmp_path)
    with pytest.raises(ValidationError, match="bagit.txt"):
        handover.safe_extract(_zip({"a/b.txt": b"x"}), tmp_path / "x")


def test_import_needs_the_permission(records, tree, clerks, tmp_path):
    bag_path = handover.export_bag(
        records[:1], acting_user=clerks["a"], dest_dir=tmp_path
    )
    for user, organization in [
        (clerks["secretary_a"], tree["a"]),
        (clerks["a"], tree["b"]),
    ]:
        with pytest.raises(handover.PermissionDenied):
            handover.import_bag(bag_path, organization=organization, acting_user=user)


def test_command_line_export_verify_import(records, tree, clerks, tmp_path, capsys):
    from django.core.management import call_command

    first = records[0]
    call_command(
        "archive",
        "export",
        str(first.pk),
        "--user",
        clerks["a"].username,
        "--out",
        str(tmp_path),
        "--zip",
    )
    bag_dir, zip_path = capsys.readouterr().out.split()
    call_command("archive", "verify", bag_dir)
    assert "OK" in capsys.readouterr().out
    call_command(
        "archive",
        "import",
        zip_path,
        "--organization",
        tree["b"].code,
        "--user",
        clerks["b"].username,
    )
    assert "1" in capsys.readouterr().out
    assert Document.objects.filter(organization=tree["b"]).count() == 1
    call_command(
        "archive", "completeness", tree["b"].code, "--user", clerks["b"].username
    )
    assert tree["b"].code in capsys.readouterr().out
    call_command(
        "archive",
        "completeness",
        tree["b"].code,
        "--user",
        clerks["b"].username,
        "--json",
    )
    assert json.loads(capsys.readouterr().out)["documents"] == 1
    target = _payload_file(Path(bag_dir), first)
    target.write_bytes(b"X" + target.read_bytes()[1:])
    with pytest.raises(SystemExit):
        call_command("archive", "verify", bag_dir)
    assert target.name in capsys.readouterr().err
