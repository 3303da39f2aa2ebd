"""web: webhooks, attendance, users

Revision ID: 0005_web
Revises: 0004_breakouts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import orchestrator.db.base

revision = '0005_web'
down_revision = '0004_breakouts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
