"""The member card: a printable card whose QR code opens a public
verification page showing only name, photo, cell and validity.

The QR code carries a signed token (Django's signing with the secret key and
a salt), not a guessable id: `{"m": member id, "v": card version}`. Issuing
a new card bumps the version, so the old card's code stops verifying.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hoso.core import audit
from hoso.members import services, workdays
from hoso.members.choices import EventKind
from hoso.members.models import Member

SALT = "hoso.members.card"
CARD_YEARS = 5


def card_token(member: Member) -> str:
    return signing.dumps({"m": member.pk, "v": member.card_version}, salt=SALT)


def issue_card(member: Member, *, acting_user, valid_until: date | None = None):
    """Issue (or re-issue) the member's card; older cards stop verifying."""
    with transaction.atomic():
        member = services._locked(member, acting_user)
        if not member.is_current:
            raise ValidationError(_("This member is not on the list."))
        today = timezone.localdate()
        valid_until = valid_until or workdays.add_months(today, CARD_YEARS * 12)
        if valid_until <= today:
            raise ValidationError({"valid_until": _("This day is in the past.")})
        member.card_version += 1
        member.card_valid_until = valid_until
        member.save(update_fields=["card_version", "card_valid_until", "updated"])
        services._event(
            member, EventKind.CARD_ISSUED, today, acting_user, valid_until=valid_until
        )
        audit.record(
            "members.card_issued",
            obj=member,
            actor=acting_user,
            changes={"card_version": [member.card_version - 1, member.card_version]},
        )
    return member


@dataclass
class CardCheck:
    member: Member | None
    valid: bool


def verify_token(token: str) -> CardCheck:
    """The member behind a card's code, and whether the card is valid
    today (a current member, the latest card, not expired)."""
    try:
        data = signing.loads(token, salt=SALT)
        member = (
            Member.objects.select_related("organization")
            .filter(pk=int(data["m"]))
            .first()
        )
        version = int(data["v"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return CardCheck(None, False)
    if member is None or member.card_version != version:
        return CardCheck(None, False)
    valid = (
        member.is_current
        and member.card_valid_until is not None
        and member.card_valid_until >= timezone.localdate()
    )
    return CardCheck(member, valid)


def qr_svg(url: str) -> str:
    """The QR code of `url` as an inline SVG (no script, CSP-safe)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(
        url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2
    )
    out = io.BytesIO()
    image.save(out)
    text = out.getvalue().decode()
    # Drop the XML declaration: the SVG goes inside the page.
    return text[text.index("<svg") :]
