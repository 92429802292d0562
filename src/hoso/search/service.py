"""Searching documents: the one function the UI, the API and the benchmark call.

Everything a user may not see is filtered inside the engine — the
organization subtrees of their scope as exact terms on `org_paths`, their
clearance as a range on `secrecy` — so hits, totals, facet counts and
snippets all come from the permitted set only, and no hit list is ever
materialized in Python beyond the page shown. The page's documents are then
re-read through `Document.objects.restrict()` as a second line of defence.
"""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import tantivy
from tantivy import FieldType, Occur, Query

from hoso.core import permissions
from hoso.core.choices import Secrecy
from hoso.documents.models import Document
from hoso.search import text as vi
from hoso.search.index import (
    IndexUnavailable,
    attachment_texts,
    get_index,
    searchable_text,
)

logger = logging.getLogger(__name__)

VIEW_PERMISSION = "documents.view_document"
# A symbol match ranks above a mention in the text.
SYMBOL_BOOST = 4.0
SNIPPET_CHARS = 220
# Words in more documents than this share are matched without being scored.
COMMON_SHARE = 0.8
# Deep pages cost a full top-k each; nobody reads page 500.
MAX_OFFSET = 5_000
FACET_SIZES = {"doc_type": 40, "status": 20, "year": 30}
_WORD = re.compile(r"[^\W_]+")
# What a hit shows of its document and its text for the snippet (loading
# only these keeps the page's database re-check cheap).
HIT_FIELDS = [
    "id", "organization__name", "org_path", "direction", "status",
    "doc_type__code", "doc_type__name", "symbol", "issuer_name", "issued_date",
    "excerpt", "secrecy", "body", "signer_name", "place",
]  # fmt: skip


@dataclass
class SearchFilters:
    """Narrowing of a search (all optional)."""

    doc_type: str = ""
    issuer: str = ""
    status: str = ""
    direction: str = ""
    year: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    # A subtree (an organization's path); must already be one the user may
    # see — the permission filter applies regardless.
    org_path: str = ""

    def as_params(self) -> dict:
        """The filters as query-string parameters (for links)."""
        params = {
            "type": self.doc_type,
            "issuer": self.issuer,
            "status": self.status,
            "direction": self.direction,
            "year": self.year or "",
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
        }
        return {key: value for key, value in params.items() if value}


@dataclass
class SearchHit:
    """One result: the document (re-read within the user's scope), its
    relevance score and a highlighted snippet (safe HTML)."""

    id: int
    score: float
    snippet_html: str
    document: Document
    snippet: tantivy.Snippet | None = field(default=None, repr=False)


@dataclass
class SearchResult:
    """A page of results with the engine's total and facet counts."""

    query: str
    total: int = 0
    hits: list[SearchHit] = field(default_factory=list)
    facets: dict[str, list[tuple[str | int, int]]] = field(default_factory=dict)
    suggestion: str = ""
    page: int = 1
    page_size: int = 20
    unavailable: bool = False

    @property
    def pages(self) -> int:
        reachable = min(self.total, MAX_OFFSET + self.page_size)
        return max(1, -(-reachable // self.page_size))


# Building queries --------------------------------------------------------------


def permission_clauses(schema, user, searcher=None) -> list | None:
    """The engine clauses restricting a search to what `user` may see (to
    add to its top-level boolean query), None when they may see nothing.

    Mirrors `Document.objects.restrict(user, "view")`: the subtrees where the
    user holds `documents.view_document` (superusers: everywhere) and
    secrecy at most their clearance. Each subtree is one exact term (every
    document carries all its ancestor paths), and the clearance excludes the
    few levels above it (rare terms, cheaper than a range over every
    document). Given the `searcher`, subtrees that hold every document it
    sees (a scope over the whole index) are not checked document by
    document: the exclusions then apply to the matches directly.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    clauses = []
    if not user.is_superuser:
        paths = permissions.scope_paths(user, VIEW_PERMISSION)
        if not paths:
            return None
        if searcher is None or not _covers_index(searcher, schema, paths):
            # A filter only: no score of its own.
            within = _any_term(schema, "org_paths", paths)
            clauses.append((Occur.Must, Query.const_score_query(within, 0.0)))
    clearance = permissions.clearance_of(user)
    clauses += [
        (Occur.MustNot, Query.term_query(schema, "secrecy", level))
        for level in Secrecy.values
        if level > clearance
    ]
    return clauses


def _covers_index(searcher, schema, paths) -> bool:
    """Whether every live document of `searcher` is within `paths`, exactly,
    on this one snapshot (intersecting a filter that matches everything
    costs as much as the rest of a broad search).

    From the term dictionary when the snapshot holds no deleted documents
    (every document has one secrecy term, so their postings add up to all
    documents, deleted ones included): the postings of disjoint subtrees
    then count exactly the live documents within them. Otherwise the engine
    counts the live documents within the subtrees (a pass over them)."""
    total = searcher.num_docs
    if not total:
        return False
    subtrees = _outermost(paths)
    within = sum(searcher.doc_freq("org_paths", path) for path in subtrees)
    # Live documents within the paths are at most their postings.
    if within < total:
        return False
    stored = sum(searcher.doc_freq("secrecy", level) for level in Secrecy.values)
    if stored == total and within == total:
        return True
    query = _any_term(schema, "org_paths", subtrees)
    return searcher.search(query, 1, count=True).count == total


def _outermost(paths) -> list[str]:
    """The paths without those inside another of them."""
    ordered = sorted(set(paths))
    kept: list[str] = []
    for path in ordered:
        if not any(path.startswith(outer) for outer in kept):
            kept.append(path)
    return kept


def _any_term(schema, field_name: str, values) -> Query:
    """Any of a few exact terms (a boolean of term queries: far cheaper than
    tantivy's term-set query, which walks the term dictionary)."""
    values = sorted(set(values))
    if len(values) == 1:
        return Query.term_query(schema, field_name, values[0])
    return Query.boolean_query(
        [(Occur.Should, Query.term_query(schema, field_name, v)) for v in values]
    )


def _folded(token: str) -> str:
    folded = vi.folded_tokens(token)
    return folded[0] if folded else token


def _word_query(schema, word: str, *, exact: bool, searcher=None) -> Query:
    """A word: its exact spelling when typed with marks (folding would also
    match other syllables: "đội" is not "đối"), else its folded form, so
    "nghi" finds "nghị" without preferring the unrelated literal "nghi".
    Something that may be a symbol part ("NQ", "57") ranks documents with
    that symbol first (only spellings some symbol has: a union with a term
    no document holds would still cost a pass over the word's documents)."""
    if exact and vi.has_diacritics(word):
        query = Query.term_query(schema, "text", word)
    else:
        query = Query.term_query(schema, "text_folded", _folded(word))
    spellings = []
    if any(c.isdigit() for c in word) or len(word) <= 5:
        spellings = sorted(
            spelling
            for spelling in {word.upper(), vi.fold(word).upper()}
            if searcher is None or searcher.doc_freq("symbol", spelling)
        )
    if spellings:
        query = Query.boolean_query(
            [
                (Occur.Should, query),
                (
                    Occur.Should,
                    Query.boost_query(
                        _any_term(schema, "symbol", spellings), SYMBOL_BOOST
                    ),
                ),
            ]
        )
    return query


def _phrase_query(schema, words: list[str], *, exact: bool) -> Query:
    """A quoted phrase: every consecutive pair of its words (folded) must be
    in the pairs field — one short posting list per pair, where the words
    alone may be in most documents. With three words or more the pairs could
    come from different places, so the folded positions confirm the whole
    phrase (among the few documents that have all its pairs). Words typed
    with marks must also be in the text as spelled."""
    folded = [_folded(word) for word in words]
    clauses = [
        (Occur.Must, Query.term_query(schema, "pairs", pair))
        for pair in vi.pair_terms(folded)
    ]
    if len(folded) > 2:
        clauses.append((Occur.Must, Query.phrase_query(schema, "text_folded", folded)))
    if exact:
        clauses += [
            (Occur.Must, Query.term_query(schema, "text", word))
            for word in words
            if vi.has_diacritics(word)
        ]
    return clauses[0][1] if len(clauses) == 1 else Query.boolean_query(clauses)


def _symbol_query(schema, symbol: vi.SymbolQuery) -> Query:
    """A symbol: the whole symbol, or all its parts ("57-NQ" in "57-NQ/TW")."""
    whole = _any_term(schema, "symbol", symbol.whole)
    parts = Query.boolean_query(
        [
            (Occur.Must, _any_term(schema, "symbol", spellings))
            for spellings in symbol.parts
        ]
    )
    return Query.boolean_query(
        [
            (Occur.Should, Query.boost_query(whole, SYMBOL_BOOST)),
            (Occur.Should, parts),
        ]
    )


def text_query(
    schema, parsed: vi.ParsedQuery, *, exact: bool = True, searcher=None
) -> Query:
    """Every word, phrase and symbol of the query must match (AND).
    `exact=False` folds every word, marks or not (the fallback when the
    exact spelling finds nothing, e.g. text typed without marks)."""
    clauses = [
        _word_query(schema, word, exact=exact, searcher=searcher)
        for word in parsed.words
    ]
    if searcher is not None and len(clauses) > 1:
        clauses = _unscored_common_words(searcher, parsed.words, clauses, exact=exact)
    clauses += [_phrase_query(schema, words, exact=exact) for words in parsed.phrases]
    clauses += [_symbol_query(schema, symbol) for symbol in parsed.symbols]
    if len(clauses) == 1:
        return clauses[0]
    return Query.boolean_query([(Occur.Must, clause) for clause in clauses])


def _unscored_common_words(searcher, words, clauses, *, exact) -> list[Query]:
    """The word clauses, those of words in most documents as filters only.

    BM25 gives a word in more than COMMON_SHARE of the documents almost no
    weight (its idf is at most ln 1.25, against about 4.6 for a word in one
    document of a hundred), yet scoring it costs a pass over most of the
    index. Such words still have to match; the rarest word is always
    scored, so the ranking keeps what tells the documents apart."""
    total = searcher.num_docs
    frequencies = [
        searcher.doc_freq("text", word)
        if exact and vi.has_diacritics(word)
        else searcher.doc_freq("text_folded", _folded(word))
        for word in words
    ]
    rarest = min(range(len(words)), key=frequencies.__getitem__)
    return [
        Query.const_score_query(clause, 0.0)
        if index != rarest and frequencies[index] > COMMON_SHARE * total
        else clause
        for index, clause in enumerate(clauses)
    ]


def filter_queries(schema, filters: SearchFilters) -> list[Query]:
    """The user's narrowing as engine filters."""
    queries = []
    for name, value in (
        ("doc_type", filters.doc_type),
        ("status", filters.status),
        ("direction", filters.direction),
        ("issuer", vi.normalize(filters.issuer).strip()),
    ):
        if value:
            queries.append(Query.term_query(schema, name, value))
    if filters.year:
        queries.append(Query.term_query(schema, "year", int(filters.year)))
    if filters.date_from or filters.date_to:
        queries.append(
            Query.range_query(
                schema,
                "issued",
                FieldType.Integer,
                lower_bound=_day(filters.date_from),
                upper_bound=_day(filters.date_to),
            )
        )
    if filters.org_path:
        queries.append(Query.term_query(schema, "org_paths", filters.org_path))
    return queries


def _day(value: date | None) -> int | None:
    return value.year * 10000 + value.month * 100 + value.day if value else None


def _highlight_query(
    schema, parsed: vi.ParsedQuery, *, exact
) -> tuple[Query, str, list[re.Pattern]]:
    """The terms to highlight, the field whose analyzer finds them, and
    patterns locating them in the text: exact spellings when the search
    matched every word as typed with marks, else folded ones."""
    words = [*parsed.words, *(w for phrase in parsed.phrases for w in phrase)]
    for symbol in parsed.symbols:
        words += [part[0].lower() for part in symbol.parts]
    exact = exact and bool(words) and all(vi.has_diacritics(w) for w in words)
    field_name = "text" if exact else "text_folded"
    terms = sorted({word if exact else _folded(word) for word in words})
    query = Query.boolean_query(
        [(Occur.Should, Query.term_query(schema, field_name, t)) for t in terms]
    )
    finders = [_finder(word, folded=not exact) for word in sorted(set(words))]
    return query, field_name, finders


@lru_cache(maxsize=4096)
def _finder(word: str, *, folded: bool) -> re.Pattern:
    """A compiled pattern finding `word` in text (compiling one that matches
    every spelling folding alike takes about a millisecond; words recur)."""
    return re.compile(vi.spelling_pattern(word, folded=folded), re.IGNORECASE)


# Searching -----------------------------------------------------------------------


def search(
    user,
    q: str,
    *,
    filters: SearchFilters | None = None,
    page: int = 1,
    page_size: int = 20,
    facets: bool = True,
) -> SearchResult:
    """Search the documents `user` may see.

    `q`: words (all must match, accents optional), "quoted phrases" and
    document symbols ("57-NQ/TW"). Returns the page's hits with highlighted
    snippets, the engine's total and facet counts over the permitted matches,
    and a "did you mean" spelling with marks for a query typed without them.
    """
    filters = filters or SearchFilters()
    page = max(1, int(page))
    page_size = max(1, min(int(page_size), 100))
    result = SearchResult(query=q or "", page=page, page_size=page_size)
    parsed = vi.parse_query(q or "")
    if not parsed:
        return result
    try:
        index = get_index()
    except IndexUnavailable:
        logger.exception("search index unavailable")
        result.unavailable = True
        return result
    schema = index.schema
    searcher = index.searcher()
    allowed = permission_clauses(schema, user, searcher)
    if allowed is None:
        return result
    narrowing = allowed + [
        # Filters only narrow: no score of their own.
        (Occur.Must, Query.const_score_query(clause, 0.0))
        for clause in filter_queries(schema, filters)
    ]
    offset = min((page - 1) * page_size, MAX_OFFSET)
    exact = True
    while True:
        matching = text_query(schema, parsed, exact=exact, searcher=searcher)
        query = Query.boolean_query([(Occur.Must, matching), *narrowing])
        # The facet counts walk every permitted match, as the total does: the
        # engine releases the GIL, so they run beside the ranking and the
        # page's database work on another core.
        counting = _workers().submit(_facets, searcher, query) if facets else None
        found = searcher.search(query, page_size, count=True, offset=offset)
        result.total = found.count or 0
        # Nothing as spelled: try without marks (text typed without them).
        if result.total or not exact or not vi.has_diacritics(q):
            break
        exact = False
    if not result.total:
        return result
    result.hits = _hits(searcher, schema, parsed, found.hits, user, exact=exact)
    if counting is not None:
        result.facets = counting.result()
    if not parsed.symbols and not vi.has_diacritics(q):
        result.suggestion = _suggestion(q, result.hits)
    return result


@lru_cache(maxsize=1)
def _workers() -> ThreadPoolExecutor:
    """Threads for the engine work that runs beside a search's own."""
    return ThreadPoolExecutor(max_workers=4, thread_name_prefix="search")


def _facets(searcher, query) -> dict[str, list[tuple[str | int, int]]]:
    """Counts per type, status and year over the permitted matches, from
    the engine's aggregation (one pass)."""
    spec = {
        name: {"terms": {"field": name, "size": size}}
        for name, size in FACET_SIZES.items()
    }
    aggregated = searcher.aggregate(query, spec)
    facets = {}
    for name in FACET_SIZES:
        buckets = aggregated.get(name, {}).get("buckets", [])
        facets[name] = [(bucket["key"], bucket["doc_count"]) for bucket in buckets]
    if "year" in facets:
        facets["year"] = sorted(facets["year"], reverse=True)
    return facets


def _page_windows(
    documents: dict[int, Document], finders: list[re.Pattern]
) -> dict[int, str]:
    """The part of each page document's searchable text (as the index has
    it) to cut its snippet from: around the first match of any word. The
    attachments' text is read only for documents whose own text holds none
    of the words (one query for those, usually none)."""

    def compose(document: Document, attachment_texts=()) -> str:
        return searchable_text(
            symbol=document.symbol,
            excerpt=document.excerpt,
            doc_type_name=document.doc_type.name,
            issuer_name=document.issuer_name,
            signer_name=document.signer_name,
            place=document.place,
            body=document.body,
            attachment_texts=attachment_texts,
        )

    texts = {pk: compose(document) for pk, document in documents.items()}
    firsts = {pk: _first_match(text, finders) for pk, text in texts.items()}
    unmatched = [pk for pk, first in firsts.items() if first is None]
    for pk, found in attachment_texts(unmatched).items():
        texts[pk] = compose(documents[pk], found)
        firsts[pk] = _first_match(texts[pk], finders)
    return {pk: _window(text, firsts[pk]) for pk, text in texts.items()}


def _first_match(text: str, finders: list[re.Pattern]) -> int | None:
    starts = [match.start() for finder in finders if (match := finder.search(text))]
    return min(starts) if starts else None


def _window(text: str, first: int | None) -> str:
    """The part of `text` around `first` (the snippet generator reads all it
    is given: a long text would cost milliseconds per hit)."""
    start = max(0, first - SNIPPET_CHARS // 2) if first else 0
    if start:
        start = text.find(" ", start) + 1 or start
    return text[start : start + 3 * SNIPPET_CHARS]


def _hits(searcher, schema, parsed, scored, user, *, exact) -> list[SearchHit]:
    """The page's hits: documents re-read within the user's scope (anything
    not returned by `restrict()` — for instance a change not yet indexed — is
    left out) with snippets cut from their text."""
    ids = searcher.fast_field_values("id", [address for _score, address in scored])
    documents = (
        Document.objects.restrict(user, "view")
        .select_related("doc_type", "organization")
        .only(*HIT_FIELDS)
        .order_by()
    )
    by_id = {document.pk: document for document in documents.filter(pk__in=ids)}
    highlight, field_name, finders = _highlight_query(schema, parsed, exact=exact)
    windows = _page_windows(by_id, finders)
    generator = tantivy.SnippetGenerator.create(searcher, highlight, schema, field_name)
    generator.set_max_num_chars(SNIPPET_CHARS)
    hits = []
    for (score, _address), doc_id in zip(scored, ids, strict=True):
        document = by_id.get(doc_id)
        if document is None:
            logger.info("search hit %s not visible in the database; skipped", doc_id)
            continue
        source = tantivy.Document()
        source.add_text(field_name, windows[doc_id])
        snippet = generator.snippet_from_doc(source)
        hits.append(
            SearchHit(
                id=doc_id,
                score=score,
                # Tantivy escapes the text; only its own <b> tags are HTML.
                snippet_html=snippet.to_html()
                .replace("<b>", "<mark>")
                .replace("</b>", "</mark>"),
                document=document,
                snippet=snippet,
            )
        )
    return hits


def _suggestion(q: str, hits: list[SearchHit]) -> str:
    """Did you mean …?: the query with each accent-less word replaced by the
    spelling with marks that the best hits' highlighted passages use most."""
    spellings: dict[str, Counter] = defaultdict(Counter)
    for hit in hits:
        snippet = hit.snippet
        if snippet is None:
            continue
        fragment = snippet.fragment().encode()
        for span in snippet.highlighted():
            word = fragment[span.start : span.end].decode(errors="ignore").lower()
            spellings[vi.fold(word)][word] += 1
    if not spellings:
        return ""

    def replace(match: re.Match) -> str:
        word = match.group(0)
        counts = spellings.get(vi.fold(word))
        if not counts:
            return word
        best = counts.most_common(1)[0][0]
        return best.capitalize() if word[:1].isupper() else best

    suggestion = _WORD.sub(replace, vi.normalize(q))
    return suggestion if suggestion.lower() != vi.normalize(q).lower() else ""
