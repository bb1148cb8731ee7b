"""Downloads: files made by the job queue (PDFs, packs) and kept for a while

Two new tables: the requested file and its bytes. Nothing to migrate (PDFs were rendered inside requests
until now); the downgrade drops both (the files are copies of what the app can make again).

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "download",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("mimetype", sa.String(length=100), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("html", sa.Text(), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=20), nullable=True),
        sa.Column("error_limit", sa.Float(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_download_organisation_id_organisation"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["requested_by_id"], ["person.id"],
                                name=op.f("fk_download_requested_by_id_person"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_download")),
    )
    with op.batch_alter_table("download", schema=None) as batch_op:
        batch_op.create_index("ix_download_cache", ["organisation_id", "fingerprint", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_download_requested_by_id"), ["requested_by_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_download_expires_at"), ["expires_at"], unique=False)
    op.create_table(
        "download_file",
        sa.Column("download_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["download_id"], ["download.id"],
                                name=op.f("fk_download_file_download_id_download"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("download_id", name=op.f("pk_download_file")),
    )


def downgrade():
    op.drop_table("download_file")
    with op.batch_alter_table("download", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_download_expires_at"))
        batch_op.drop_index(batch_op.f("ix_download_requested_by_id"))
        batch_op.drop_index("ix_download_cache")
    op.drop_table("download")
