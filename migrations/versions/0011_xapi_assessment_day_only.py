"""xAPI outbox: the assessment-completed statements keep only the day in every time column

Rows written before this revision carry the second of the submit in created_at, next_attempt_at and sent_at;
they are cut to midnight (UTC) of their day, as new rows are written (cxculture/lms/outbox.py, DAY_ONLY_EVENTS).
A pending row stays due. No column changes; on SQLite the table is rebuilt WITHOUT ROWID, so no hidden rowid
numbers the rows in the order they were written.

Downgrade gives the SQLite table its rowid back; the seconds are gone for good, and the older code reads
midnight values as it reads any other time.

Revision ID: 0011
Revises: 0010
"""

from datetime import datetime, time

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

DAY_ONLY_EVENTS = ("assessment-completed",)

xapi_statement = sa.table(
    "xapi_statement",
    sa.column("id", sa.String),
    sa.column("event", sa.String),
    sa.column("created_at", sa.DateTime),
    sa.column("next_attempt_at", sa.DateTime),
    sa.column("sent_at", sa.DateTime),
)


def _day(moment: datetime | None) -> datetime | None:
    return None if moment is None else datetime.combine(moment.date(), time())


def _rebuild(with_rowid: bool) -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("xapi_statement", recreate="always",
                                  table_kwargs={"sqlite_with_rowid": with_rowid}):
            pass


def upgrade():
    _rebuild(with_rowid=False)
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(xapi_statement.c.id, xapi_statement.c.created_at, xapi_statement.c.next_attempt_at,
                  xapi_statement.c.sent_at).where(xapi_statement.c.event.in_(DAY_ONLY_EVENTS))
    ).all()
    if not rows:
        return
    connection.execute(
        xapi_statement.update().where(xapi_statement.c.id == sa.bindparam("row_id")).values(
            created_at=sa.bindparam("created"), next_attempt_at=sa.bindparam("due"), sent_at=sa.bindparam("sent")),
        [{"row_id": row.id, "created": _day(row.created_at), "due": _day(row.next_attempt_at),
          "sent": _day(row.sent_at)} for row in rows],
    )


def downgrade():
    _rebuild(with_rowid=True)
