"""Build a module version's content package: a SCORM 1.2 or cmi5 ZIP with a self-contained player.

The player (templates/modules/packages/) shows the lessons in order, with their worksheets as PDFs, then the final
quiz, as the learner pages do, in one language, and scores the quiz itself: the right answers travel inside the
package (SCORM and cmi5 cannot keep them from a learner who reads the files; LTI is the way when that matters).
Worksheets are PDFs, so a package is made by the job queue (the downloads area), not in a request.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from flask import current_app, g, render_template
from flask_babel import force_locale

from ...downloads.service import template_source
from ...orgs.models import Organisation
from ...pdf import render_pdf
from ..models import ModuleVersion
from ..progress import draw_size, quiz_questions

#: The formats a module can be packaged as, with the name administrators see.
PACKAGE_FORMATS = {"scorm12": "SCORM 1.2", "cmi5": "cmi5"}
#: The player's files, from templates/modules/packages/, copied into every package as they are.
PLAYER_ASSETS = ("player.js", "player.css")
#: ZIP entries get this date so that the same inputs always give the same bytes.
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
    return {
        "format": package_format,
        "language": language,
        "passMark": version.pass_mark,
        "draw": draw_size(version, "quiz"),
        "lessons": [lesson["id"] for lesson in version.lessons],
        "questions": [{"id": q["id"], "kind": q["kind"], "shuffle": q.get("shuffle", True),
                       "right": [c["id"] for c in q["choices"] if c["correct"]]}
                      for q in quiz_questions(version, "quiz")],
        "activityId": f"{activity_base(version, language)}/au",
    }


def worksheet_path(sheet: dict) -> str:
    return f"worksheets/{sheet['id']}.pdf"


def package_filename(version: ModuleVersion, package_format: str, language: str) -> str:
    return f"{version.module.slug}-v{version.version}-{language}-{package_format}.zip"


def _render(template: str, language: str, **context) -> str:
    g.package_language = language  # force_locale switches nothing while g is empty (outside a request)
    with force_locale(language):
        return render_template(template, language=language, **context)


def build_package(version: ModuleVersion, package_format: str, language: str,
                  organisation: Organisation) -> Package:
    """The ZIP of `version` in `package_format` ("scorm12" or "cmi5") and `language` ("en" or "it"), its
    worksheets made out for `organisation`. Renders PDFs: call it from the job queue."""
    if package_format not in PACKAGE_FORMATS:
        raise ValueError(f"unknown package format {package_format!r}")
    files: dict[str, str | bytes] = {}
    for sheet in version.worksheets:
        files[worksheet_path(sheet)] = render_pdf(_render(
            "modules/worksheet_pdf.html", language, version=version, sheet=sheet, organisation=organisation))
    context = {"version": version, "questions": quiz_questions(version, "quiz"),
               "data": player_data(version, package_format, language),
               "activity_base": activity_base(version, language), "worksheet_path": worksheet_path}
    files["index.html"] = _render("modules/packages/player.html", language, **context)
    files.update({name: template_source(f"modules/packages/{name}") for name in PLAYER_ASSETS})
    manifest = "imsmanifest.xml" if package_format == "scorm12" else "cmi5.xml"
    files[manifest] = _render(f"modules/packages/{manifest}", language, files=sorted(files), **context)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_STORED if name.endswith(".pdf") else zipfile.ZIP_DEFLATED
            text = files[name]
            archive.writestr(info, text if isinstance(text, bytes) else text.encode())
    return Package(package_filename(version, package_format, language), buffer.getvalue())
