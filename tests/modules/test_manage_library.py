"""The administrators' view of the module library."""
import pytest
from sqlalchemy import select

from cxculture.extensions import db
from cxculture.modules.models import Module, ModuleVersion
from cxculture.util import utcnow


def _module(slug: str) -> Module:
    return db.session.scalar(select(Module).where(Module.slug == slug))


@pytest.mark.parametrize("account", ["leader", "hr", "manager", "employee"])
def test_only_administrators_see_the_library(client, login_as, trained, account):
    login_as(account, org="bank")
    assert client.get("/admin/training/library").status_code == 403
    assert client.get("/admin/training/library/what-is-cx").status_code == 403


def _row(body: str, title: str) -> str:
    start = body.index(title)
    return body[start:body.index("</tr>", start)]


def test_the_library_lists_every_module_with_its_facts_and_paths(client, login_as, trained):
    login_as("admin", org="bank")
    body = client.get("/admin/training/library").get_data(as_text=True)
    assert "4 modules" in body
    assert "flask --app wsgi cx modules sync" in body
    row = _row(body, "Title of leading-a-customer-centric-culture")
    cells = [c.split(">", 1)[1] if ">" in c else c for c in row.split("<td")[1:]]
    text = " | ".join(c.split("</td>")[0] for c in cells)
    assert "Vision, Communication" in text
    assert "Executive" in text and "Team lead" in text  # target roles by their names in the organisation
    assert ">7<" in row and ">80%<" in row and ">3<" in row and ">5<" in row  # minutes, pass mark, lessons, quiz
    assert "/admin/training/paths/" in row  # used by the executive (and team lead) path
    assert "Retired" not in row
    listening = _row(body, "Title of listening-to-customers")
    assert "Every job role" in listening


def test_a_module_no_path_uses_says_so_and_a_retired_one_is_flagged(client, login_as, trained):
    from cxculture.modules.models import PathItem

    module = _module("leading-a-customer-centric-culture")
    db.session.execute(PathItem.__table__.delete().where(PathItem.module_id == module.id))
    module.retired_at = utcnow()
    db.session.commit()
    login_as("admin", org="bank")
    body = client.get("/admin/training/library").get_data(as_text=True)
    row = _row(body, "Title of leading-a-customer-centric-culture")
    assert "Retired" in row and "No path" in row
    assert body.index("Title of leading-a-customer-centric-culture") > body.index("Title of what-is-cx")  # last


def test_the_library_speaks_the_page_language(client, login_as, trained):
    login_as("admin", org="retail")
    body = client.get("/admin/training/library").get_data(as_text=True)
    assert "Titolo di what-is-cx" in body and "Title of what-is-cx" not in body


def test_the_module_page_shows_versions_lessons_and_quiz(client, login_as, trained):
    module = _module("what-is-cx")
    current = module.current
    db.session.add(ModuleVersion(module=module, version=2, content_hash="x" * 64, minutes=25, pass_mark=60,
                                 content={**current.content, "lessons": current.lessons[:3]}))
    module.latest_version = 2
    db.session.commit()
    login_as("admin", org="bank")
    body = client.get("/admin/training/library/what-is-cx").get_data(as_text=True)
    assert "<h1>Title of what-is-cx" in body
    versions = body[body.index('id="versions-title"'):body.index('id="lessons-title"')]
    assert versions.count("<tr><td") == 2 and "current" in versions
    assert ">2 <span class=\"badge badge-ok\">current" in versions
    assert "what-is-cx lesson 1" in body
    assert "Question 1 of what-is-cx?" in body and "Choice a" in body
    assert body.count("badge-ok\">right answer") == 6  # q1-q4 one right choice each, q5 two
    assert "60%" in body  # the current version's pass mark


def test_the_module_page_in_italian(client, login_as, trained):
    login_as("admin", org="retail")
    body = client.get("/admin/training/library/customer-journey").get_data(as_text=True)
    assert "Domanda 1 di customer-journey?" in body and "customer-journey lezione 2" in body
    assert 'href="/admin/training/library/what-is-cx"' in body  # its prerequisite


def test_an_unknown_module_is_not_found(client, login_as, trained):
    login_as("admin", org="bank")
    assert client.get("/admin/training/library/no-such-module").status_code == 404
