"""Roster provisioning with SCIM 2.0

`scim_settings` holds an organisation"s provisioning token (its digest and hint) and the safety stop"s share;
`scim_change` the deactivations and e-mail changes SCIM made or held for an administrator; `scim_user` what the
identity provider calls a person and whether it deleted them; `scim_group` a team"s external id.

Revision ID: 0030
Revises: 0029
"""

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "scim_settings",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=True),
        sa.Column("token_hint", sa.String(length=20), nullable=True),
        sa.Column("token_created_at", sa.DateTime(), nullable=True),
        sa.Column("token_last_used_at", sa.DateTime(), nullable=True),
        sa.Column("safety_share", sa.Integer(), nullable=False),
        sa.CheckConstraint("safety_share BETWEEN 1 AND 100", name=op.f("ck_scim_settings_safety_share_range")),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_scim_settings_organisation_id_organisation")
        ),
        sa.PrimaryKeyConstraint("organisation_id", name=op.f("pk_scim_settings")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_scim_settings_token_digest")),
    )
    op.create_table(
        "scim_group",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_scim_group_team_id_team"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_scim_group")),
    )
    with op.batch_alter_table("scim_group", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scim_group_external_id"), ["external_id"], unique=False)

    op.create_table(
        "scim_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("new_email", sa.String(length=254), nullable=True),
        sa.Column("held", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_scim_change_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_scim_change_person_id_person"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scim_change")),
    )
    with op.batch_alter_table("scim_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scim_change_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_scim_change_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_scim_change_requested_at"), ["requested_at"], unique=False)

    op.create_table(
        "scim_user",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("user_name", sa.String(length=254), nullable=True),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.Column("given_name", sa.String(length=200), nullable=True),
        sa.Column("family_name", sa.String(length=200), nullable=True),
        sa.Column("preferred_language", sa.String(length=64), nullable=True),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_scim_user_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_scim_user_person_id_person"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_scim_user")),
    )
    with op.batch_alter_table("scim_user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scim_user_external_id"), ["external_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_scim_user_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_scim_user_user_name"), ["user_name"], unique=False)


def downgrade():
    with op.batch_alter_table("scim_user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scim_user_user_name"))
        batch_op.drop_index(batch_op.f("ix_scim_user_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_scim_user_external_id"))

    op.drop_table("scim_user")
    with op.batch_alter_table("scim_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scim_change_requested_at"))
        batch_op.drop_index(batch_op.f("ix_scim_change_person_id"))
        batch_op.drop_index(batch_op.f("ix_scim_change_organisation_id"))

    op.drop_table("scim_change")
    with op.batch_alter_table("scim_group", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scim_group_external_id"))

    op.drop_table("scim_group")
    op.drop_table("scim_settings")
