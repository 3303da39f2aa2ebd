"""mail: outbox

Revision ID: 0003_mail
Revises: 0002_registrants
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import orchestrator.db.base

revision = "0003_mail"
down_revision = "0002_registrants"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("occasion", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("due_at", orchestrator.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deadline", orchestrator.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", orchestrator.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("message_id", sa.String(length=300), nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("lease_until", orchestrator.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sending_at", orchestrator.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", orchestrator.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("crash_resends", sa.Integer(), nullable=False),
        sa.Column("created_at", orchestrator.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", orchestrator.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_mail_outbox_event_id_event"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_mail_outbox_person_id_person"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_outbox")),
        sa.UniqueConstraint(
            "person_id", "kind", "occasion", name=op.f("uq_mail_outbox_person_id_kind_occasion")
        ),
    )
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mail_outbox_due_at"), ["due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_mail_outbox_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mail_outbox_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mail_outbox_state"), ["state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_outbox_state"))
        batch_op.drop_index(batch_op.f("ix_mail_outbox_person_id"))
        batch_op.drop_index(batch_op.f("ix_mail_outbox_event_id"))
        batch_op.drop_index(batch_op.f("ix_mail_outbox_due_at"))

    op.drop_table("mail_outbox")
