"""mail: outbox

Revision ID: 0003_mail
Revises: 0002_registrants
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import orchestrator.db.base

revision = '0003_mail'
down_revision = '0002_registrants'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
