"""Every table, in one place: SQLAlchemy 2 typed rows on one declarative ``Base``.

    _base       Base, UtcDateTime (timezone-aware, kept in UTC), BigId
    core        directory (schedules, contracts, teams, clients, staff, invites,
                users), tickets, counters, assignment, audit trail
    messaging   the Telegram side: outbox, topics, message links, drafts,
                conversations, resolutions, the FAQ log
    ops         SLA operations: watcher schedule and alerts, contract terms,
                client managers, report files, surveys
    channels    a person's further addresses, MAX message ids, pairing codes
    alerts      monitoring alerts: clients' API keys (hashed), alert keys and their tickets
    incidents   mass incidents: reports linked to an incident (issue 14)
    catalogue   request forms and approvals (issue 15)
    leases      an outbox lane or a bot's polling held by one instance of several
    edge        where the outside world comes in: update claims, unreadable
                updates, revoked page links, outsider replies, rebind offers

Importing this package registers every table on ``Base.metadata``; Alembic
migrations (``storage/migrations``) make the same schema on both backends.
"""

from __future__ import annotations

from storage.tables import catalogue as catalogue
from storage.tables import incidents as incidents
from storage.tables._base import (
    NAMING,
    Base,
    BigId,
    UtcDateTime,
)
from storage.tables.alerts import ApiKeyRow, MonitoringAlertRow
from storage.tables.channels import MaxMarkerRow, MaxMessageRow, PairingCodeRow, UserAddressRow
from storage.tables.core import (
    AssignmentCursorRow,
    AuditEventRow,
    AuditHeadRow,
    ClientRow,
    ContractRow,
    ContractTargetRow,
    InviteRow,
    OwnerLoadRow,
    ScheduleRow,
    StaffRow,
    TeamRow,
    TicketCounterRow,
    TicketRow,
    UserRow,
)
from storage.tables.edge import (
    BadUpdateRow,
    LinkRevocationRow,
    OutsiderReplyRow,
    RebindOfferRow,
    UpdateClaimRow,
)
from storage.tables.leases import LeaseRow
from storage.tables.messaging import (
    ConversationRow,
    DraftRow,
    FaqLogRow,
    MessageLinkRow,
    OutboxRow,
    ResolutionRow,
    TicketTopicRow,
)
from storage.tables.ops import (
    AlertSentRow,
    ClientManagerRow,
    ContractTermsRow,
    ReportFileRow,
    ReportSentRow,
    SlaWatchRow,
    SurveyAnswerRow,
    SurveyRow,
)

__all__ = [
    "NAMING",
    "AlertSentRow",
    "ApiKeyRow",
    "AssignmentCursorRow",
    "AuditEventRow",
    "AuditHeadRow",
    "BadUpdateRow",
    "Base",
    "BigId",
    "ClientManagerRow",
    "ClientRow",
    "ContractRow",
    "ContractTargetRow",
    "ContractTermsRow",
    "ConversationRow",
    "DraftRow",
    "FaqLogRow",
    "InviteRow",
    "LeaseRow",
    "LinkRevocationRow",
    "MaxMarkerRow",
    "MaxMessageRow",
    "MessageLinkRow",
    "MonitoringAlertRow",
    "OutboxRow",
    "OutsiderReplyRow",
    "OwnerLoadRow",
    "PairingCodeRow",
    "RebindOfferRow",
    "ReportFileRow",
    "ReportSentRow",
    "ResolutionRow",
    "ScheduleRow",
    "SlaWatchRow",
    "StaffRow",
    "SurveyAnswerRow",
    "SurveyRow",
    "TeamRow",
    "TicketCounterRow",
    "TicketRow",
    "TicketTopicRow",
    "UpdateClaimRow",
    "UserAddressRow",
    "UserRow",
    "UtcDateTime",
]
