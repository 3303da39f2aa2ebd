"""registrants: people and their Zoom registrations

Revision ID: 0002_registrants
Revises: 0001_foundation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import orchestrator.db.base

revision = "0002_registrants"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("email_display", sa.String(length=320), nullable=False),
        sa.Column("first_name", sa.String(length=200), nullable=False),
        sa.Column("last_name", sa.String(length=200), nullable=False),
        sa.Column("organisation", sa.String(length=300), nullable=True),
        sa.Column("job_title", sa.String(length=300), nullable=True),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("wishes", sa.JSON(), nullable=False),
        sa.Column("consent", sa.Boolean(), nullable=True),
        sa.Column("external_ref", sa.String(length=100), nullable=True),
        sa.Column("registered_at", orchestrator.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("cancelled_at", orchestrator.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("data_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", orchestrator.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", orchestrator.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_person_event_id_event"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("event_id", "email", name=op.f("uq_person_event_id_email")),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_person_status"), ["status"], unique=False)

    op.create_table(
        "zoom_registration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("zoom_registrant_id", sa.String(length=100), nullable=True),
        sa.Column("zoom_status", sa.String(length=20), nullable=True),
        sa.Column("join_url", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("intent_at", orchestrator.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claim_token", sa.String(length=32), nullable=True),
        sa.Column("adds_day", sa.String(length=10), nullable=True),
        sa.Column("adds_on_day", sa.Integer(), nullable=False),
        sa.Column("cancelled_at", orchestrator.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("registered_at", orchestrator.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", orchestrator.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["zoom_meeting.id"],
            name=op.f("fk_zoom_registration_meeting_id_zoom_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_zoom_registration_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zoom_registration")),
        sa.UniqueConstraint(
            "meeting_id", "person_id", name=op.f("uq_zoom_registration_meeting_id_person_id")
        ),
        sa.UniqueConstraint(
            "meeting_id",
            "zoom_registrant_id",
            name=op.f("uq_zoom_registration_meeting_id_zoom_registrant_id"),
        ),
    )
    with op.batch_alter_table("zoom_registration", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_zoom_registration_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_zoom_registration_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_zoom_registration_state"), ["state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("zoom_registration", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_zoom_registration_state"))
        batch_op.drop_index(batch_op.f("ix_zoom_registration_person_id"))
        batch_op.drop_index(batch_op.f("ix_zoom_registration_meeting_id"))

    op.drop_table("zoom_registration")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_status"))
        batch_op.drop_index(batch_op.f("ix_person_event_id"))

    op.drop_table("person")
