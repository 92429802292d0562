"""Vietnamese text analysis shared by indexing and querying.

Text is indexed twice: as written (lower-cased, diacritics kept) and folded
(diacritics stripped, "đ" → "d"), because folding merges distinct syllables
("đội", "đối", "đôi" all become "doi"): the folded field finds what a user
typed without accents, the exact field ranks exact spellings first.

Both sides use the same tantivy analyzers — the index registers them under
the names below and the query parser runs the very same analyzer objects —
so a query term is always spelled the way the index spelled it.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache

import tantivy

from hoso.documents.symbols import SymbolError, format_symbol, parse_symbol

TEXT_ANALYZER = "vi_text"
FOLDED_ANALYZER = "vi_folded"
PAIRS_ANALYZER = "vi_pairs"
# Joins the two words of a word pair (the tokenizer never keeps it inside a
# word, so "a_bc" and "ab_c" stay distinct).
PAIR_JOINER = "_"
# Tokens longer than this are noise (base64, hashes) and are dropped, as
# tantivy's default tokenizer does.
MAX_TOKEN_CHARS = 40

_QUOTED = re.compile(r'"([^"]*)"?')
# A chunk that could be a document symbol: a digit and a separator.
_SYMBOL_LIKE = re.compile(r"\d.*[-/]|[-/].*\d")


def _analyzer(*, folded: bool) -> tantivy.TextAnalyzer:
    builder = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(MAX_TOKEN_CHARS))
        .filter(tantivy.Filter.lowercase())
    )
    if folded:
        # Lucene's ASCII folding: strips Vietnamese marks and maps đ/Đ to d.
        builder = builder.filter(tantivy.Filter.ascii_fold())
    return builder.build()


@cache
def analyzers() -> dict[str, tantivy.TextAnalyzer]:
    """The analyzers an index registers, by name."""
    return {
        TEXT_ANALYZER: _analyzer(folded=False),
        FOLDED_ANALYZER: _analyzer(folded=True),
        # Word pairs arrive split, one per space-separated token.
        PAIRS_ANALYZER: tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace())
        .filter(tantivy.Filter.remove_long(2 * MAX_TOKEN_CHARS + 1))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build(),
    }


def normalize(text: str) -> str:
    """NFC: the tokenizer splits on combining marks, so decomposed input
    (common in text extracted from PDFs) must be composed first."""
    return unicodedata.normalize("NFC", text or "")


def _fold_table() -> dict[int, int | None]:
    table: dict[int, int | None] = dict.fromkeys(range(0x300, 0x370))
    for code in range(0xC0, 0x2000):
        base = unicodedata.normalize("NFD", chr(code))[0]
        if base != chr(code) and base.isascii():
            table[code] = ord(base)
    table[ord("đ")] = ord("d")
    table[ord("Đ")] = ord("D")
    return table


_FOLD = _fold_table()


def _variants() -> dict[str, str]:
    """Folded letter → every letter that folds to it (both cases)."""
    variants: dict[str, set[str]] = {}
    for code, base in _FOLD.items():
        if base is not None:
            variants.setdefault(chr(base).lower(), set()).add(chr(code))
    for letter in list(variants):
        variants[letter] |= {letter, letter.upper()}
    return {letter: "".join(sorted(chars)) for letter, chars in variants.items()}


_VARIANTS = _variants()


def spelling_pattern(word: str, *, folded: bool) -> str:
    """A regular expression finding `word` in text as a whole word: as
    spelled (case-insensitive), or — `folded` — in any spelling that folds
    to it ("dang" finds "Đảng")."""
    if not folded:
        body = re.escape(word)
    else:
        body = "".join(
            f"[{re.escape(_VARIANTS[c])}]" if c in _VARIANTS else re.escape(c)
            for c in fold(word)
        )
    return rf"(?<![^\W_]){body}(?![^\W_])"


def fold(text: str) -> str:
    """Lower-case `text` without diacritics, "đ" → "d" (for comparisons in
    Python; the index folds with the equivalent tantivy filter)."""
    return normalize(text).translate(_FOLD).lower()


def has_diacritics(text: str) -> bool:
    """Whether `text` carries any Vietnamese mark or "đ"."""
    return fold(text) != (text or "").lower()


def tokens(text: str) -> list[str]:
    """The exact-field terms of `text`."""
    return analyzers()[TEXT_ANALYZER].analyze(normalize(text))


def folded_tokens(text: str) -> list[str]:
    """The folded-field terms of `text`."""
    return analyzers()[FOLDED_ANALYZER].analyze(normalize(text))


def pair_terms(folded_words: list[str]) -> list[str]:
    """The word-pair terms of consecutive folded words: ["chuyen", "doi",
    "so"] → ["chuyen_doi", "doi_so"]."""
    return [
        a + PAIR_JOINER + b
        for a, b in zip(folded_words, folded_words[1:], strict=False)
    ]


# What separates words for the pairs: ASCII punctuation and symbols (mapped
# to spaces on the UTF-8 bytes, which is fast; bytes of other characters are
# left alone) and the typographic punctuation and symbols of Unicode.
_ASCII_SEPARATORS = bytes.maketrans(
    bytes(range(256)),
    bytes(c if c >= 128 or chr(c).isalnum() else 32 for c in range(256)),
)
_OTHER_SEPARATORS = re.compile(
    "[\u00a0-\u00bf\u00d7\u00f7\u02b9-\u02ff\u2000-\u2bff\u3000-\u303f"
    "\ufe30-\ufe4f\uff00-\uff0f\uff1a-\uff20]"
)


def word_pairs(text: str) -> str:
    """The word pairs of `text`, in order, space-separated, for the pairs
    field (whose analyzer lower-cases and folds them): a phrase becomes a
    lookup of its pairs instead of a walk through the positions of its
    (often very common) words. Words split as the text analyzers split them,
    done in bulk: this runs for every document a rebuild indexes."""
    text = _OTHER_SEPARATORS.sub(" ", normalize(text))
    words = text.encode().translate(_ASCII_SEPARATORS).decode().split()
    return " ".join(map(PAIR_JOINER.join, zip(words, words[1:], strict=False)))


def _part_spellings(part: str) -> set[str]:
    """A symbol part; a number also without its leading zero ("05", "5")."""
    if not part:
        return set()
    if part.isdigit():
        return {part, str(int(part))}
    return {part}


@lru_cache(maxsize=100_000)
def symbol_terms(symbol: str) -> tuple[str, ...]:
    """The exact terms under which a document symbol is indexed.

    The whole symbol (as written and canonical, upper-cased), its parts
    (number, type code, issuer and the issuer's own parts) and the folded
    spellings of all of them, so "57-NQ/TW", "57", "NQ", "TW", "NĐ-CP" and
    "ND-CP" all find the document.
    """
    symbol = normalize(symbol).strip()
    if not symbol:
        return ()
    terms = {symbol.upper()}
    with contextlib.suppress(SymbolError):
        terms.add(format_symbol(parse_symbol(symbol)).upper())
    for whole in list(terms):
        for part in re.split(r"[\s/-]+", whole):
            terms.update(_part_spellings(part))
    terms |= {fold(term).upper() for term in terms}
    return tuple(sorted(terms))


@dataclass
class SymbolQuery:
    """A document symbol in a query: matched whole (any of `whole`), or by
    all its parts (each a set of spellings), so "57-NQ" finds "57-NQ/TW"."""

    whole: list[str]
    parts: list[list[str]]


def symbol_query(chunk: str) -> SymbolQuery | None:
    """The symbol lookup for a query chunk, or None when it is no symbol
    (a symbol has a digit and a "-" or "/")."""
    chunk = normalize(chunk).strip()
    if not _SYMBOL_LIKE.search(chunk):
        return None
    whole = {chunk.upper(), fold(chunk).upper()}
    try:
        canonical = format_symbol(parse_symbol(chunk)).upper()
        whole |= {canonical, fold(canonical).upper()}
        chunk = canonical
    except SymbolError:
        pass
    parts = [
        sorted(_part_spellings(part) | {fold(part).upper()})
        for part in re.split(r"[\s/-]+", chunk.upper())
        if part
    ]
    return SymbolQuery(whole=sorted(whole), parts=parts)


@dataclass
class ParsedQuery:
    """A user's query: words AND-ed, quoted phrases, document symbols."""

    words: list[str] = field(default_factory=list)
    phrases: list[list[str]] = field(default_factory=list)
    symbols: list[SymbolQuery] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.words or self.phrases or self.symbols)


def parse_query(text: str) -> ParsedQuery:
    """Split a query into words, "quoted phrases" and symbols.

    A whole query that is a symbol ("Số 57-NQ/TW", "15 / QĐ-BNV") is one
    symbol; otherwise each whitespace-separated chunk that parses as a symbol
    is one. Words and phrases keep the user's spelling (normalized): the
    query builder decides exact versus folded matching per term.
    """
    text = normalize(text).strip()
    parsed = ParsedQuery()
    if not text:
        return parsed
    if " " in text:
        try:
            parse_symbol(text)
        except SymbolError:
            pass
        else:
            parsed.symbols.append(symbol_query(text))
            return parsed
    for phrase in _QUOTED.findall(text):
        words = tokens(phrase)
        if len(words) > 1:
            parsed.phrases.append(words)
        else:
            parsed.words.extend(words)
    for chunk in _QUOTED.sub(" ", text).split():
        symbol = symbol_query(chunk)
        if symbol:
            parsed.symbols.append(symbol)
        else:
            parsed.words.extend(tokens(chunk))
    return parsed
