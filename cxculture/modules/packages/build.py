"""Build a module version's content package: a SCORM 1.2 or cmi5 ZIP with a self-contained player.

The player (templates/modules/packages/) shows the lessons in order, then the final quiz, as the learner pages
do, in one language, and scores the quiz itself: the right answers travel inside the package (SCORM and cmi5
cannot keep them from a learner who reads the files; LTI is the way when that matters). Nothing is stored.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from flask import current_app, g, render_template
from flask_babel import force_locale

from ...downloads.service import template_source
from ..models import ModuleVersion
from ..progress import draw_size, quiz_questions

#: The formats a module can be packaged as, with the name administrators see.
PACKAGE_FORMATS = {"scorm12": "SCORM 1.2", "cmi5": "cmi5"}
#: The player's files, from templates/modules/packages/, copied into every package as they are.
PLAYER_ASSETS = ("player.js", "player.css")
#: ZIP entries get this date so that the same version, format and language always give the same bytes.
FIXED_DATE = (2020, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Package:
    filename: str
    data: bytes


def activity_base(version: ModuleVersion, language: str) -> str:
    """The IRI the package's cmi5 course and AU ids start with: one per module version and language."""
    base = current_app.config.get("PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/")
    return f"{base}/xapi/activities/module/{version.module.slug}/package/v{version.version}/{language}"


def player_data(version: ModuleVersion, package_format: str, language: str) -> dict:
    """What player.js needs besides the page: the format, the pass mark, the quiz's draw and its answer key."""
    questions = quiz_questions(version, "quiz")
    return {
        "format": package_format,
        "language": language,
        "passMark": version.pass_mark,
        "draw": draw_size(version, "quiz"),
        "lessons": [lesson["id"] for lesson in version.lessons],
        "questions": [{"id": q["id"], "kind": q["kind"], "shuffle": q.get("shuffle", True),
                       "right": [c["id"] for c in q["choices"] if c["correct"]]} for q in questions],
        "activityId": f"{activity_base(version, language)}/au",
    }


def _render(template: str, language: str, **context) -> str:
    g.package_language = language  # force_locale switches nothing while g is empty (outside a request)
    with force_locale(language):
        return render_template(f"modules/packages/{template}", language=language, **context)


def package_filename(version: ModuleVersion, package_format: str, language: str) -> str:
    return f"{version.module.slug}-v{version.version}-{language}-{package_format}.zip"


def build_package(version: ModuleVersion, package_format: str, language: str) -> Package:
    """The ZIP of `version` in `package_format` ("scorm12" or "cmi5") and `language` ("en" or "it")."""
    if package_format not in PACKAGE_FORMATS:
        raise ValueError(f"unknown package format {package_format!r}")
    questions = quiz_questions(version, "quiz")
    context = {"version": version, "questions": questions, "package_format": package_format,
               "data": player_data(version, package_format, language),
               "activity_base": activity_base(version, language), "files": ["index.html", *PLAYER_ASSETS]}
    files = {"index.html": _render("player.html", language, **context)}
    files.update({name: template_source(f"modules/packages/{name}") for name in PLAYER_ASSETS})
    if package_format == "scorm12":
        files["imsmanifest.xml"] = _render("imsmanifest.xml", language, **context)
    else:
        files["cmi5.xml"] = _render("cmi5.xml", language, **context)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode())
    return Package(package_filename(version, package_format, language), buffer.getvalue())

