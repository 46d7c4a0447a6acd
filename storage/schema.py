"""The whole schema: importing this module registers every models module's tables on the
shared metadata. Alembic's environment and the schema tests read `metadata` from here; a new
models module is added to the imports below."""

from __future__ import annotations

from sqlalchemy import MetaData

from storage import (
    models,
    models_access,
    models_audit,
    models_evaluation,
    models_minutes,
    models_ops,
    models_outbox,
    models_scheduling,
)
from storage.base import Base

metadata: MetaData = Base.metadata

# Named so the imports above are visibly needed: each registers its tables on `metadata`.
MODELS_MODULES = (
    models,
    models_access,
    models_audit,
    models_evaluation,
    models_minutes,
    models_ops,
    models_outbox,
    models_scheduling,
)
