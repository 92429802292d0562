"""Search: Vietnamese folding, symbols, permissions, following changes,
rebuilding and crash recovery."""

import datetime
import shutil

import pytest
from django.core.management import call_command
from django.urls import reverse

from hoso.accounts.models import Position, Role
from hoso.core import permissions
from hoso.core.testing.factories import PersonFactory
from hoso.documents import services
from hoso.documents.choices import Status
from hoso.documents.models import Attachment, Document, DocumentType
from hoso.organizations import services as org_services
from hoso.search import index as search_index
from hoso.search import tasks, text
from hoso.search.models import IndexOutbox
from hoso.search.service import (
    VIEW_PERMISSION,
    SearchFilters,
    _covers_index,
    search,
    text_query,
)


@pytest.fixture(autouse=True)
def index_dir(settings, tmp_path):
    """Each test has its own index directory."""
    settings.SEARCH_INDEX_DIR = tmp_path / "search-index"
    yield settings.SEARCH_INDEX_DIR
    search_index.forget_index()


@pytest.fixture
def nq(db):
    return DocumentType.objects.get(system="party", code="NQ")


@pytest.fixture
def kh(db):
    return DocumentType.objects.get(system="party", code="KH")


@pytest.fixture
def people(tree):
    """Clerks in communes A and B and at the province (cleared for "Mật",
    to register such documents), the province secretary (cleared) and an
    uncleared province specialist."""

    def person(role, org, clearance=0):
        p = PersonFactory(clearance=clearance)
        Position.objects.create(
            person=p, organization=org, role=Role.objects.get(code=role)
        )
        return p.user

    return {
        "clerk_a": person("clerk", tree["a"], clearance=1),
        "clerk_b": person("clerk", tree["b"], clearance=1),
        "secretary_p": person("secretary", tree["province"], clearance=1),
        "specialist_p": person("specialist", tree["province"]),
        "clerk_p": person("clerk", tree["province"], clearance=1),
        # Uncleared, so the pages need no second factor.
        "specialist_a": person("specialist", tree["a"]),
    }


@pytest.fixture
def register(tree, people, nq):
    """register(org_key, excerpt, **fields) → an incoming document, indexed."""

    def make(org_key="a", excerpt="Văn bản", *, index=True, **fields):
        clerk = people.get(f"clerk_{org_key}", people["clerk_p"])
        document = services.create_incoming(
            organization=tree[org_key],
            acting_user=clerk,
            doc_type=fields.pop("doc_type", nq),
            issuer_name=fields.pop("issuer_name", "Ban Chấp hành Trung ương"),
            excerpt=excerpt,
            **fields,
        )
        if index:
            tasks.process_pending()
        return document

    return make


def ids(result):
    return [hit.id for hit in result.hits]


# Vietnamese -------------------------------------------------------------------


def test_folding_matches_the_index_analyzer():
    """The Python fold and the index's folding filter agree on every
    Vietnamese letter (the suggestion and highlight code rely on it)."""
    letters = (
        "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"
    )
    for letter in letters + letters.upper():
        assert text.folded_tokens(letter) == [text.fold(letter)], letter


def test_words_in_most_documents_match_without_being_scored(register, people):
    """GIVEN "kế hoạch" in every document WHEN it is searched with a rarer
    word THEN it only filters (BM25 gives it almost no weight), the rarer
    word ranks, and every match is still found and counted."""
    for number in range(4):
        register("a", f"Kế hoạch số {number}")
    twice = register("a", "Kế hoạch phòng chống thiên tai, thiên tai")
    once = register("a", "Kế hoạch về thiên tai và kinh tế")
    result = search(people["clerk_a"], "ke hoach thien")
    assert ids(result) == [twice.pk, once.pk]
    assert result.total == 2
    index = search_index.get_index()
    query = repr(
        text_query(
            index.schema,
            text.parse_query("ke hoach thien"),
            searcher=index.searcher(),
        )
    )
    assert query.count("Const(score=0") == 2  # "ke" and "hoach", not "thien"
    # All common: the rarest still ranks.
    assert search(people["clerk_a"], "ke hoach").total == 6


def test_decomposed_text_is_found(register, people):
    """Text extracted from PDFs is often decomposed (NFD): it is composed
    before indexing, so words are not split at the marks."""
    import unicodedata

    document = register(
        excerpt=unicodedata.normalize("NFD", "Nghị quyết về chuyển đổi số")
    )
    assert ids(search(people["clerk_a"], "nghị quyết")) == [document.pk]


def test_accentless_query_finds_marked_text_and_suggests(register, people):
    """GIVEN a resolution on digital transformation WHEN a clerk types it
    without marks THEN it is found and the marked spelling is suggested."""
    document = register(
        excerpt="Nghị quyết về chuyển đổi số trong các cơ quan Đảng",
        body="Đẩy mạnh chuyển đổi số, xây dựng chính quyền số.",
    )
    register(excerpt="Kế hoạch tổ chức đại hội chi bộ")
    result = search(people["clerk_a"], "nghi quyet chuyen doi so")
    assert ids(result) == [document.pk]
    assert result.total == 1
    assert result.suggestion == "nghị quyết chuyển đổi số"
    assert "<mark>" in result.hits[0].snippet_html


def test_d_folds_to_d(register, people):
    """Typing "dang uy" finds "Đảng ủy": đ folds to d."""
    document = register(excerpt="Báo cáo của Đảng ủy xã về công tác cán bộ")
    result = search(people["clerk_a"], "dang uy")
    assert ids(result) == [document.pk]
    assert result.suggestion == "đảng ủy"


def test_marks_typed_are_respected(register, people):
    """Folding merges syllables ("đội", "đối"): a word typed with marks finds
    that spelling only; typed without, it finds both."""
    other = register(excerpt="Ý kiến đối với dự thảo")
    exact = register(excerpt="Kế hoạch của đội công tác")
    assert ids(search(people["clerk_a"], "đội")) == [exact.pk]
    assert set(ids(search(people["clerk_a"], "doi"))) == {exact.pk, other.pk}


def test_marked_query_falls_back_to_text_without_marks(register, people):
    """Text typed without marks is still found by a query with marks when
    nothing matches as spelled."""
    document = register(excerpt="Bao cao cua Dang uy xa")
    result = search(people["clerk_a"], "Đảng ủy")
    assert ids(result) == [document.pk]
    assert "<mark>Dang</mark>" in result.hits[0].snippet_html


def test_phrase_query(register, people):
    wanted = register(excerpt="Kế hoạch chuyển đổi số năm 2025")
    register(excerpt="Số liệu chuyển về, đổi mới cách làm")
    assert ids(search(people["clerk_a"], '"chuyển đổi số"')) == [wanted.pk]
    assert ids(search(people["clerk_a"], '"chuyen doi so"')) == [wanted.pk]
    # Without quotes the words may be apart.
    assert set(ids(search(people["clerk_a"], "chuyen doi so"))) == {
        wanted.pk,
        *ids(search(people["clerk_a"], "số đổi chuyển")),
    }


def test_a_phrase_typed_with_marks_prefers_that_spelling(register, people):
    """Folding merges distinct syllables: a phrase typed with its marks
    finds the documents spelling it so, not the ones that only fold alike;
    typed without marks, it finds both."""
    wanted = register(excerpt="Kiện toàn đội ngũ cán bộ")
    other = register(excerpt="Đôi ngũ cán bộ")
    assert ids(search(people["clerk_a"], '"đội ngũ"')) == [wanted.pk]
    assert set(ids(search(people["clerk_a"], '"doi ngu"'))) == {wanted.pk, other.pk}


def test_attachment_text_is_searched(register, people):
    from hoso.documents.models import StoredFile

    document = register(excerpt="Công văn")
    stored = StoredFile.objects.create(
        sha256="0" * 64, size=1, content_type="application/pdf"
    )
    Attachment.objects.create(
        document=document,
        stored_file=stored,
        name="a.pdf",
        text="Phụ lục: danh sách đảng viên được tặng huy hiệu",
    )
    tasks.process_pending()
    assert ids(search(people["clerk_a"], "huy hieu")) == [document.pk]


# Symbols ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["57-NQ/TW", "57-nq/tw", "Số 57-NQ/TW", "57 - NQ / TW", "NQ", "57-NQ"]
)
def test_symbol_search(register, people, query):
    document = register(symbol="57-NQ/TW", excerpt="Về đột phá phát triển")
    register(symbol="58-KL/TW", excerpt="Về đột phá phát triển")
    result = search(people["clerk_a"], query)
    assert ids(result)[:1] == [document.pk]
    assert result.total == 1


def test_state_symbol_without_marks(register, people):
    document = register(symbol="30/2020/NĐ-CP", excerpt="Về công tác văn thư")
    for query in ["30/2020/NĐ-CP", "30/2020/nd-cp", "NĐ-CP", "nd cp"]:
        assert ids(search(people["clerk_a"], query)) == [document.pk], query


# Permissions ---------------------------------------------------------------------


def test_no_leak_across_organizations(register, people):
    """GIVEN the same words in communes A and B WHEN A's clerk searches
    THEN hits, total, facets and snippets come from A only."""
    mine = register("a", "Kế hoạch phòng chống thiên tai của xã An")
    register("b", "Kế hoạch phòng chống thiên tai, bí mật riêng xã Bình")
    register("b", "Kế hoạch phòng chống thiên tai lần hai xã Bình")
    result = search(people["clerk_a"], "ke hoach thien tai")
    assert ids(result) == [mine.pk]
    assert result.total == 1
    assert sum(count for _code, count in result.facets["doc_type"]) == 1
    assert sum(count for _status, count in result.facets["status"]) == 1
    assert all("Bình" not in hit.snippet_html for hit in result.hits)
    assert search(people["clerk_a"], "binh").total == 0
    assert search(people["clerk_a"], "rieng").suggestion == ""
    # The province sees all three.
    assert search(people["secretary_p"], "ke hoach thien tai").total == 3


def test_a_scope_over_the_whole_index_skips_the_check_but_never_leaks(register, people):
    """GIVEN an index holding only commune A's documents, the scope of A's
    clerk covers all of it, so the engine skips the per-document check
    WHEN a document of commune B is indexed THEN the check is back and B's
    document stays out of hits and counts."""
    mine = register("a", "Kế hoạch phòng chống thiên tai")
    index = search_index.get_index()
    paths = permissions.scope_paths(people["clerk_a"], VIEW_PERMISSION)
    assert _covers_index(index.searcher(), index.schema, paths)
    assert ids(search(people["clerk_a"], "thien tai")) == [mine.pk]
    other = register("b", "Kế hoạch phòng chống thiên tai xã Bình")
    assert not _covers_index(index.searcher(), index.schema, paths)
    result = search(people["clerk_a"], "thien tai")
    assert ids(result) == [mine.pk]
    assert result.total == 1
    assert sum(count for _status, count in result.facets["status"]) == 1
    # GIVEN a segment holding a document of each commune, B's then deleted
    # from the index (its postings stay until a merge) THEN the engine's live
    # count shows the scope covers everything again.
    second = register("a", "Báo cáo thiên tai", index=False)
    third = register("b", "Báo cáo thiên tai xã Bình", index=False)
    tasks.process_pending()
    with index.writer() as writer:
        search_index.delete(writer, index.schema, [other.pk, third.pk])
    assert index.searcher().doc_freq("org_paths", third.org_path) >= 1
    assert _covers_index(index.searcher(), index.schema, paths)
    assert set(ids(search(people["clerk_a"], "thien tai"))) == {mine.pk, second.pk}


def test_organization_filter_cannot_widen_the_scope(register, people, tree):
    register("b", "Kế hoạch của xã Bình")
    filters = SearchFilters(org_path=tree["b"].path)
    assert search(people["clerk_a"], "ke hoach", filters=filters).total == 0


def test_clearance(register, people):
    """A "Mật" document is hidden from an uncleared user — not even counted —
    and found by a cleared one."""
    secret = register("a", "Báo cáo tình hình an ninh", secrecy=1)
    register("a", "Báo cáo tình hình kinh tế")
    uncleared = search(people["specialist_p"], "bao cao tinh hinh")
    assert secret.pk not in ids(uncleared)
    assert uncleared.total == 1
    assert search(people["specialist_p"], "an ninh").total == 0
    cleared = search(people["secretary_p"], "bao cao tinh hinh")
    assert secret.pk in ids(cleared)
    assert cleared.total == 2


def test_no_position_no_results(register, make_user):
    register("a", "Kế hoạch")
    assert search(make_user(), "ke hoach").total == 0


def test_filters_and_facets(register, people, kh):
    first = register("a", "Kế hoạch năm", issued_date=datetime.date(2024, 3, 1))
    register("a", "Kế hoạch quý", doc_type=kh, issued_date=datetime.date(2025, 5, 2))
    user = people["clerk_a"]
    result = search(user, "ke hoach")
    assert dict(result.facets["doc_type"]) == {"NQ": 1, "KH": 1}
    assert dict(result.facets["year"]) == {2025: 1, 2024: 1}
    assert ids(search(user, "ke hoach", filters=SearchFilters(doc_type="NQ"))) == [
        first.pk
    ]
    assert ids(search(user, "ke hoach", filters=SearchFilters(year=2024))) == [first.pk]
    until_2024 = SearchFilters(date_to=datetime.date(2024, 12, 31))
    assert ids(search(user, "ke hoach", filters=until_2024)) == [first.pk]
    registered = SearchFilters(status=Status.REGISTERED)
    assert search(user, "ke hoach", filters=registered).total == 2
    by_issuer = SearchFilters(issuer="Ban Chấp hành Trung ương")
    assert search(user, "ke hoach", filters=by_issuer).total == 2


# Following changes ------------------------------------------------------------


def test_index_follows_create_update_and_delete(tree, people, nq):
    """Drafts: created, edited (old words gone), deleted."""
    clerk = people["clerk_a"]
    draft = services.create_draft(
        organization=tree["a"],
        acting_user=clerk,
        doc_type=nq,
        excerpt="Dự thảo về thi đua khen thưởng",
    )
    tasks.process_pending()
    assert ids(search(clerk, "thi dua")) == [draft.pk]
    services.update_draft(draft, acting_user=clerk, excerpt="Dự thảo về kỷ luật")
    tasks.process_pending()
    assert search(clerk, "thi dua").total == 0
    assert ids(search(clerk, "ky luat")) == [draft.pk]
    Document.objects.filter(pk=draft.pk).get().delete()
    tasks.process_pending()
    assert search(clerk, "ky luat").total == 0
    assert IndexOutbox.objects.count() == 0


def test_index_follows_status_changes(tree, people, nq):
    user = people["clerk_a"]
    document = services.receive_incoming(
        organization=tree["a"],
        acting_user=user,
        doc_type=nq,
        issuer_name="Tỉnh ủy",
        excerpt="Báo cáo tổng kết",
    )
    tasks.process_pending()
    received = SearchFilters(status=Status.RECEIVED)
    assert ids(search(user, "tong ket", filters=received)) == [document.pk]
    services.refuse(document, acting_user=user, reason="Sai địa chỉ")
    tasks.process_pending()
    assert search(user, "tong ket", filters=received).total == 0
    refused = SearchFilters(status=Status.REFUSED)
    assert ids(search(user, "tong ket", filters=refused)) == [document.pk]


def test_index_follows_recall(tree, people, nq, settings):
    """An issued document recalled: the sender's copy and the recipient's
    copy change status in the index."""
    admin = PersonFactory(clearance=3).user
    admin.is_superuser = True
    admin.save()
    draft = services.create_draft(
        organization=tree["a"], acting_user=admin, doc_type=nq, excerpt="Về tuyên giáo"
    )
    services.approve(draft, acting_user=admin)
    issued = services.issue(draft, acting_user=admin, recipients=[tree["b"]])
    tasks.process_pending()
    recalled_filter = SearchFilters(status=Status.RECALLED)
    assert search(admin, "tuyen giao", filters=recalled_filter).total == 0
    assert search(admin, "tuyen giao").total == 2  # the original and B's copy
    services.recall(issued, acting_user=admin, reason="Ban hành nhầm")
    tasks.process_pending()
    assert ids(search(admin, "tuyen giao", filters=recalled_filter)) == [issued.pk]
    withdrawn = SearchFilters(status=Status.WITHDRAWN)
    assert search(admin, "tuyen giao", filters=withdrawn).total == 1


def test_index_follows_subtree_move(register, people, tree):
    """GIVEN a document of A's cell WHEN the cell moves under B THEN B's
    clerk finds it and A's clerk no longer does (org paths are re-indexed)."""
    admin = PersonFactory().user
    admin.is_superuser = True
    admin.save()
    cell_doc = register("cell_a", "Nghị quyết chi bộ về sinh hoạt")
    assert ids(search(people["clerk_a"], "sinh hoat")) == [cell_doc.pk]
    org_services.update_organization(
        tree["cell_a"], acting_user=admin, parent=tree["b"]
    )
    assert IndexOutbox.objects.filter(document_id=cell_doc.pk).exists()
    tasks.process_pending()
    assert search(people["clerk_a"], "sinh hoat").total == 0
    assert ids(search(people["clerk_b"], "sinh hoat")) == [cell_doc.pk]


def test_outbox_row_is_written_with_the_change_and_processing_on_commit(
    tree, people, nq, django_capture_on_commit_callbacks
):
    """The outbox row is part of the change's transaction; one processing
    job is enqueued when it commits."""
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        document = services.create_incoming(
            organization=tree["a"],
            acting_user=people["clerk_a"],
            doc_type=nq,
            issuer_name="Tỉnh ủy",
            excerpt="Thông báo kết luận",
        )
    assert IndexOutbox.objects.filter(document_id=document.pk).count() >= 1
    assert len(callbacks) >= 1
    jobs = DBTaskResult.objects.filter(task_path="hoso.search.tasks.process_outbox")
    assert jobs.count() == 1
    # The job, when a worker runs it, indexes the document.
    assert tasks.process_outbox.call()["processed"] >= 1
    assert ids(search(people["clerk_a"], "ket luan")) == [document.pk]


# Rebuild and recovery ---------------------------------------------------------


def test_rebuild_from_an_empty_index_gives_the_same_results(
    register, people, index_dir
):
    documents = [register("a", f"Kế hoạch số {n} về công tác") for n in range(5)]
    register("b", "Kế hoạch của xã Bình")
    user = people["clerk_a"]
    before = search(user, "ke hoach cong tac")
    search_index.forget_index()
    shutil.rmtree(index_dir)
    assert search(user, "ke hoach").total == 0  # an empty index, recreated
    call_command("search", "rebuild", "--batch", "2", "--commit-every", "2")
    after = search(user, "ke hoach cong tac")
    assert after.total == before.total == 5
    assert sorted(ids(after)) == sorted(d.pk for d in documents)
    assert after.facets == before.facets
    assert search_index.read_checkpoint() is None


def interrupt_rebuild(*, after_chunks: int) -> None:
    """Run a rebuild (2 documents a chunk, committed each chunk) that dies
    while reading the chunk after `after_chunks`."""
    real = search_index.iter_source_chunks

    def dying(after_id=0, chunk=1000):
        for number, sources in enumerate(real(after_id=after_id, chunk=chunk)):
            if number == after_chunks:
                raise KeyboardInterrupt
            yield sources

    search_index.iter_source_chunks = dying
    try:
        with pytest.raises(KeyboardInterrupt):
            search_index.rebuild(chunk=2, commit_every=2)
    finally:
        search_index.iter_source_chunks = real


def test_rebuild_resumes_after_an_interruption(register, people, index_dir):
    """A rebuild that died after committing some chunks continues from its
    checkpoint and ends with every document exactly once."""
    documents = [register("a", f"Biên bản họp số {n}", index=False) for n in range(6)]
    interrupt_rebuild(after_chunks=2)
    assert search_index.read_checkpoint() == documents[3].pk
    state = search_index.rebuild(chunk=2, commit_every=2)
    assert state.resumed_from == documents[3].pk
    assert state.indexed == 2
    result = search(people["clerk_a"], "bien ban hop")
    assert result.total == 6
    assert search_index.get_index().count() == 6


def test_corrupt_index_is_reported_and_rebuilt(register, people, index_dir):
    document = register("a", "Quyết định chuẩn y")
    search_index.forget_index()
    (index_dir / search_index.VERSION_FILE).write_text("0\n")
    result = search(people["clerk_a"], "chuan y")
    assert result.unavailable and result.total == 0
    with pytest.raises(SystemExit):
        call_command("search", "status")
    call_command("search", "rebuild")
    assert ids(search(people["clerk_a"], "chuan y")) == [document.pk]


def test_the_processor_heals_an_index_of_an_older_schema(register, people, index_dir):
    """GIVEN an index written by an older version (an upgrade) WHEN the
    periodic outbox job runs THEN it rebuilds the index from the database,
    and the next search finds the documents again."""
    document = register("a", "Quyết định chuẩn y")
    search_index.forget_index()
    (index_dir / search_index.VERSION_FILE).write_text("6\n")
    assert search(people["clerk_a"], "chuan y").unavailable
    outcome = tasks.process_with_retry()
    assert outcome["rebuilt"] == 1
    assert ids(search(people["clerk_a"], "chuan y")) == [document.pk]


def test_the_processor_resumes_an_interrupted_rebuild(register, people):
    documents = [register("a", f"Biên bản họp số {n}", index=False) for n in range(4)]
    interrupt_rebuild(after_chunks=1)
    assert search_index.read_checkpoint() == documents[1].pk
    assert tasks.process_with_retry()["rebuilt"] == 2
    assert search_index.read_checkpoint() is None
    assert search(people["clerk_a"], "bien ban hop").total == 4


def test_crash_before_indexing_is_recovered_by_the_processor(register, people):
    """GIVEN a committed change whose processing never ran (the worker died)
    WHEN `hoso search process` (or the periodic job) runs THEN it is indexed."""
    document = register("a", "Tờ trình về nhân sự", index=False)
    assert search(people["clerk_a"], "nhan su").total == 0
    assert IndexOutbox.objects.exists()
    call_command("search", "process")
    assert ids(search(people["clerk_a"], "nhan su")) == [document.pk]
    assert not IndexOutbox.objects.exists()


def test_crash_between_index_commit_and_outbox_delete(register, people, monkeypatch):
    """GIVEN the processor died after committing the index but before
    deleting its rows WHEN it runs again THEN the document is indexed once."""
    document = register("a", "Quy chế làm việc", index=False)

    def crash(*args, **kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr("django.db.models.query.QuerySet.delete", crash)
    with pytest.raises(RuntimeError):
        tasks.process_pending()
    monkeypatch.undo()
    assert IndexOutbox.objects.exists()
    tasks.process_pending()
    result = search(people["clerk_a"], "quy che")
    assert ids(result) == [document.pk]
    assert result.total == 1
    assert search_index.get_index().count() == 1


def test_writer_busy_leaves_the_outbox(register, people, monkeypatch):
    """While a rebuild holds the writer, the processor gives up without
    losing rows (the rebuild drains the outbox when it ends)."""
    monkeypatch.setattr(tasks, "BUSY_RETRIES", 1)
    monkeypatch.setattr(tasks, "BUSY_WAIT_SECONDS", 0)
    register("a", "Thông tri", index=False)
    with search_index.get_index().writer():
        assert tasks.process_with_retry() == {"processed": 0, "busy": True}
    assert IndexOutbox.objects.exists()
    assert tasks.process_with_retry()["processed"] >= 1


# API and pages ----------------------------------------------------------------


def test_api_search(client, register, people, tree):
    document = register("a", "Nghị quyết về chuyển đổi số", symbol="57-NQ/TW")
    register("b", "Nghị quyết về chuyển đổi số ở xã Bình")
    client.force_login(people["specialist_a"])
    response = client.get("/api/v1/search", {"q": "nghi quyet chuyen doi so"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["total"] == 1
    assert [hit["id"] for hit in body["hits"]] == [document.pk]
    assert body["hits"][0]["symbol"] == "57-NQ/TW"
    assert "<mark>" in body["hits"][0]["snippet_html"]
    assert body["suggestion"] == "nghị quyết chuyển đổi số"
    assert body["facets"]["doc_type"] == [{"key": "NQ", "count": 1}]
    narrowed = client.get(
        "/api/v1/search", {"q": "nghi quyet", "organization": tree["a"].pk}
    ).json()
    assert narrowed["total"] == 1
    # An organization outside the scope is not found.
    outside = client.get("/api/v1/search", {"q": "x", "organization": tree["b"].pk})
    assert outside.status_code == 404


def test_api_requires_authentication(client):
    assert client.get("/api/v1/search", {"q": "x"}).status_code == 401


def test_results_page(client, register, people):
    register("a", "Kế hoạch <script>alert(1)</script> phòng cháy chữa cháy")
    client.force_login(people["specialist_a"])
    page = client.get(reverse("search:results"), {"q": "phong chay"})
    assert page.status_code == 200
    content = page.content.decode()
    assert "<script>alert(1)" not in content
    assert "<mark>" in content
    assert "phòng cháy" in content  # the suggestion
    empty = client.get(reverse("search:results"), {"q": "khongcotu"})
    assert empty.status_code == 200
    assert empty.context["result"].total == 0


def test_snippet_shows_a_match_deep_in_a_long_text(register, people):
    """Snippets are cut around the first match, wherever it is."""
    filler = "Nội dung chung của văn bản. " * 2000
    document = register(excerpt="Công văn", body=f"{filler}Phòng chống lụt bão.")
    result = search(people["clerk_a"], "lut bao")
    assert ids(result) == [document.pk]
    assert "<mark>lụt</mark> <mark>bão</mark>" in result.hits[0].snippet_html
