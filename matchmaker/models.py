"""Every model, imported in one place so metadata is complete (Alembic, create_all)."""

from sqlalchemy.orm import configure_mappers

from matchmaker.accounts.models import ApiToken, Role, User
from matchmaker.audit import AuditEvent
from matchmaker.cache import CacheGeneration
from matchmaker.catalogue.models import (
    Catalogue,
    CatalogueStatus,
    ImportBatch,
    Project,
    ProjectAttachment,
    ProjectStatus,
    project_sectors,
)
from matchmaker.editions.models import Edition
from matchmaker.followup.models import EntryKind, Followup, FollowupState, ProgressEntry, Stage
from matchmaker.investors.models import ClaimStatus, Investor, InvestorClaim, InvestorKind
from matchmaker.jobs import Job
from matchmaker.matching.models import InvestorProfile, Lead, LeadStatus
from matchmaker.meetings.models import (
    Meeting,
    MeetingEvent,
    MeetingOutcome,
    MeetingReminder,
    MeetingStatus,
    Message,
    Zone,
    ZoneTable,
)
from matchmaker.notifications.models import (
    Delivery,
    DeliveryState,
    Notification,
    NotificationPreference,
)
from matchmaker.reference.models import Region, RegionLevel, Sector
from matchmaker.search.models import SearchDocument, SearchIndexState  # noqa: F401
from matchmaker.signing.models import (
    Agreement,
    AgreementKind,
    SessionKind,
    SessionState,
    SigningSession,
)
from matchmaker.storage import StoredUpload

__all__ = [
    "Agreement", "AgreementKind", "ApiToken", "AuditEvent", "CacheGeneration", "Catalogue",
    "CatalogueStatus", "ClaimStatus", "Delivery", "DeliveryState", "Edition", "EntryKind",
    "Followup", "FollowupState", "ImportBatch", "Investor", "InvestorClaim", "Job",
    "InvestorKind", "InvestorProfile", "Lead", "LeadStatus", "Meeting", "MeetingEvent",
    "MeetingOutcome", "MeetingReminder", "MeetingStatus", "Message", "Notification", "Zone", "ZoneTable",
    "NotificationPreference", "ProgressEntry", "Project", "ProjectAttachment", "ProjectStatus", "Stage",
    "Region", "RegionLevel", "Role", "Sector", "SessionKind", "SessionState", "SigningSession",
    "StoredUpload", "User", "project_sectors",
]

# Backrefs (Investor.profile, declared by matching) exist only once the mappers are
# configured, which SQLAlchemy otherwise does at the first query: a statement that names one
# before that (`matchmaker investors list` in a fresh process) failed with AttributeError.
configure_mappers()
