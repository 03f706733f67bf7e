"""SQLAlchemy models, one module per ledger (家庭账/识别账 household, 收入账 income, 政策账 policy,
帮扶账 assistance), village work teams (驻村帮扶),
inspections and the year-end assessment (督查考核) plus the area tree, the audit trail and the users."""

from povmon.models.area import AREA_LEVELS, Area
from povmon.models.assistance import Cadre, Measure, Pairing, Visit
from povmon.models.audit import AuditLog, CountyKey, ImportBatch, MonthClose
from povmon.models.base import Base, Fixed2, utcnow
from povmon.models.employment import Employment, Enterprise, PoliticalStatus, Training, TrainingParticipant
from povmon.models.household import Household, HouseholdEvent, Member
from povmon.models.income import Income, PovertyLine
from povmon.models.monitoring import DeptRow, Lead, LeadStep, MonitorRule
from povmon.models.policy import Benefit, Policy
from povmon.models.project import (
    AssetStatus,
    Project,
    ProjectAsset,
    ProjectBeneficiary,
    ProjectDividend,
    ProjectFunding,
)
from povmon.models.supervision import (
    Appeal,
    AssessmentClose,
    AssessmentScheme,
    Finding,
    HandScore,
    Inspection,
    InspectionTarget,
    Rectification,
)
from povmon.models.users import AppUser
from povmon.models.workteam import (
    Attendance,
    LeaveRequest,
    Outing,
    TeamMember,
    TeamReport,
    TeamReview,
    WorkLog,
    WorkTeam,
)

__all__ = [
    "AREA_LEVELS",
    "AppUser",
    "Appeal",
    "Area",
    "AssessmentClose",
    "AssessmentScheme",
    "AssetStatus",
    "Attendance",
    "AuditLog",
    "Base",
    "Benefit",
    "Cadre",
    "CountyKey",
    "DeptRow",
    "Employment",
    "Enterprise",
    "Finding",
    "Fixed2",
    "HandScore",
    "Household",
    "HouseholdEvent",
    "ImportBatch",
    "Income",
    "Inspection",
    "InspectionTarget",
    "Lead",
    "LeadStep",
    "LeaveRequest",
    "Measure",
    "Member",
    "MonitorRule",
    "MonthClose",
    "Outing",
    "Pairing",
    "Policy",
    "PoliticalStatus",
    "PovertyLine",
    "Project",
    "ProjectAsset",
    "ProjectBeneficiary",
    "ProjectDividend",
    "ProjectFunding",
    "Rectification",
    "TeamMember",
    "TeamReport",
    "TeamReview",
    "Training",
    "TrainingParticipant",
    "Visit",
    "WorkLog",
    "WorkTeam",
    "utcnow",
]
