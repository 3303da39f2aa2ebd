"""breakouts: plans, assignments, applies

Revision ID: 0004_breakouts
Revises: 0003_mail
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import orchestrator.db.base

revision = "0004_breakouts"
down_revision = "0003_mail"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "breakout_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("room_name", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("forced", sa.Boolean(), nullable=False),
        sa.Column("updated_at", orchestrator.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_breakout_assignment_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["breakout_round.id"],
            name=op.f("fk_breakout_assignment_round_id_breakout_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breakout_assignment")),
        sa.UniqueConstraint("round_id", "person_id", name=op.f("uq_breakout_assignment_round_id_person_id")),
    )
    with op.batch_alter_table("breakout_assignment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_breakout_assignment_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_breakout_assignment_round_id"), ["round_id"], unique=False)

    op.create_table(
        "breakout_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("plan_hash", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("objective", sa.Integer(), nullable=True),
        sa.Column("changed_at", orchestrator.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["breakout_round.id"],
            name=op.f("fk_breakout_plan_round_id_breakout_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breakout_plan")),
        sa.UniqueConstraint("round_id", name=op.f("uq_breakout_plan_round_id")),
    )
    op.create_table(
        "breakout_apply",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("payload_hash", sa.String(length=64), nullable=False),
        sa.Column("rooms", sa.Integer(), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("applied_at", orchestrator.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", orchestrator.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["breakout_round.id"],
            name=op.f("fk_breakout_apply_round_id_breakout_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breakout_apply")),
        sa.UniqueConstraint("round_id", name=op.f("uq_breakout_apply_round_id")),
    )


def downgrade() -> None:
    op.drop_table("breakout_apply")
    op.drop_table("breakout_plan")
    with op.batch_alter_table("breakout_assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_breakout_assignment_round_id"))
        batch_op.drop_index(batch_op.f("ix_breakout_assignment_person_id"))

    op.drop_table("breakout_assignment")
