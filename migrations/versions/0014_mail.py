"""Mail: the outbox, the occasions scheduled rounds have mailed about, and each person's opt-outs

Three new tables. Nothing to migrate: no e-mail was sent before (invitation links were copied by hand), so every
person starts with every optional e-mail on. The downgrade drops the three tables (messages still waiting in the
outbox are lost with them).

Revision ID: 0014
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "mail_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("mail_message") as batch_op:
        batch_op.create_index(batch_op.f("ix_mail_message_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mail_message_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mail_message_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_mail_message_next_attempt_at"), ["next_attempt_at"], unique=False)

    op.create_table(
        "mail_occasion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "key"),
    )
    with op.batch_alter_table("mail_occasion") as batch_op:
        batch_op.create_index(batch_op.f("ix_mail_occasion_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "mail_opt_out",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=30), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("person_id", "topic"),
    )


def downgrade():
    op.drop_table("mail_opt_out")
    with op.batch_alter_table("mail_occasion") as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_occasion_organisation_id"))
    op.drop_table("mail_occasion")
    with op.batch_alter_table("mail_message") as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_message_next_attempt_at"))
        batch_op.drop_index(batch_op.f("ix_mail_message_status"))
        batch_op.drop_index(batch_op.f("ix_mail_message_person_id"))
        batch_op.drop_index(batch_op.f("ix_mail_message_organisation_id"))
    op.drop_table("mail_message")
