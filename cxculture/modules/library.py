"""Reading, validating and loading the module library (cxculture/modules/library/<slug>/)."""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import markdown
import nh3
import yaml
from sqlalchemy import select

from ..extensions import db
from ..pillars import PILLARS
from ..util import utcnow
from .models import Module, ModuleVersion

LIBRARY_PATH = Path(__file__).parent / "library"
#: libyaml's safe loader when PyYAML was built with it (much faster), else the pure-Python one.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
LANGUAGES = ("en", "it")
JOB_ROLE_KEYS = ("executive", "hr", "team_lead", "frontline", "contact_centre", "back_office", "marketing_digital")
#: Where a question of a bank is asked: only in the final quiz, or only in the placement quiz.
QUESTION_USES = ("quiz", "placement")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,78}$")
#: How a module's minutes are computed: its lessons read at this pace (the slower language counts) ...
READING_WORDS_PER_MINUTE = 200
#: ... and this long for each quiz question an attempt asks (a scenario takes half a minute more to read).
MINUTES_PER_QUESTION = 1.0
MINUTES_PER_SCENARIO = 0.5
#: What lesson Markdown may become: text formatting, lists, headings, quotes, tables and safe links.
ALLOWED_TAGS = {"p", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "blockquote", "code", "pre", "a", "br", "hr",
                "table", "thead", "tbody", "tr", "th", "td"}


@dataclass(frozen=True)
class Problem:
    file: str
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.reason}"


class LibraryError(Exception):
    """The library has problems; nothing was loaded."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


@dataclass
class LoadedModule:
    slug: str
    content: dict
    minutes: int
    pass_mark: int
    content_hash: str


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    new_versions: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)


def render_markdown(source: str) -> str:
    """Lesson Markdown as sanitised HTML."""
    html = markdown.markdown(source, extensions=["tables", "sane_lists"], output_format="html")
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}}, url_schemes={"https", "mailto"},
                     link_rel="noopener noreferrer")


class _Checker:
    """Collects every problem of one module folder instead of stopping at the first."""

    def __init__(self, folder: Path, root: Path):
        self.folder = folder
        self.root = root
        self.problems: list[Problem] = []

    def problem(self, file: Path | str, where: str, reason: str) -> None:
        name = str(file.relative_to(self.root.parent)) if isinstance(file, Path) else file
        self.problems.append(Problem(name, where, reason))

    def yaml_file(self, name: str) -> dict | None:
        path = self.folder / name
        if not path.is_file():
            self.problem(path, "-", "file is missing")
            return None
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
        except UnicodeDecodeError:
            self.problem(path, "-", "not UTF-8 text")
            return None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}" if mark else "-"
            self.problem(path, where, f"not valid YAML ({getattr(exc, 'problem', exc)})")
            return None
        if not isinstance(data, dict):
            self.problem(path, "-", "must be a mapping of fields")
            return None
        return data

    def bilingual(self, file: Path, where: str, value) -> dict | None:
        if not isinstance(value, dict):
            self.problem(file, where, "needs an 'en' and an 'it' text")
            return None
        result = {}
        for language in LANGUAGES:
            text = value.get(language)
            if not isinstance(text, str) or not text.strip():
                self.problem(file, f"{where}.{language}", "missing or empty")
            else:
                result[language] = text.strip()
        extra = set(value) - set(LANGUAGES)
        if extra:
            self.problem(file, where, f"unknown language(s): {', '.join(sorted(extra))}")
        return result if len(result) == len(LANGUAGES) else None

    def integer(self, file: Path, where: str, value, low: int, high: int) -> int | None:
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            self.problem(file, where, f"must be a whole number from {low} to {high}")
            return None
        return value

    def identifier(self, file: Path, where: str, value) -> str | None:
        if not isinstance(value, str) or not SLUG.match(value):
            self.problem(file, where, "use lower-case letters, digits and hyphens")
            return None
        return value


def _read_module(folder: Path, root: Path) -> tuple[LoadedModule | None, list[Problem]]:
    check = _Checker(folder, root)
    meta_file, quiz_file = folder / "module.yaml", folder / "quiz.yaml"
    meta = check.yaml_file("module.yaml")
    quiz = check.yaml_file("quiz.yaml")
    if meta is None:
        return None, check.problems
    if meta.get("slug") != folder.name:
        check.problem(meta_file, "slug", f"must be the folder's name, {folder.name!r}")
    content = {"slug": folder.name}
    content["title"] = check.bilingual(meta_file, "title", meta.get("title"))
    content["summary"] = check.bilingual(meta_file, "summary", meta.get("summary"))
    if "minutes" in meta:
        check.problem(meta_file, "minutes", "remove it: a module's minutes are computed from its lessons and quiz")
    pass_mark = check.integer(meta_file, "pass_mark", meta.get("pass_mark"), 50, 100)

    pillars = meta.get("pillars")
    if not isinstance(pillars, list) or not pillars or any(p not in PILLARS for p in pillars):
        check.problem(meta_file, "pillars", f"a list of one or more of: {', '.join(PILLARS)}")
    content["pillars"] = pillars if isinstance(pillars, list) else []
    roles = meta.get("job_roles")
    if roles != ["all"] and (
        not isinstance(roles, list) or not roles or any(r not in JOB_ROLE_KEYS for r in roles)
    ):
        check.problem(meta_file, "job_roles", f"[all] or a list of: {', '.join(JOB_ROLE_KEYS)}")
    content["job_roles"] = roles if isinstance(roles, list) else []
    prerequisites = meta.get("prerequisites", [])
    if not isinstance(prerequisites, list) or any(not isinstance(p, str) for p in prerequisites):
        check.problem(meta_file, "prerequisites", "a list of module slugs")
        prerequisites = []
    content["prerequisites"] = prerequisites

    content["lessons"] = _read_lessons(check, folder, meta_file, meta.get("lessons"))
    if "worksheets" in meta:
        # Stored only when written, so a module without worksheets keeps its content hash.
        content["worksheets"] = _read_worksheets(check, folder, meta_file, meta["worksheets"], content["lessons"])
    content["quiz"] = _read_quiz(check, quiz_file, quiz) if quiz is not None else []
    if quiz is not None:
        # Only a bank carries draw sizes: modules written before banks keep their content, and so their hash.
        content.update(_read_draws(check, quiz_file, quiz, content["quiz"]))
    if check.problems:
        return None, check.problems
    minutes = module_minutes(content)
    # minutes and pass_mark live beside content, but a change to them is a new version too.
    hashed = {**content, "minutes": minutes, "pass_mark": pass_mark}
    digest = hashlib.sha256(json.dumps(hashed, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return LoadedModule(folder.name, content, minutes, pass_mark, digest), []


def module_minutes(content: dict) -> int:
    """What a module honestly takes: reading its lessons (in the longer language) and answering one attempt."""
    words = max(sum(len(lesson["body"][language].split()) for lesson in content["lessons"]) for language in LANGUAGES)
    asked = [q for q in content["quiz"] if q.get("use") != "placement"]
    if content.get("draw"):
        # A draw asks `draw` questions; count scenarios at the share the bank has them.
        scenarios = sum("scenario" in q for q in asked) * content["draw"] / len(asked)
        asked_count = content["draw"]
    else:
        scenarios, asked_count = sum("scenario" in q for q in asked), len(asked)
    quiz = asked_count * MINUTES_PER_QUESTION + scenarios * MINUTES_PER_SCENARIO
    return max(1, round(words / READING_WORDS_PER_MINUTE + quiz))


def _read_lessons(check: _Checker, folder: Path, meta_file: Path, lessons) -> list[dict]:
    if not isinstance(lessons, list) or not 3 <= len(lessons) <= 6:
        check.problem(meta_file, "lessons", "a list of 3 to 6 lessons")
        return []
    result, seen = [], set()
    for index, lesson in enumerate(lessons, start=1):
        where = f"lessons[{index}]"
        if not isinstance(lesson, dict):
            check.problem(meta_file, where, "needs an id and a title")
            continue
        lesson_id = check.identifier(meta_file, f"{where}.id", lesson.get("id"))
        if lesson_id in seen:
            check.problem(meta_file, f"{where}.id", f"{lesson_id!r} is used twice")
        seen.add(lesson_id)
        title = check.bilingual(meta_file, f"{where}.title", lesson.get("title"))
        body, html = _markdown_files(check, folder / "lessons", lesson_id, "lesson", min_words=80)
        result.append({"id": lesson_id, "title": title, "body": body, "html": html})
    return result


def _read_worksheets(check: _Checker, folder: Path, meta_file: Path, worksheets, lessons: list[dict]) -> list[dict]:
    """Printable sheets a lesson offers for practice: worksheets/<id>.<language>.md, each with its lesson."""
    if not isinstance(worksheets, list) or not 1 <= len(worksheets) <= 6:
        check.problem(meta_file, "worksheets", "a list of 1 to 6 worksheets")
        return []
    lesson_ids = {lesson["id"] for lesson in lessons}
    result, seen = [], set()
    for index, sheet in enumerate(worksheets, start=1):
        where = f"worksheets[{index}]"
        if not isinstance(sheet, dict):
            check.problem(meta_file, where, "needs an id, a lesson and a title")
            continue
        sheet_id = check.identifier(meta_file, f"{where}.id", sheet.get("id"))
        if sheet_id is not None and sheet_id in seen:
            check.problem(meta_file, f"{where}.id", f"{sheet_id!r} is used twice")
        seen.add(sheet_id)
        if sheet.get("lesson") not in lesson_ids:
            check.problem(meta_file, f"{where}.lesson", "the id of one of this module's lessons")
        title = check.bilingual(meta_file, f"{where}.title", sheet.get("title"))
        body, html = _markdown_files(check, folder / "worksheets", sheet_id, "worksheet", min_words=50)
        result.append({"id": sheet_id, "lesson": sheet.get("lesson"), "title": title, "body": body, "html": html})
    return result


def _markdown_files(check: _Checker, where: Path, entry_id: str | None, what: str,
                    min_words: int) -> tuple[dict, dict]:
    """The Markdown text and its HTML, per language, of a lesson or worksheet: <where>/<id>.<language>.md."""
    body, html = {}, {}
    for language in LANGUAGES if entry_id is not None else ():
        text = _markdown_file(check, where / f"{entry_id}.{language}.md", f"{what} {entry_id!r}", min_words)
        if text is not None:
            body[language], html[language] = text, render_markdown(text)
    return body, html


def _markdown_file(check: _Checker, path: Path, what: str, min_words: int) -> str | None:
    if not path.is_file():
        check.problem(path, "-", f"file is missing ({what})")
        return None
    try:
        text = path.read_text(encoding="utf-8").strip()
    except UnicodeDecodeError:
        check.problem(path, "-", "not UTF-8 text")
        return None
    if len(text.split()) < min_words:
        check.problem(path, "-", f"needs at least {min_words} words")
    return text


def _read_quiz(check: _Checker, quiz_file: Path, quiz: dict) -> list[dict]:
    questions = quiz.get("questions")
    if not isinstance(questions, list) or len(questions) < 5:
        check.problem(quiz_file, "questions", "a list of 5 or more questions")
        return []
    result, seen = [], set()
    for index, question in enumerate(questions, start=1):
        where = f"questions[{index}]"
        if not isinstance(question, dict):
            check.problem(quiz_file, where, "must be a mapping")
            continue
        question_id = check.identifier(quiz_file, f"{where}.id", question.get("id"))
        if question_id in seen:
            check.problem(quiz_file, f"{where}.id", f"{question_id!r} is used twice")
        seen.add(question_id)
        kind = question.get("kind")
        if kind not in ("single", "multiple"):
            check.problem(quiz_file, f"{where}.kind", "must be single or multiple")
        choices = question.get("choices")
        parsed_choices = []
        if not isinstance(choices, list) or not 2 <= len(choices) <= 6:
            check.problem(quiz_file, f"{where}.choices", "a list of 2 to 6 choices")
            choices = []
        choice_ids = set()
        for number, choice in enumerate(choices, start=1):
            cwhere = f"{where}.choices[{number}]"
            if not isinstance(choice, dict):
                check.problem(quiz_file, cwhere, "must be a mapping")
                continue
            choice_id = choice.get("id")
            if not isinstance(choice_id, str) or not re.match(r"^[a-z0-9-]{1,20}$", choice_id):
                check.problem(quiz_file, f"{cwhere}.id", "a short id such as a, b, c")
            elif choice_id in choice_ids:
                check.problem(quiz_file, f"{cwhere}.id", f"{choice_id!r} is used twice")
            choice_ids.add(choice_id)
            if not isinstance(choice.get("correct", False), bool):
                check.problem(quiz_file, f"{cwhere}.correct", "must be true or false")
            parsed_choices.append({
                "id": choice_id,
                "correct": choice.get("correct") is True,
                "text": check.bilingual(quiz_file, f"{cwhere}.text", choice.get("text")),
                "explanation": check.bilingual(quiz_file, f"{cwhere}.explanation", choice.get("explanation")),
            })
        correct = sum(c["correct"] for c in parsed_choices)
        if kind == "single" and parsed_choices and correct != 1:
            check.problem(quiz_file, f"{where}.choices", f"a single-choice question needs exactly one correct choice, "
                                                         f"not {correct}")
        if kind == "multiple" and parsed_choices and correct < 1:
            check.problem(quiz_file, f"{where}.choices", "needs at least one correct choice")
        parsed = {
            "id": question_id,
            "kind": kind,
            "placement": question.get("placement") is True,
            "prompt": check.bilingual(quiz_file, f"{where}.prompt", question.get("prompt")),
            "choices": parsed_choices,
        }
        # The keys of a bank are stored only when written, so a module without them keeps its content hash.
        if "use" in question:
            if "placement" in question:
                check.problem(quiz_file, f"{where}.use", "write either use or placement, not both")
            if question["use"] not in QUESTION_USES:
                check.problem(quiz_file, f"{where}.use", "must be quiz or placement")
            parsed["use"] = question["use"]
            parsed["placement"] = question["use"] == "placement"
        if "scenario" in question:
            parsed["scenario"] = check.bilingual(quiz_file, f"{where}.scenario", question["scenario"])
        if "shuffle" in question:
            if not isinstance(question["shuffle"], bool):
                check.problem(quiz_file, f"{where}.shuffle", "must be true or false")
            elif question["shuffle"] is False:
                parsed["shuffle"] = False
        result.append(parsed)
    if result and sum(q["placement"] for q in result) < 3:
        check.problem(quiz_file, "questions", "mark at least 3 questions placement: true (or use: placement)")
    return result


def _read_draws(check: _Checker, quiz_file: Path, quiz: dict, questions: list[dict]) -> dict:
    """`draw` and `placement_draw` of a question bank, checked against the number of questions of each use."""
    draws = {}
    quiz_items = sum(q.get("use") != "placement" for q in questions)
    placement_items = sum(q["placement"] for q in questions)
    if "draw" in quiz:
        draw = check.integer(quiz_file, "draw", quiz["draw"], 3, 100)
        if draw is not None:
            draws["draw"] = draw
            if questions and quiz_items < 2 * draw:
                check.problem(quiz_file, "draw", f"a bank needs at least twice as many final-quiz questions as it "
                                                 f"draws: {quiz_items} for a draw of {draw} (need {2 * draw})")
        legacy = [q["id"] for q in questions if "use" not in q and q.get("placement")]
        if legacy:
            check.problem(quiz_file, "questions", "in a bank (with draw) give each question use: quiz or use: "
                                                  f"placement instead of placement: true ({', '.join(legacy)})")
    if "placement_draw" in quiz:
        placement_draw = check.integer(quiz_file, "placement_draw", quiz["placement_draw"], 3, 100)
        if placement_draw is not None:
            draws["placement_draw"] = placement_draw
            if questions and placement_items < placement_draw:
                check.problem(quiz_file, "placement_draw", f"draws {placement_draw} placement questions but the "
                                                           f"bank has {placement_items}")
    return draws


def read_library(root: Path = LIBRARY_PATH) -> dict[str, LoadedModule]:
    """Every module of the library, validated; raises LibraryError listing every problem."""
    problems: list[Problem] = []
    modules: dict[str, LoadedModule] = {}
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    for folder in folders:
        module, found = _read_module(folder, root)
        problems.extend(found)
        if module is not None:
            modules[module.slug] = module
    for module in modules.values():
        for prerequisite in module.content["prerequisites"]:
            if prerequisite not in modules and not any(p.file.startswith(f"library/{prerequisite}/") for p in problems):
                problems.append(Problem(f"library/{module.slug}/module.yaml", "prerequisites",
                                        f"unknown module {prerequisite!r}"))
    problems.extend(_prerequisite_cycles(modules))
    if not folders:
        problems.append(Problem(str(root), "-", "the library has no modules"))
    if problems:
        raise LibraryError(problems)
    return modules


def _prerequisite_cycles(modules: dict[str, LoadedModule]) -> list[Problem]:
    """A module that needs itself, directly or through others, could never be unlocked."""
    problems = []
    for slug in modules:
        stack, seen = list(modules[slug].content["prerequisites"]), set()
        while stack:
            current = stack.pop()
            if current == slug:
                problems.append(Problem(f"library/{slug}/module.yaml", "prerequisites",
                                        f"{slug!r} depends on itself through its prerequisites"))
                break
            if current not in seen and current in modules:
                seen.add(current)
                stack.extend(modules[current].content["prerequisites"])
    return problems


def sync_library(root: Path = LIBRARY_PATH) -> SyncReport:
    """Load the library into the database: new modules, new versions of changed ones, retire removed ones.

    Raises LibraryError (and writes nothing) when any file is broken.
    """
    loaded = read_library(root)
    report = SyncReport()
    existing = {m.slug: m for m in db.session.scalars(select(Module))}
    for slug, module in sorted(loaded.items()):
        stored = existing.get(slug)
        if stored is None:
            stored = Module(slug=slug, latest_version=1)
            db.session.add(stored)
            stored.versions.append(_version(module, 1))
            report.created.append(slug)
            continue
        if stored.retired_at is not None:
            stored.retired_at = None
        if stored.current.content_hash == module.content_hash:
            report.unchanged.append(slug)
            continue
        stored.latest_version += 1
        stored.versions.append(_version(module, stored.latest_version))
        report.new_versions.append(slug)
    for slug, stored in existing.items():
        if slug not in loaded and stored.retired_at is None:
            stored.retired_at = utcnow()
            report.retired.append(slug)
    db.session.flush()
    return report


def _version(module: LoadedModule, number: int) -> ModuleVersion:
    return ModuleVersion(version=number, content_hash=module.content_hash, minutes=module.minutes,
                         pass_mark=module.pass_mark, content=module.content)
