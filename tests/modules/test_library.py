"""Reading and syncing the module library: validation, versions, retirement."""
from __future__ import annotations

import shutil

import pytest
import yaml
from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.modules.library import LIBRARY_PATH, LibraryError, read_library, render_markdown, sync_library
from cxculture.modules.models import Module, ModuleVersion

from .conftest import FIXTURE_LIBRARY


@pytest.fixture
def library_copy(tmp_path):
    """A writable copy of the fixture library."""
    root = tmp_path / "library"
    shutil.copytree(FIXTURE_LIBRARY, root)
    return root


def edit_yaml(path, change):
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def test_shipped_library_is_valid():
    modules = read_library(LIBRARY_PATH)
    assert len(modules) >= 12
    for module in modules.values():
        assert 3 <= len(module.content["lessons"]) <= 6
        assert len(module.content["quiz"]) >= 5


def test_sync_loads_then_finds_nothing_new(app, library_copy):
    first = sync_library(library_copy)
    assert sorted(first.created) == sorted(p.name for p in library_copy.iterdir())
    second = sync_library(library_copy)
    assert second.created == [] and second.new_versions == [] and len(second.unchanged) == len(first.created)


def test_changed_module_becomes_a_new_version(app, library_copy):
    sync_library(library_copy)
    lesson = library_copy / "what-is-cx" / "lessons" / "lesson-1.en.md"
    lesson.write_text(lesson.read_text() + "\nOne more sentence about listening to customers.\n")
    report = sync_library(library_copy)
    assert report.new_versions == ["what-is-cx"]
    module = db.session.scalar(select(Module).where(Module.slug == "what-is-cx"))
    assert module.latest_version == 2
    assert [v.version for v in module.versions] == [1, 2]
    assert "One more sentence" in module.current.lessons[0]["body"]["en"]


def test_removed_module_is_retired_not_deleted(app, library_copy):
    sync_library(library_copy)
    shutil.rmtree(library_copy / "listening-to-customers")
    report = sync_library(library_copy)
    assert report.retired == ["listening-to-customers"]
    module = db.session.scalar(select(Module).where(Module.slug == "listening-to-customers"))
    assert module.retired_at is not None and module.versions


def _set(key, value):
    return lambda data: data.__setitem__(key, value)


BROKEN = [
    (
        "slug differs",
        ("what-is-cx", "module.yaml"),
        _set("slug", "other"),
        "module.yaml: slug: must be the folder's name",
    ),
    (
        "missing Italian title",
        ("what-is-cx", "module.yaml"),
        _set("title", {"en": "Only English"}),
        "module.yaml: title.it: missing or empty",
    ),
    ("unknown pillar", ("what-is-cx", "module.yaml"), _set("pillars", ["happiness"]), "module.yaml: pillars: a list"),
    ("unknown job role", ("what-is-cx", "module.yaml"), _set("job_roles", ["astronaut"]), "module.yaml: job_roles:"),
    (
        "pass mark too low",
        ("what-is-cx", "module.yaml"),
        _set("pass_mark", 10),
        "module.yaml: pass_mark: must be a whole number from 50 to 100",
    ),
    (
        "unknown prerequisite",
        ("customer-journey", "module.yaml"),
        _set("prerequisites", ["nope"]),
        "customer-journey/module.yaml: prerequisites: unknown module 'nope'",
    ),
    (
        "prerequisite cycle",
        ("what-is-cx", "module.yaml"),
        _set("prerequisites", ["customer-journey"]),
        "depends on itself through its prerequisites",
    ),
    (
        "too few lessons",
        ("what-is-cx", "module.yaml"),
        lambda d: d.__setitem__("lessons", d["lessons"][:2]),
        "module.yaml: lessons: a list of 3 to 6 lessons",
    ),
    (
        "missing lesson file",
        ("what-is-cx", "lessons", "lesson-2.it.md"),
        lambda p: p.unlink(),
        "lesson-2.it.md: -: file is missing",
    ),
    (
        "lesson too short",
        ("what-is-cx", "lessons", "lesson-2.en.md"),
        lambda p: p.write_text("Too short."),
        "lesson-2.en.md: -: needs at least 80 words",
    ),
    ("bad YAML", ("what-is-cx", "quiz.yaml"), None, "quiz.yaml: line"),
    (
        "two right answers in single",
        ("what-is-cx", "quiz.yaml"),
        lambda d: d["questions"][0]["choices"][1].__setitem__("correct", True),
        "questions[1].choices: a single-choice question needs exactly one correct choice, not 2",
    ),
    (
        "no explanation",
        ("what-is-cx", "quiz.yaml"),
        lambda d: d["questions"][1]["choices"][0].pop("explanation"),
        "questions[2].choices[1].explanation: needs an 'en' and an 'it' text",
    ),
    (
        "too few questions",
        ("what-is-cx", "quiz.yaml"),
        lambda d: d.__setitem__("questions", d["questions"][:4]),
        "quiz.yaml: questions: a list of 5 or more questions",
    ),
    (
        "too few placement questions",
        ("what-is-cx", "quiz.yaml"),
        lambda d: [q.__setitem__("placement", False) for q in d["questions"]],
        "quiz.yaml: questions: mark at least 3 questions placement: true",
    ),
    (
        "minutes written by hand",
        ("what-is-cx", "module.yaml"),
        _set("minutes", 30),
        "module.yaml: minutes: remove it: a module's minutes are computed from its lessons and quiz",
    ),
    (
        "worksheet for an unknown lesson",
        ("what-is-cx", "module.yaml"),
        lambda d: d["worksheets"][0].__setitem__("lesson", "lesson-9"),
        "module.yaml: worksheets[1].lesson: the id of one of this module's lessons",
    ),
    (
        "worksheet without its Italian",
        ("what-is-cx", "worksheets", "journey-sheet.it.md"),
        lambda p: p.unlink(),
        "journey-sheet.it.md: -: file is missing (worksheet 'journey-sheet')",
    ),
    (
        "worksheet used twice",
        ("what-is-cx", "module.yaml"),
        lambda d: d["worksheets"].append(dict(d["worksheets"][0])),
        "module.yaml: worksheets[2].id: 'journey-sheet' is used twice",
    ),
    (
        "worksheet too short",
        ("what-is-cx", "worksheets", "journey-sheet.en.md"),
        lambda p: p.write_text("| A | B |\n|---|---|\n|  |  |"),
        "journey-sheet.en.md: -: needs at least 50 words",
    ),
    (
        "duplicate question id",
        ("what-is-cx", "quiz.yaml"),
        lambda d: d["questions"][1].__setitem__("id", "q1"),
        "questions[2].id: 'q1' is used twice",
    ),
]


@pytest.mark.parametrize("case, parts, change, message", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_library_names_file_field_and_reason_and_loads_nothing(app, library_copy, case, parts, change, message):
    target = library_copy.joinpath(*parts)
    if change is None:
        target.write_text("questions: [\n  - unclosed")
    elif target.suffix == ".yaml":
        edit_yaml(target, change)
    else:
        change(target)
    with pytest.raises(LibraryError) as raised:
        sync_library(library_copy)
    assert message in str(raised.value)
    db.session.rollback()
    assert db.session.scalar(select(func.count(ModuleVersion.id))) == 0


def test_sync_command_reports_problems_and_exits_non_zero(app, runner, monkeypatch, library_copy):
    import cxculture.modules.library as library

    (library_copy / "what-is-cx" / "quiz.yaml").unlink()
    monkeypatch.setattr(library, "LIBRARY_PATH", library_copy)
    monkeypatch.setattr(library.sync_library, "__defaults__", (library_copy,))
    result = runner.invoke(args=["cx", "modules", "sync"])
    assert result.exit_code == 1
    assert "what-is-cx/quiz.yaml: -: file is missing" in result.output
    assert db.session.scalar(select(func.count(Module.id))) == 0


def test_lesson_markdown_is_sanitised():
    html = render_markdown(
        "## Title\n\n<script>alert(1)</script> **bold** [x](javascript:alert(1)) "
        "<img src=x onerror=alert(1)> [ok](https://example.com)"
    )
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html and "<img" not in html
    assert "<h2>Title</h2>" in html and "<strong>bold</strong>" in html
    assert 'href="https://example.com"' in html


def test_minutes_are_computed_from_the_words_and_the_questions_asked(library_copy):
    from cxculture.modules.library import module_minutes

    module = read_library(library_copy)["what-is-cx"]
    content = module.content
    words = max(sum(len(lesson["body"][language].split()) for lesson in content["lessons"])
                for language in ("en", "it"))
    asked = sum(q.get("use") != "placement" for q in content["quiz"])
    assert module.minutes == module_minutes(content) == max(1, round(words / 200 + asked))
    longer = dict(content, lessons=[dict(lesson, body={"en": "word " * 2000, "it": "parola " * 1000})
                                    for lesson in content["lessons"]])
    assert module_minutes(longer) == round(3 * 2000 / 200 + asked)  # the longer language counts
    bank = dict(content, draw=2, quiz=[dict(q, scenario={"en": "x", "it": "x"}) for q in content["quiz"]])
    assert module_minutes(bank) == max(1, round(words / 200 + 2 + 2 * 0.5))
