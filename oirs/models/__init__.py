"""All models, imported here so Alembic and the app see one metadata."""

from oirs.models.access_log import CaseView
from oirs.models.alert import SentAlert
from oirs.models.base import Base, utcnow
from oirs.models.calendar import DeadlineRule, ExtraHoliday
from oirs.models.case import Adhesion, Attachment, Case, CaseEvent, CaseType, Channel, FolioCounter
from oirs.models.conversation import ConversationOutcome, ReportDispatch
from oirs.models.handoff import Handoff, HandoffStatus
from oirs.models.note import InternalNote
from oirs.models.organisation import Category, Unit
from oirs.models.outbox import OutboxMessage
from oirs.models.sai import Amparo, AmparoStep, ThirdParty
from oirs.models.street import StreetAxis
from oirs.models.template import ReplyTemplate
from oirs.models.theme import ThemeModelRun, ThemeTrainingExample
from oirs.models.user import ApiToken, Role, User

__all__ = [
    "Adhesion",
    "Amparo",
    "AmparoStep",
    "ApiToken",
    "Attachment",
    "Base",
    "Case",
    "CaseEvent",
    "CaseType",
    "CaseView",
    "Category",
    "Channel",
    "ConversationOutcome",
    "DeadlineRule",
    "ExtraHoliday",
    "FolioCounter",
    "Handoff",
    "HandoffStatus",
    "InternalNote",
    "OutboxMessage",
    "ReplyTemplate",
    "ReportDispatch",
    "Role",
    "SentAlert",
    "StreetAxis",
    "ThemeModelRun",
    "ThemeTrainingExample",
    "ThirdParty",
    "Unit",
    "User",
    "utcnow",
]
