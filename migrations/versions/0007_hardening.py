"""hardening: leases, server-side sessions, login attempts

Revision ID: 0007_hardening
Revises: 0006_users
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import orchestrator.db.base

revision = "0007_hardening"
down_revision = "0006_users"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_attempt",
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_attempt_at", orchestrator.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("not_before", orchestrator.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_attempt")),
    )
    op.create_table(
        "operation_lease",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("holder_label", sa.String(length=200), nullable=False),
        sa.Column("acquired_at", orchestrator.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", orchestrator.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_operation_lease")),
    )
    op.create_table(
        "web_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("link_id", sa.Integer(), nullable=True),
        sa.Column("created_at", orchestrator.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", orchestrator.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", orchestrator.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("flash", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["moderator_link.id"],
            name=op.f("fk_web_session_link_id_moderator_link"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["web_user.id"], name=op.f("fk_web_session_user_id_web_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_session_token_hash")),
    )
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_session_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_web_session_link_id"), ["link_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_web_session_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("moderator_link", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("expires_at", orchestrator.db.base.UTCDateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("zoom_registration", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("confirmed_at", orchestrator.db.base.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("zoom_registration", schema=None) as batch_op:
        batch_op.drop_column("confirmed_at")

    with op.batch_alter_table("moderator_link", schema=None) as batch_op:
        batch_op.drop_column("expires_at")

    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_session_user_id"))
        batch_op.drop_index(batch_op.f("ix_web_session_link_id"))
        batch_op.drop_index(batch_op.f("ix_web_session_expires_at"))

    op.drop_table("web_session")
    op.drop_table("operation_lease")
    op.drop_table("login_attempt")
