"""The models' Core tables, by name: what the writer's jobs and the read queries use."""

from __future__ import annotations

from services.store.models import (
    AuditEntry,
    Conversation,
    Customer,
    IdempotencyRecord,
    Identity,
    LifecycleEvent,
    Operator,
    OperatorEvent,
    OperatorSeq,
    Product,
    Purchase,
    Queue,
    SessionToken,
    StoreMeta,
    TimelineEvent,
    Touchpoint,
    table_of,
)

audit = table_of(AuditEntry)
conversations = table_of(Conversation)
customers = table_of(Customer)
idempotency = table_of(IdempotencyRecord)
identities = table_of(Identity)
lifecycle = table_of(LifecycleEvent)
operators = table_of(Operator)
operator_events = table_of(OperatorEvent)
operator_seqs = table_of(OperatorSeq)
products = table_of(Product)
purchases = table_of(Purchase)
queues = table_of(Queue)
session_tokens = table_of(SessionToken)
store_meta = table_of(StoreMeta)
timeline = table_of(TimelineEvent)
touchpoints = table_of(Touchpoint)

# Next-best-action decision log and outcomes (appended with their migration, 0002).
from services.store.models import NbaDecision, NbaOutcome  # noqa: E402

nba_decisions = table_of(NbaDecision)
nba_outcomes = table_of(NbaOutcome)

# Claimed identities and web-chat visitors' secrets (appended with their migration, 0004).
from services.store.models import IdentityClaim, WebVisitor  # noqa: E402

identity_claims = table_of(IdentityClaim)
web_visitors = table_of(WebVisitor)

# Attachments and CSAT answers (appended with their migration, 0006).
from services.store.models import Attachment, CsatResponse  # noqa: E402

attachments = table_of(Attachment)
csat_responses = table_of(CsatResponse)
# Orders' delivery and status history (appended with their migration, 0008).
from services.store.models import OrderDelivery, OrderStatusChange  # noqa: E402

order_deliveries = table_of(OrderDelivery)
order_status_history = table_of(OrderStatusChange)
# Canned responses and their revisions (appended with their migration, 0005).
from services.store.models import CannedResponse, CannedRevision  # noqa: E402

canned_responses = table_of(CannedResponse)
canned_revisions = table_of(CannedRevision)
# Merge suggestions and merges (appended with their migration, 0010).
from services.store.models import CustomerMerge, MergeSuggestion  # noqa: E402

merge_suggestions = table_of(MergeSuggestion)
customer_merges = table_of(CustomerMerge)
