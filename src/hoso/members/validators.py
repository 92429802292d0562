"""Validators of the member numbers: party card number and biography number.

The card number is 8 digits (SPEC §5; the 2025 cards are to be checked, so
the length is the setting `MEMBERS_CARD_NUMBER_DIGITS`). The biography number
("số lý lịch") is 6 digits followed by the province code letters, e.g.
`012345HN`; users write it with spaces or a hyphen, we store it normalized.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_BIOGRAPHY = re.compile(r"^(\d{6})([A-ZĐ]{1,4})$")
_SEPARATORS = re.compile(r"[\s\-./]+")


def card_number_digits() -> int:
    return getattr(settings, "MEMBERS_CARD_NUMBER_DIGITS", 8)


def normalize_card_number(value: str) -> str:
    """Drop spaces and dots that people type between digit groups."""
    return _SEPARATORS.sub("", (value or "").strip())


def validate_card_number(value: str) -> str:
    """Return the normalized card number or raise ValidationError."""
    digits = card_number_digits()
    text = normalize_card_number(value)
    if not (len(text) == digits and text.isascii() and text.isdigit()):
        raise ValidationError(
            _("A party card number has exactly %(digits)d digits.")
            % {"digits": digits},
            code="card_number",
        )
    return text


def normalize_biography_number(value: str) -> str:
    """Upper-case, without separators: `012345 hn` → `012345HN`."""
    return _SEPARATORS.sub("", (value or "").strip()).upper()


def validate_biography_number(value: str) -> str:
    """Return the normalized biography number or raise ValidationError."""
    text = normalize_biography_number(value)
    match = _BIOGRAPHY.match(text)
    if match is None or not match.group(1).isascii():
        raise ValidationError(
            _(
                "A biography number is 6 digits followed by the province code "
                "letters, e.g. 012345HN."
            ),
            code="biography_number",
        )
    return text


def validate_citizen_id(value: str) -> str:
    """A citizen ID (CCCD) has exactly 12 digits."""
    text = (value or "").strip()
    if not (len(text) == 12 and text.isascii() and text.isdigit()):
        raise ValidationError(
            _("A citizen ID has exactly 12 digits."), code="citizen_id"
        )
    return text
