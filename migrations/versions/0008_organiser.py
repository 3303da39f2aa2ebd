"""organiser in the browser: agenda versions, mail holds, web audit; approval pending; Zoom identities

Revision ID: 0008_organiser
Revises: 0007_hardening
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import orchestrator.db.base

revision = "0008_organiser"
down_revision = "0007_hardening"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agenda_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("saved_at", orchestrator.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("saved_by", sa.String(length=200), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("source_hash", sa.String(length=64), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_agenda_version_event_id_event"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_version")),
        sa.UniqueConstraint("event_id", "version", name=op.f("uq_agenda_version_event_id_version")),
    )
    with op.batch_alter_table("agenda_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agenda_version_event_id"), ["event_id"], unique=False)

    op.create_table(
        "mail_hold",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("held_at", orchestrator.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("held_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_mail_hold_event_id_event"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_hold")),
        sa.UniqueConstraint("event_id", "kind", name=op.f("uq_mail_hold_event_id_kind")),
    )
    with op.batch_alter_table("mail_hold", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mail_hold_event_id"), ["event_id"], unique=False)

    op.create_table(
        "web_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", orchestrator.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_web_audit_event_id_event"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_audit")),
    )
    with op.batch_alter_table("web_audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_audit_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_web_audit_event_id"), ["event_id"], unique=False)

    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("approval_pending", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("attendance_mark", schema=None) as batch_op:
        batch_op.add_column(sa.Column("participant_uuid", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("meeting_uuid", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("attendance_mark", schema=None) as batch_op:
        batch_op.drop_column("meeting_uuid")
        batch_op.drop_column("participant_uuid")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("approval_pending")
    with op.batch_alter_table("web_audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_audit_event_id"))
        batch_op.drop_index(batch_op.f("ix_web_audit_at"))
    op.drop_table("web_audit")
    with op.batch_alter_table("mail_hold", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_hold_event_id"))
    op.drop_table("mail_hold")
    with op.batch_alter_table("agenda_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agenda_version_event_id"))
    op.drop_table("agenda_version")
