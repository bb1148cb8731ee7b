"""Imports every area's models so the metadata is complete (Alembic, tests)."""
from .api.models import ApiToken  # noqa: F401
from .assessments.answers import Answer, Comment, Invitee, Participation, Response  # noqa: F401
from .assessments.models import ActionItem, Campaign, Draft, FrozenResult, Instrument  # noqa: F401
from .audit.models import AuditRecord  # noqa: F401
from .auth.models import LoginFailure  # noqa: F401
from .cafes.models import AgendaItem, Cafe, CafeAction, CafeAttendee, CafeDecision, CafeInvitation  # noqa: F401
from .downloads.models import Download, DownloadFile  # noqa: F401
from .jobs.models import SchedulerLease, WorkerHeartbeat  # noqa: F401
from .kpis.models import (  # noqa: F401
    Behaviour,
    Kpi,
    KpiBehaviourLink,
    KpiImport,
    KpiValue,
    RewardComponent,
    RewardPlan,
)
from .listening.models import JourneyStage, Remark, Touchpoint, TouchpointKpi  # noqa: F401
from .lms.models import (  # noqa: F401
    GradeLink,
    GradePassback,
    LrsSettings,
    LtiIdentity,
    LtiLaunch,
    LtiNonce,
    LtiRegistration,
    ToolKey,
    XapiStatement,
)
from .mail.models import MailMessage, MailOccasion, MailOptOut  # noqa: F401
from .modules.models import (  # noqa: F401
    Assignment,
    Certificate,
    Module,
    ModuleVersion,
    PathItem,
    Progress,
    QuizAttempt,
    QuizAttemptItem,
    QuizDraw,
    TrainingPath,
    TrainingSettings,
)
from .orgs.models import (  # noqa: F401
    JobRole,
    Organisation,
    Person,
    PersonPermission,
    RetentionSettings,
    RosterImport,
    Team,
)
from .scim.models import ScimGroup, ScimHeldChange, ScimSettings, ScimUser  # noqa: F401
from .sso.models import SsoIdentity, SsoSettings  # noqa: F401
from .webhooks.models import WebhookDelivery, WebhookSubscription  # noqa: F401
