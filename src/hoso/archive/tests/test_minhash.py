"""MinHash signatures, similarity estimates and gap helpers (pure functions)."""

from hypothesis import given
from hypothesis import strategies as st

from hoso.archive import minhash
from hoso.archive.completeness import format_ranges, gaps_in
from hoso.archive.tests.texts import MINUTES, RESOLUTION, RESOLUTION_RESCANNED


def test_near_identical_texts_are_similar():
    a = minhash.minhash(RESOLUTION)
    b = minhash.minhash(RESOLUTION_RESCANNED)
    assert len(a) == len(b) == 128
    assert minhash.similarity(a, b) >= 0.8


def test_unrelated_texts_are_not():
    a = minhash.minhash(RESOLUTION)
    c = minhash.minhash(MINUTES)
    assert minhash.similarity(a, c) <= 0.3


def test_identical_texts_agree_everywhere_and_case_does_not_matter():
    assert (
        minhash.similarity(
            minhash.minhash(RESOLUTION), minhash.minhash(RESOLUTION.upper())
        )
        == 1.0
    )


def test_estimate_tracks_the_exact_jaccard():
    exact = minhash.jaccard(
        minhash.shingles(RESOLUTION), minhash.shingles(RESOLUTION_RESCANNED)
    )
    estimate = minhash.similarity(
        minhash.minhash(RESOLUTION), minhash.minhash(RESOLUTION_RESCANNED)
    )
    # Standard error at 128 functions is about 0.03 here; allow four.
    assert abs(exact - estimate) < 0.12


def test_signatures_are_stable_and_round_trip_through_bytes():
    signature = minhash.minhash(RESOLUTION)
    assert minhash.minhash(RESOLUTION) == signature
    assert minhash.unpack(minhash.pack(signature)) == signature
    assert len(minhash.pack(signature)) == 512


def test_empty_text_has_no_signature_and_no_similarity():
    assert minhash.minhash("   ") == []
    assert minhash.similarity([], []) == 0.0
    assert minhash.band_keys([]) == []


def test_short_text_is_one_shingle():
    assert minhash.shingles("Nghị quyết số 57") == {"nghị quyết số 57"}


def test_shingles_are_five_words():
    text = "một hai ba bốn năm sáu"
    assert minhash.shingles(text) == {"một hai ba bốn năm", "hai ba bốn năm sáu"}


def test_similar_texts_share_a_band_key():
    a = minhash.band_keys(minhash.minhash(RESOLUTION))
    b = minhash.band_keys(minhash.minhash(RESOLUTION_RESCANNED))
    assert len(a) == 32
    assert any(x == y for x, y in zip(a, b, strict=True))


def test_gaps_in_a_sequence():
    assert gaps_in([1, 2, 3, 5, 8]) == [(4, 4), (6, 7)]
    assert format_ranges(gaps_in([1, 2, 3, 5, 8])) == "4, 6–7"
    assert gaps_in([3, 4]) == [(1, 2)]
    assert gaps_in([]) == []
    assert format_ranges([(12, 14), (20, 20)]) == "12–14, 20"


@given(st.sets(st.integers(min_value=1, max_value=300)))
def test_gaps_are_exactly_the_missing_numbers(numbers):
    missing = {
        n for first, last in gaps_in(sorted(numbers)) for n in range(first, last + 1)
    }
    top = max(numbers, default=0)
    assert missing == set(range(1, top + 1)) - numbers
