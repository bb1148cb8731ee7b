"""Assessments: the "don't know / not applicable" answer (instrument version 2)

A statement answered "don't know / not applicable" is stored as an answer with no value and no score, so the
two columns become nullable; every existing answer has both and is kept as it is. Closed campaigns' kept figures
(campaign_frozen_result) need no change: a tally kept before this revision simply has no don't-know count, which
reads as none.

The downgrade cannot keep a don't-know answer (the old columns need a value): it deletes them (each response
keeps its scored answers, so no score changes), forgets any don't-know in unfinished drafts, drops the
don't-know count from the kept figures, and makes the columns required again.

Revision ID: 0019
Revises: 0017
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0017"
branch_labels = None
depends_on = None

#: A tally as kept in campaign_frozen_result: respondents, answers, sum, favourable, neutral, unfavourable and,
#: from this revision on, don't know.
TALLY_LENGTH = 7


def _batch(nullable: bool) -> None:
    # SQLite: the table is rebuilt, and must stay WITHOUT ROWID (answers.py: no rowid that counts arrivals).
    no_rowid = {"sqlite_with_rowid": False} if op.get_bind().dialect.name == "sqlite" else {}
    with op.batch_alter_table(
        "response_answer", schema=None, recreate="always" if no_rowid else "auto", table_kwargs=no_rowid
    ) as batch_op:
        batch_op.alter_column("value", existing_type=sa.Integer(), nullable=nullable)
        batch_op.alter_column("score", existing_type=sa.Integer(), nullable=nullable)


def upgrade():
    _batch(nullable=True)


def _without_dont_know(value):
    """Kept figures as the previous revision reads them: every tally without its last (don't-know) count."""
    if isinstance(value, list):
        if len(value) == TALLY_LENGTH and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            return value[:-1]
        return [_without_dont_know(v) for v in value]
    if isinstance(value, dict):
        return {k: _without_dont_know(v) for k, v in value.items()}
    return value


def downgrade():
    bind = op.get_bind()
    bind.execute(sa.text("DELETE FROM response_answer WHERE value IS NULL OR score IS NULL"))
    for row_id, data in bind.execute(sa.text("SELECT id, data FROM campaign_frozen_result")).all():
        data = json.loads(data) if isinstance(data, str) else data
        bind.execute(sa.text("UPDATE campaign_frozen_result SET data = :data WHERE id = :id")
                     .bindparams(sa.bindparam("data", type_=sa.JSON)),
                     {"id": row_id, "data": _without_dont_know(data)})
    for row_id, answers in bind.execute(sa.text("SELECT id, answers FROM assessment_draft")).all():
        answers = json.loads(answers) if isinstance(answers, str) else answers
        items = (answers or {}).get("items") or {}
        kept = {key: value for key, value in items.items() if value}
        if kept != items:
            bind.execute(sa.text("UPDATE assessment_draft SET answers = :answers WHERE id = :id")
                         .bindparams(sa.bindparam("answers", type_=sa.JSON)),
                         {"id": row_id, "answers": dict(answers, items=kept)})
    _batch(nullable=False)
