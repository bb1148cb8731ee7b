"""Every page of every demo account speaks one language: no English on Demo Retail's Italian pages and PDFs, no Italian
on Demo Bank's English ones.

The walk logs in as each demo account, follows the same-origin links from the home page (each URL rule once per
language, so it stays a few seconds) and reads what a person sees or hears: text, and the attributes a screen reader
speaks. Text inside an element marked with another `lang` (an administrator's two-language fields, a café held in
the other language) is that language on purpose. Lessons' prose is the training library's (here the tests' fixture
library; the shipped library's languages have tests of their own), so it is left out. A page fails on a string of
the catalogue in the other language, or on prose whose small words (the, and, of / il, della, che) are the other
language's.
"""
from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from typing import ClassVar
from urllib.parse import urljoin, urlsplit

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from cxculture.extensions import db
from tests.conftest import (
    FIXTURE_LIBRARY,
    _copy_or_load,
    _load_demo_with_assessments,
    _restore_demo,
    get_file,
    login,
    pdf_text,
)
from tests.test_i18n import CATALOGUE as CATALOGUE_PATH

ACCOUNTS = ("leader", "hr", "manager", "admin", "employee")
ORGANISATIONS = {"it": "retail", "en": "bank"}
#: Small words that give a language away; none is a word of the other language.
SMALL_WORDS = {
    "en": {"the", "and", "of", "your", "you", "with", "this", "that", "is", "are", "not", "has", "have", "was",
           "were", "will", "from", "by", "to", "an", "or", "which", "there", "their", "been"},
    "it": {"il", "lo", "gli", "della", "delle", "degli", "dei", "del", "che", "non", "sono", "una", "uno", "nel",
           "nella", "questo", "questa", "è", "di", "sulla", "alla", "perché", "anche", "ancora", "tuo", "tua"},
}
#: Not pages: files, downloads, signing out.
SKIP = re.compile(r"/logout|/downloads/|\.(pdf|csv|xlsx|zip|json|svg|png)$|/static/")
WORD = re.compile(r"[^\W\d_]+")
#: Keys, e-mail addresses and paths ("cost_to_serve", "anna@example.com") are no language.
IDENTIFIER = re.compile(r"\S*[_@/]\S*")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")


def _catalogue_strings() -> dict[str, set[str]]:
    """Each language's interface strings that are not also the other's: {"en": msgids, "it": msgstrs}."""
    with CATALOGUE_PATH.open("rb") as handle:
        catalogue = read_po(handle, locale="it")
    english, italian, every_id, every_string = set(), set(), set(), set()
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid, msgstr in zip(ids, strings, strict=False):
            every_id.add(msgid)
            every_string.add(msgstr)
            if msgid and msgstr and msgid != msgstr and not PLACEHOLDER.search(msgid) and WORD.search(msgid):
                english.add(msgid)
                italian.add(msgstr)
    # "Team" is English for "Team" and Italian for "Teams": a word of both languages gives neither away.
    return {"en": english - every_string, "it": italian - every_id, "all": every_id | every_string}


CATALOGUE = _catalogue_strings()


def foreign_text(text: str, language: str) -> bool:
    """Is `text` (seen on a `language` page) in the other language?"""
    other = "it" if language == "en" else "en"
    if text in CATALOGUE[other]:
        return True
    if text in CATALOGUE["all"]:  # the interface's own words ("IMS LTI Assignment and Grade Services" in both)
        return False
    words = [word.lower() for word in WORD.findall(IDENTIFIER.sub(" ", text))]
    theirs = sum(word in SMALL_WORDS[other] for word in words)
    ours = sum(word in SMALL_WORDS[language] for word in words)
    return theirs > ours and (theirs >= 2 or len(words) >= 3)


class _Page(HTMLParser):
    """A page's links and the texts a person sees or hears, each with the language it is marked as."""

    SPOKEN: ClassVar = {"title", "alt", "placeholder", "aria-label", "aria-description", "aria-valuetext"}
    VOID: ClassVar = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
                      "wbr"}
    #: Code, form values, and the <title> (which repeats the page's heading, where a café's own title is marked).
    QUIET: ClassVar = {"script", "style", "code", "pre", "kbd", "samp", "textarea", "option", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.texts: list[tuple[str, str]] = []
        self.stack: list[tuple[str, str | None, bool]] = []

    def _language(self) -> str | None:
        return next((lang for _tag, lang, _quiet in reversed(self.stack) if lang), None)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        quiet = (tag in self.QUIET or "prose" in (values.get("class") or "").split()
                 or any(q for _t, _l, q in self.stack))
        if tag not in self.VOID:
            self.stack.append((tag, (values.get("lang") or "")[:2] or None, quiet))
        language = (values.get("lang") or "")[:2] or self._language()
        for name, value in attrs:
            if name in self.SPOKEN and value and not quiet:
                self.texts.append((language, " ".join(value.split())))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if data.strip() and not (self.stack and self.stack[-1][2]):
            self.texts.append((self._language(), " ".join(data.split())))


@pytest.fixture
def whole_demo(app, request):
    """Both demo organisations with everything: campaigns, training (the fixture library), KPIs, cafés.

    Built once per test run on top of the `demo_with_assessments` snapshot (the slowest part, which other tests
    build anyway), then copied as the other demo fixtures are."""
    from cxculture.cafes.demo import load_demo_cafes
    from cxculture.kpis.demo import load_demo_kpis
    from cxculture.modules.demo import load_demo_training
    from cxculture.orgs.models import Organisation

    assessments, _report = request.getfixturevalue("_demo_snapshots").get(
        "demo_assessments", _load_demo_with_assessments)

    def load():
        _restore_demo(assessments)
        organisations = list(db.session.scalars(select(Organisation).order_by(Organisation.id)))
        load_demo_training(FIXTURE_LIBRARY)
        load_demo_kpis(organisations)
        load_demo_cafes()
        return [o.slug for o in organisations]

    return _copy_or_load(app, request, "demo_all", load)


def _rule(app, path: str) -> str | None:
    """The URL rule a path belongs to (each is walked once per language); None when nothing answers it."""
    try:
        endpoint, _arguments = app.url_map.bind("localhost").match(urlsplit(path).path)
    except HTTPException:
        return None
    return endpoint


def walk(app, client, language: str, seen: set[str], limit: int = 150) -> dict[str, list[str]]:
    """Visit the home page and every page reachable from it whose URL rule another account has not shown yet
    (`seen`); returns {path: [foreign texts]} for the pages that have some."""
    found: dict[str, list[str]] = {}
    queue, tried = deque(["/"]), set()
    while queue and limit:
        path = queue.popleft()
        rule = _rule(app, path)
        if path in tried or rule is None or (rule in seen and path != "/") or SKIP.search(urlsplit(path).path):
            continue
        tried.add(path)
        response = client.get(path, follow_redirects=True)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        seen.add(rule)
        limit -= 1
        page = _Page()
        page.feed(response.get_data(as_text=True))
        for href in page.links:
            target = urlsplit(urljoin(f"http://localhost{path}", href))
            if target.netloc == "localhost" and target.scheme == "http":
                queue.append(target.path + (f"?{target.query}" if target.query else ""))
        wrong = [text for marked, text in page.texts if (marked or language) == language
                 and foreign_text(text, language)]
        if wrong:
            found[path] = wrong
    return found


@pytest.mark.parametrize("language", ["it", "en"])
def test_every_demo_page_speaks_its_language(app, whole_demo, language):
    seen: set[str] = set()
    found = {}
    for account in ACCOUNTS:
        client = app.test_client()
        login(client, f"{account}@{ORGANISATIONS[language]}.example.com")
        found |= {f"{account}: {path}": texts for path, texts in walk(app, client, language, seen).items()}
    assert len(seen) > 60, f"the walk reached only {len(seen)} kinds of page"
    assert not found, "\n".join(f"{page}: {texts[:5]}" for page, texts in found.items())


def test_checker_tells_languages_apart():
    assert foreign_text("Previous", "it") and foreign_text("Please correct the highlighted fields.", "it")
    assert foreign_text("Clear and calm communication", "it")
    assert not foreign_text("Comunicazione chiara e calma", "it") and not foreign_text("Front line", "it")
    assert foreign_text("Correggi i campi evidenziati.", "en") and foreign_text("Il punto sulle azioni", "en")
    assert not foreign_text("Sales per hour", "en") and not foreign_text("Team", "it")


def _demo_ids() -> dict[str, int]:
    from sqlalchemy import text

    return {
        "campaign": db.session.scalar(text(
            "SELECT c.id FROM campaign c JOIN organisation o ON o.id = c.organisation_id "
            "WHERE o.slug = 'demo-retail' AND c.status = 'closed' ORDER BY c.id DESC LIMIT 1")),
        "employee": db.session.scalar(text("SELECT id FROM person WHERE email = 'employee@retail.example.com'")),
        "cafe": db.session.scalar(text(
            "SELECT c.id FROM cafe c JOIN organisation o ON o.id = c.organisation_id "
            "WHERE o.slug = 'demo-retail' AND c.held_at IS NOT NULL ORDER BY c.id LIMIT 1")),
    }


def test_italian_pdfs_speak_italian(app, whole_demo, tmp_path):
    """The results, a scorecard and a café's summary (the brief's agenda is the same): Italian words, Italian
    numbers ("35%", "2,4"), an Italian agenda."""
    ids = _demo_ids()
    pdfs = {
        "leader": [f"/assessments/{ids['campaign']}/results.pdf", f"/leadership/cafes/{ids['cafe']}/summary.pdf"],
        "hr": [f"/scorecards/{ids['employee']}.pdf"],
    }
    problems = []
    for account, urls in pdfs.items():
        client = app.test_client()
        login(client, f"{account}@retail.example.com")
        for url in urls:
            response = get_file(client, url)
            assert response.status_code == 200 and response.mimetype == "application/pdf", url
            lines = [" ".join(line.split()) for line in pdf_text(response.data, tmp_path).splitlines()]
            problems += [f"{url}: {line}" for line in lines if line and (
                foreign_text(line, "it") or re.search(r"\d\.\d+ ?%", line))]
    assert not problems, "\n".join(problems[:30])
