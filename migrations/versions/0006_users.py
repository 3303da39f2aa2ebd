"""users: web accounts (organisers, moderators) and per-event moderator links

Revision ID: 0006_users
Revises: 0005_web
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import orchestrator.db.base

revision = "0006_users"
down_revision = "0005_web"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", orchestrator.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", orchestrator.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_web_user_event_id_event"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_user")),
        sa.UniqueConstraint("email", name=op.f("uq_web_user_email")),
    )
    with op.batch_alter_table("web_user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_user_event_id"), ["event_id"], unique=False)

    op.create_table(
        "moderator_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", orchestrator.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", orchestrator.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_moderator_link_event_id_event"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderator_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_moderator_link_token_hash")),
    )
    with op.batch_alter_table("moderator_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_moderator_link_event_id"), ["event_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("moderator_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_moderator_link_event_id"))

    op.drop_table("moderator_link")
    with op.batch_alter_table("web_user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_user_event_id"))

    op.drop_table("web_user")
