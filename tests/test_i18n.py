"""English and Italian: the catalogue is complete and the right language is picked."""
import fnmatch
import os
from functools import cache
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from cxculture.extensions import db
from cxculture.orgs.service import person_by_email
from tests.conftest import login

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "cxculture" / "translations" / "it" / "LC_MESSAGES" / "messages.po"
#: The keywords `make extract-messages` passes besides Babel's own (`_`, `gettext`, `ngettext`, ...).
EXTRA_KEYWORDS = {"_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
#: The folders `make extract-messages` skips (its --ignore-dirs): only these. Babel's own default would also skip
#: every folder whose name starts with "_", such as templates/_macros.
IGNORED_DIRS = (".*", "__pycache__")


def _mapping():
    """babel.cfg's method map and options: the same files `make extract-messages` reads."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        return parse_mapping_cfg(handle)


def _keep_directory(path: str) -> bool:
    return not any(fnmatch.fnmatch(os.path.basename(path), pattern) for pattern in IGNORED_DIRS)


@cache
def extracted_files_and_messages() -> tuple[set[str], set[str]]:
    """(every file the extractor read, every translatable message in them), as `make extract-messages` sees it
    (read once per test run: extraction takes seconds)."""
    method_map, options_map = _mapping()
    files, messages = set(), set()
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=method_map, options_map=options_map, keywords={**DEFAULT_KEYWORDS, **EXTRA_KEYWORDS},
        directory_filter=_keep_directory, callback=lambda filename, _method, _options: files.add(filename),
    ):
        files.add(filename)
        messages.add(message if isinstance(message, str) else message[0])
    return files, messages


def source_messages() -> set[str]:
    """Every translatable message in the code and templates, as the extractor sees it now."""
    return extracted_files_and_messages()[1]


def test_extraction_reads_every_template_and_module():
    """No folder escapes extraction (Babel's default skipped templates/_macros, so its strings went unchecked)."""
    files, messages = extracted_files_and_messages()
    sources = {str(path.relative_to(ROOT)) for pattern in ("cxculture/**/*.py", "templates/**/*.html",
                                                            "templates/**/*.txt")
               for path in ROOT.glob(pattern) if "__pycache__" not in path.parts}
    assert not sources - files, f"files no extraction reads: {sorted(sources - files)}"
    assert {"Please correct the highlighted fields.", "Row %(row)s, column %(column)s", "Previous"} <= messages


def test_italian_catalogue_translates_every_message():
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle, locale="it")
    translated = {}
    for entry in catalogue:
        if not entry.id:
            continue
        key = entry.id if isinstance(entry.id, str) else entry.id[0]
        strings = entry.string if isinstance(entry.string, (list, tuple)) else [entry.string]
        translated[key] = bool(all(strings)) and not entry.fuzzy
    messages = source_messages()
    assert len(messages) > 50
    missing = sorted(m for m in messages if m not in translated)
    empty = sorted(m for m in messages if m in translated and not translated[m])
    assert not missing, (
        f"{len(missing)} messages are not in the Italian catalogue (run `make extract-messages`): {missing[:20]}"
    )
    assert not empty, f"{len(empty)} messages have no Italian translation (or are fuzzy): {empty[:20]}"


def test_organisation_language_is_the_default(client, demo):
    login(client, "employee@retail.example.com")
    page = client.get("/home/employee").get_data(as_text=True)
    assert '<html lang="it">' in page
    assert "Esci" in page  # "Log out"


def test_person_language_overrides_organisation(client, demo):
    person = person_by_email("employee@retail.example.com")
    person.language = "en"
    db.session.commit()
    login(client, "employee@retail.example.com")
    page = client.get("/home/employee").get_data(as_text=True)
    assert '<html lang="en">' in page and "Log out" in page


def test_language_switch_is_stored_on_the_person(client, demo):
    login(client, "employee@bank.example.com")
    response = client.post("/language", data={"language": "it", "next": "/home/employee"})
    assert response.headers["Location"] == "/home/employee"
    assert person_by_email("employee@bank.example.com").language == "it"
    assert '<html lang="it">' in client.get("/home/employee").get_data(as_text=True)


def test_anonymous_language_switch_is_kept_until_login(client, demo):
    client.post("/language", data={"language": "it", "next": "/login"})
    assert '<html lang="it">' in client.get("/login").get_data(as_text=True)
    login(client, "employee@bank.example.com")
    assert person_by_email("employee@bank.example.com").language == "it"


@pytest.mark.parametrize("language", ["de", "", "it;drop"])
def test_unknown_language_is_refused(client, demo, language):
    assert client.post("/language", data={"language": language}).status_code == 400


def test_browser_language_is_used_before_login(client):
    page = client.get("/login", headers={"Accept-Language": "it-IT,it;q=0.9"}).get_data(as_text=True)
    assert '<html lang="it">' in page


def test_template_messages_escape_a_literal_percent():
    """Jinja formats every translated string with %: a bare "%" breaks the page at run time."""
    import re

    bare = []
    for path in (ROOT / "templates").rglob("*.html"):
        for match in re.finditer(r"""_\((["'])(.*?)\1""", path.read_text(encoding="utf-8")):
            if re.search(r"%(?![(%])", match.group(2).replace("%%", "")):
                bare.append(f"{path.relative_to(ROOT)}: {match.group(2)}")
    assert not bare, f"write %% for a literal percent sign: {bare}"
