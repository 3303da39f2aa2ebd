"""breakouts: plans, assignments, applies

Revision ID: 0004_breakouts
Revises: 0003_mail
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import orchestrator.db.base

revision = '0004_breakouts'
down_revision = '0003_mail'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
