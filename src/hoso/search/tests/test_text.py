"""Text analysis without the database: the word pairs agree with the folded
analyzer, whatever separates the words (words of up to 40 characters: longer ones are
noise the text analyzers drop)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from hoso.search import text

LETTERS = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxy"
    "AĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXY"
    "àảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"
    "0123456789"
)
SEPARATORS = [
    " ",
    "  ",
    ", ",
    ". ",
    "\n",
    "-",
    "/",
    "(",
    ") ",
    '"',
    "“",
    "” ",
    "…",
    " – ",
    "_",
    ": ",
    "; ",
    "\u00a0",
    "•",
    "«",
    "» ",
]

words = st.text(alphabet=LETTERS, min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(words, st.sampled_from(SEPARATORS)), max_size=30))
def test_word_pairs_agree_with_the_folded_analyzer(parts):
    sample = "".join(word + separator for word, separator in parts)
    analyzer = text.analyzers()[text.PAIRS_ANALYZER]
    assert analyzer.analyze(text.word_pairs(sample)) == text.pair_terms(
        text.folded_tokens(sample)
    )


def test_word_pairs_of_a_sentence():
    pairs = text.analyzers()[text.PAIRS_ANALYZER].analyze(
        text.word_pairs("Kế hoạch “chuyển đổi số”, năm 2025.")
    )
    assert pairs == [
        "ke_hoach",
        "hoach_chuyen",
        "chuyen_doi",
        "doi_so",
        "so_nam",
        "nam_2025",
    ]
