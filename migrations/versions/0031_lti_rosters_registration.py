"""LTI rosters and registration

`lti_course` holds the courses whose launches offered Names and Role Provisioning Services (their members URL
and the last sync's report); `lti_registration_url` the one-time URLs for LTI Dynamic Registration (digests).

Revision ID: 0031
Revises: 0030
"""

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "lti_course",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("context_id", sa.String(length=255), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("memberships_url", sa.String(length=500), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.Column("sync_status", sa.String(length=10), server_default="", nullable=False),
        sa.Column("sync_requested_at", sa.DateTime(), nullable=True),
        sa.Column("synced_at", sa.DateTime(), nullable=True),
        sa.Column("sync_report", sa.JSON(), nullable=True),
        sa.Column("sync_error", sa.String(length=500), nullable=True),
        sa.Column("member_subjects", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_lti_course_organisation_id_organisation")),
        sa.ForeignKeyConstraint(["registration_id"], ["lti_registration.id"],
                                name=op.f("fk_lti_course_registration_id_lti_registration"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_course")),
        sa.UniqueConstraint("registration_id", "context_id", name=op.f("uq_lti_course_registration_id_context_id")),
    )
    with op.batch_alter_table("lti_course", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lti_course_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_lti_course_registration_id"), ["registration_id"], unique=False)
    op.create_table(
        "lti_registration_url",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("token_hint", sa.String(length=20), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("registration_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["person.id"],
                                name=op.f("fk_lti_registration_url_created_by_id_person"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_lti_registration_url_organisation_id_organisation")),
        sa.ForeignKeyConstraint(["registration_id"], ["lti_registration.id"],
                                name=op.f("fk_lti_registration_url_registration_id_lti_registration"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_registration_url")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_lti_registration_url_token_digest")),
    )
    with op.batch_alter_table("lti_registration_url", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lti_registration_url_organisation_id"), ["organisation_id"],
                              unique=False)


def downgrade():
    op.drop_table("lti_registration_url")
    op.drop_table("lti_course")
