"""Privacy: a person erased at their request stays as a tombstone (person.erased_at)

An erased person's row is kept so that the rows aggregates are made of (training progress, campaign turnout,
café attendance) keep pointing somewhere; its name, e-mail, password and language are replaced or cleared when it
is erased (cxculture/privacy). Existing people were never erased: the new column is empty. The downgrade drops it;
people erased before then stay pseudonymised (their data is gone either way).

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("erased_at")
