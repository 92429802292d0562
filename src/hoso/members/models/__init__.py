from hoso.members.models.dues import DuesPayment, DuesRate
from hoso.members.models.member import (
    CitizenIdCheck,
    Discipline,
    Introduction,
    Member,
    MemberEvent,
    Transfer,
)
from hoso.members.models.rating import Rating, RatingRound

__all__ = [
    "CitizenIdCheck",
    "Discipline",
    "DuesPayment",
    "DuesRate",
    "Introduction",
    "Member",
    "MemberEvent",
    "Rating",
    "RatingRound",
    "Transfer",
]
