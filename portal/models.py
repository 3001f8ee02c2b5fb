"""Import every model so the metadata is complete (Alembic, tests)."""

from portal.accounts.models import AuditEvent, User
from portal.applications.models import Application, Document, HistoryEntry, TrackingCounter
from portal.authorities.models import Authority
from portal.catalogue.models import CatalogueEntry
from portal.certificates.models import DocumentCounter, IssuedDocument
from portal.establishments.models import Establishment
from portal.extensions import db
from portal.inspections.models import InspectionAnswer, InspectionPhoto, InspectionVisit
from portal.jobs.models import OutboxMessage
from portal.notifications.models import MailDelivery
from portal.opinions.models import Opinion
from portal.payments.models import PaymentOrder
from portal.plans.models import BusinessPlan
from portal.procedures.models import Procedure, ProcedureVersion
from portal.reference.models import ActivityCode
from portal.review.models import Inspection, ReviewVerdict
from portal.sessions.models import UserSession
from portal.simdet.models import ApiClient, FeedEvent, FeedSequence
from portal.subjects.models import CaseSubject, LegalUnit, Property
from portal.testcases.models import TestMail
from portal.two_factor.models import RecoveryCode, SecondFactor
from portal.walkin.models import WalkIn

metadata = db.metadata

__all__ = [
    "ActivityCode",
    "ApiClient",
    "Application",
    "AuditEvent",
    "Authority",
    "BusinessPlan",
    "CaseSubject",
    "CatalogueEntry",
    "Document",
    "DocumentCounter",
    "Establishment",
    "FeedEvent",
    "FeedSequence",
    "HistoryEntry",
    "Inspection",
    "InspectionAnswer",
    "InspectionPhoto",
    "InspectionVisit",
    "IssuedDocument",
    "LegalUnit",
    "MailDelivery",
    "Opinion",
    "OutboxMessage",
    "PaymentOrder",
    "Procedure",
    "ProcedureVersion",
    "Property",
    "RecoveryCode",
    "ReviewVerdict",
    "SecondFactor",
    "TestMail",
    "TrackingCounter",
    "User",
    "UserSession",
    "WalkIn",
    "metadata",
]
