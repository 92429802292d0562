"""Fixtures of the archive tests: two communes, their clerks, documents with
files and text."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hoso.documents import services as documents
from hoso.documents.models import Attachment, DocumentType


@pytest.fixture(autouse=True)
def _files_dir(settings, tmp_path):
    """Each test stores document files in its own directory."""
    settings.FILES_DIR = tmp_path / "files"


@pytest.fixture
def nq(db):
    return DocumentType.objects.get(system="party", code="NQ")


@pytest.fixture
def cv(db):
    return DocumentType.objects.get(system="party", code="CV")


@pytest.fixture
def clerks(tree, make_user):
    """A clerk in commune A, one in commune B, a secretary and an inspector
    in A (read-only archive rights), and a member of A (no rights)."""
    return {
        "a": make_user("clerk", tree["a"]),
        "b": make_user("clerk", tree["b"]),
        "secretary_a": make_user("secretary", tree["a"]),
        "inspector_a": make_user("inspector", tree["a"]),
        "member_a": make_user("member", tree["a"]),
        "province": make_user("clerk", tree["province"]),
        "cleared_a": make_user("clerk", tree["a"], clearance=1),
    }


@pytest.fixture
def make_document(tree, clerks, nq):
    """make_document(org_key="a", text=..., content=b"...", **metadata): a
    registered incoming document with one text file whose extracted text is
    `text` (what OCR would have stored)."""
    counter = {"n": 0}

    def make(org_key="a", *, text="", content=None, files=None, user=None, **metadata):
        counter["n"] += 1
        n = counter["n"]
        if files is None:
            data = content if content is not None else f"Tệp số {n}".encode()
            files = [SimpleUploadedFile(f"van-ban-{n}.txt", data)]
        fields = {
            "doc_type": nq,
            "symbol": f"{n}-NQ/TU",
            "issuer_name": "Tỉnh ủy Thử",
            "excerpt": f"Về việc thử nghiệm số {n}",
            **metadata,
        }
        document = documents.create_incoming(
            organization=tree[org_key],
            acting_user=user or clerks[org_key],
            files=files,
            **fields,
        )
        if text:
            Attachment.objects.filter(document=document).update(text=text)
        return document

    return make
