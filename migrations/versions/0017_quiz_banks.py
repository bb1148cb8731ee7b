"""Quiz banks: drawn questions kept with each attempt, per-question results, open draws, training settings

- quiz_attempt.questions: the questions an attempt asked and the order of their choices. Attempts made before
  banks asked every question of their kind in the module's order with the choices as written: that is what the
  upgrade writes for them, so their result pages stay exactly as they were.
- quiz_attempt_item: whether each question of an attempt was answered right (item analysis counts these in
  SQL). The upgrade grades the stored answers of every existing attempt against its module version, as the app
  graded them.
- quiz_draw: the quiz a person has open (drawn, not submitted). Nothing to migrate.
- training_settings: per organisation, the failed attempts after which the answer key is shown. No rows: every
  organisation keeps the default (3) until an administrator saves another value.

The downgrade drops the three tables and the column (the draws of attempts made from banks are lost with it;
older code shows every question of the version, as it always did).

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

#: Attempts read and written per round trip while filling the new column and table.
BATCH = 500


def upgrade():
    with op.batch_alter_table("quiz_attempt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("questions", sa.JSON(), nullable=True))
    op.create_table(
        "quiz_attempt_item",
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["attempt_id"], ["quiz_attempt.id"],
                                name=op.f("fk_quiz_attempt_item_attempt_id_quiz_attempt"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("attempt_id", "question_id", name=op.f("pk_quiz_attempt_item")),
    )
    _fill_attempt_questions()
    with op.batch_alter_table("quiz_attempt", schema=None) as batch_op:
        batch_op.alter_column("questions", existing_type=sa.JSON(), nullable=False)

    op.create_table(
        "quiz_draw",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.Integer(), nullable=False),
        sa.Column("module_version_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("form_token", sa.String(length=64), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["module_id"], ["module.id"], name=op.f("fk_quiz_draw_module_id_module")),
        sa.ForeignKeyConstraint(["module_version_id"], ["module_version.id"],
                                name=op.f("fk_quiz_draw_module_version_id_module_version")),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_quiz_draw_organisation_id_organisation")),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_quiz_draw_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_draw")),
        sa.UniqueConstraint("form_token", name=op.f("uq_quiz_draw_form_token")),
        sa.UniqueConstraint("person_id", "module_id", "kind", name=op.f("uq_quiz_draw_person_id_module_id_kind")),
    )
    with op.batch_alter_table("quiz_draw", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quiz_draw_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_quiz_draw_person_id"), ["person_id"], unique=False)
    op.create_table(
        "training_settings",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("key_after_failures", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_training_settings_organisation_id_organisation")),
        sa.PrimaryKeyConstraint("organisation_id", name=op.f("pk_training_settings")),
    )


def _fill_attempt_questions() -> None:
    """Write, for every existing attempt, the questions it asked (all of its kind, in order) and their results."""
    connection = op.get_bind()
    versions_table = sa.table("module_version", sa.column("id", sa.Integer), sa.column("content", sa.JSON))
    attempts = sa.table("quiz_attempt", sa.column("id", sa.Integer), sa.column("module_version_id", sa.Integer),
                        sa.column("kind", sa.String), sa.column("answers", sa.JSON),
                        sa.column("questions", sa.JSON))
    items = sa.table("quiz_attempt_item", sa.column("attempt_id", sa.Integer), sa.column("question_id", sa.String),
                     sa.column("position", sa.Integer), sa.column("correct", sa.Boolean))
    versions = {row.id: row.content for row in connection.execute(sa.select(versions_table.c.id,
                                                                            versions_table.c.content))}
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(attempts.c.id, attempts.c.module_version_id, attempts.c.kind, attempts.c.answers)
            .where(attempts.c.id > last_id).order_by(attempts.c.id).limit(BATCH)).all()
        if not rows:
            break
        updates, results = [], []
        for row in rows:
            # Before banks the final quiz asked every question and the placement quiz those marked placement.
            asked = [q for q in versions[row.module_version_id]["quiz"] if row.kind == "quiz" or q.get("placement")]
            updates.append({"attempt": row.id, "asked": [
                {"id": q["id"], "choices": [c["id"] for c in q["choices"]]} for q in asked]})
            for position, question in enumerate(asked, start=1):
                chosen = sorted((row.answers or {}).get(question["id"], []))
                right = sorted(c["id"] for c in question["choices"] if c.get("correct"))
                results.append({"attempt_id": row.id, "question_id": question["id"], "position": position,
                                "correct": chosen == right})
        connection.execute(attempts.update().where(attempts.c.id == sa.bindparam("attempt"))
                           .values(questions=sa.bindparam("asked")), updates)
        if results:
            connection.execute(items.insert(), results)
        last_id = rows[-1].id


def downgrade():
    op.drop_table("training_settings")
    with op.batch_alter_table("quiz_draw", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quiz_draw_person_id"))
        batch_op.drop_index(batch_op.f("ix_quiz_draw_organisation_id"))
    op.drop_table("quiz_draw")
    op.drop_table("quiz_attempt_item")
    with op.batch_alter_table("quiz_attempt", schema=None) as batch_op:
        batch_op.drop_column("questions")
