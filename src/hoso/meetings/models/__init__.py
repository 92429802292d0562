from hoso.meetings.models.meeting import (
    ADVANCE_NOTICE,
    AgendaDocument,
    AgendaItem,
    Bridge,
    Meeting,
    MeetingSeries,
    Participant,
    SpeakingRequest,
)
from hoso.meetings.models.minutes import Conclusion, Minutes
from hoso.meetings.models.voting import (
    BallotReceipt,
    OpenBallot,
    SecretBallot,
    Vote,
    VoteOption,
)

__all__ = [
    "ADVANCE_NOTICE",
    "AgendaDocument",
    "AgendaItem",
    "BallotReceipt",
    "Bridge",
    "Conclusion",
    "Meeting",
    "MeetingSeries",
    "Minutes",
    "OpenBallot",
    "Participant",
    "SecretBallot",
    "SpeakingRequest",
    "Vote",
    "VoteOption",
]
