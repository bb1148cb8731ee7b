"""Every table that references a person, or holds free text someone wrote, is covered by a privacy provider."""
from __future__ import annotations

from sqlalchemy import Text

from cxculture.extensions import db
from cxculture.privacy.registry import ERASURE_ORDER, PROVIDERS


def _declared() -> dict[str, set[str]]:
    declared: dict[str, set[str]] = {}
    for provider in PROVIDERS:
        for holding in provider.HOLDINGS:
            declared.setdefault(holding.table, set()).update(holding.columns)
    return declared


def _not_personal() -> set[str]:
    return {entry.table for provider in PROVIDERS for entry in provider.NOT_PERSONAL}


def test_every_column_referencing_a_person_is_declared_by_a_provider(app):
    declared = _declared()
    missing = [f"{table.name}.{column.name}" for table in db.Model.metadata.tables.values()
               for column in table.columns
               if any(fk.column.table.name == "person" for fk in column.foreign_keys)
               and column.name not in declared.get(table.name, set())]
    assert missing == [], f"no privacy provider covers these references to a person: {missing}"


def test_every_free_text_column_is_declared_or_said_to_be_about_no_person(app):
    declared, exempt = _declared(), _not_personal()
    missing = [f"{table.name}.{column.name}" for table in db.Model.metadata.tables.values()
               for column in table.columns
               if isinstance(column.type, Text) and table.name not in exempt
               and column.name not in declared.get(table.name, set())]
    assert missing == [], f"free text that no privacy provider covers: {missing}"


def test_declared_tables_and_columns_exist(app):
    tables = db.Model.metadata.tables
    for table, columns in _declared().items():
        assert table in tables, table
        assert columns <= set(tables[table].columns.keys()), (table, columns - set(tables[table].columns.keys()))


def test_every_provider_exports_erases_and_is_erased_in_order():
    assert set(ERASURE_ORDER) == set(PROVIDERS)
    # The tombstone after the areas that find rows by e-mail and id; the audit trail then takes its name.
    assert [p.AREA for p in ERASURE_ORDER][-2:] == ["profile", "audit"]
    for provider in PROVIDERS:
        assert callable(provider.export) and callable(provider.erase) and callable(provider.erasure)
        assert provider.AREA and provider.HOLDINGS
