"""Property tests for the card and biography number validators."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from hoso.members import validators

digits = st.text(alphabet="0123456789", min_size=1, max_size=12)
letters = st.text(alphabet="ABCDEFGHIKLMNOPQRSTUVXYĐ", min_size=1, max_size=4)


@given(st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_any_eight_digits_is_a_card_number(value):
    assert validators.validate_card_number(value) == value


@given(
    st.text(alphabet="0123456789", min_size=8, max_size=8),
    st.sampled_from([" ", ".", "-"]),
)
def test_card_number_separators_are_dropped(value, sep):
    assert validators.validate_card_number(value[:4] + sep + value[4:]) == value


@given(digits.filter(lambda v: len(v) != 8))
def test_card_number_of_wrong_length_is_refused(value):
    with pytest.raises(ValidationError):
        validators.validate_card_number(value)


@given(
    st.text(min_size=0, max_size=12).filter(
        lambda v: (
            len(validators.normalize_card_number(v)) != 8
            or not validators.normalize_card_number(v).isdigit()
            or not validators.normalize_card_number(v).isascii()
        )
    )
)
def test_card_number_rejects_everything_else(value):
    with pytest.raises(ValidationError):
        validators.validate_card_number(value)


def test_card_number_rejects_non_ascii_digits():
    with pytest.raises(ValidationError):
        validators.validate_card_number("١٢٣٤٥٦٧٨")


@given(st.text(alphabet="0123456789", min_size=6, max_size=6), letters)
def test_biography_number_round_trip(number, code):
    value = f"{number}{code}"
    assert validators.validate_biography_number(value) == value
    assert validators.validate_biography_number(f" {number}-{code.lower()} ") == value


@given(
    st.text(alphabet="0123456789", min_size=0, max_size=9).filter(
        lambda v: len(v) != 6
    ),
    letters,
)
def test_biography_number_needs_six_digits(number, code):
    with pytest.raises(ValidationError):
        validators.validate_biography_number(f"{number}{code}")


@given(st.text(alphabet="0123456789", min_size=6, max_size=6))
def test_biography_number_needs_province_letters(number):
    with pytest.raises(ValidationError):
        validators.validate_biography_number(number)
    with pytest.raises(ValidationError):
        validators.validate_biography_number(number + "ABCDE")


@given(st.text(max_size=14))
def test_biography_validator_never_crashes(value):
    try:
        result = validators.validate_biography_number(value)
    except ValidationError:
        return
    assert result[:6].isdigit() and result[6:].isalpha()
