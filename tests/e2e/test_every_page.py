"""Every page of every demo account on a phone: nothing scrolls sideways at 390 px, and axe finds no critical or
serious accessibility violation.

One walk per run: each demo account logs in, opens its navigation's pages and the pages one link deeper. Pages are
deduplicated by their URL rule (one module page stands for all) and axe skips a table's rows after the fifth, so the
walk stays cheap. Demo Retail walks first, so most pages are seen in Italian, whose words are the longest. The live
server gets a closed Demo Retail campaign (the results heatmap) and the demo cafés (their pages and action items) for
the walk, removed afterwards.
"""
from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import Page, expect
from werkzeug.exceptions import HTTPException

from cxculture.assessments.answers import Response
from cxculture.assessments.models import ActionItem, ActionUpdate, Campaign
from cxculture.cafes.demo import load_demo_cafes
from cxculture.cafes.models import Cafe, CafeAction
from cxculture.extensions import db
from cxculture.orgs.service import organisation_by_slug
from tests.assessments.results_factories import retail_campaign
from tests.conftest import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]

PHONE = {"width": 390, "height": 800}
ACCOUNTS = [f"{account}@{org}.example.com" for org in ("retail", "bank")
            for account in ("admin", "leader", "hr", "manager", "employee")]
#: Links the walk does not follow: files (PDF, CSV, JSON keys) and the static assets.
SKIPPED_SUFFIXES = (".pdf", ".csv", ".json")
SKIPPED_PREFIXES = ("/static/", "/downloads/")
#: axe's impacts that fail the walk.
BLOCKING = {"critical", "serious"}

#: The page's overflow, if any: how wide it is and the outermost element that sticks out furthest to the right.
OVERFLOW = """() => {
  const root = document.documentElement;
  if (root.scrollWidth <= root.clientWidth) return null;
  let widest = null, right = root.clientWidth;
  for (const element of document.body.querySelectorAll('*')) {
    const r = element.getBoundingClientRect().right;
    if (r > right + 0.5) { widest = element; right = r; }  // document order: an ancestor before its descendants
  }
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
    + (typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
  const path = [];
  for (let e = widest; e && e !== document.body && path.length < 4; e = e.parentElement) path.unshift(name(e));
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, right: Math.round(right),
          widest: path.join(' > ') || '?', text: widest ? widest.textContent.trim().slice(0, 60) : ''};
}"""
LINKS = "() => Array.from(document.querySelectorAll('a[href]:not([download])'), a => a.href)"
NAVIGATION = "() => Array.from(document.querySelectorAll('header a[href]'), a => a.href)"
#: axe on the whole page but a table's rows after the fifth, which repeat the same markup (a fifth of the cost on
#: the long lists).
AXE = "() => axe.run({exclude: [['tbody > tr:nth-child(n+6)']]}, {resultTypes: ['violations']})"


@pytest.fixture(scope="module")
def walk_data(live_server):
    """A closed Demo Retail campaign with results and the demo cafés with their action items; removed afterwards."""
    with live_server.app.app_context():
        retail = organisation_by_slug("demo-retail")
        before = {model: set(db.session.scalars(db.select(model.id))) for model in (Campaign, Cafe, ActionItem)}
        campaign = retail_campaign(retail, title="Cultura 2026")
        load_demo_cafes()
        db.session.flush()
        # Shared on "You said, we did", one with a statement and a progress note: the pages everyone reads.
        for action in db.session.scalars(db.select(ActionItem).where(ActionItem.organisation_id == retail.id)):
            action.shared, action.campaign_id, action.item_key = True, campaign.id, "rewards-2"
            action.updates.append(ActionUpdate(organisation_id=retail.id, note="Primo passo fatto. " * 20))
        db.session.commit()
    yield
    with live_server.app.app_context():
        new = {model: set(db.session.scalars(db.select(model.id))) - ids for model, ids in before.items()}
        db.session.execute(db.delete(CafeAction).where(CafeAction.cafe_id.in_(new[Cafe])))
        db.session.execute(db.delete(ActionItem).where(ActionItem.id.in_(new[ActionItem])))
        for cafe in db.session.scalars(db.select(Cafe).where(Cafe.id.in_(new[Cafe]))):
            db.session.delete(cafe)
        for response in db.session.scalars(db.select(Response).where(Response.campaign_id.in_(new[Campaign]))):
            db.session.delete(response)
        for campaign in db.session.scalars(db.select(Campaign).where(Campaign.id.in_(new[Campaign]))):
            db.session.delete(campaign)
        db.session.commit()


def test_no_page_scrolls_sideways_on_a_phone_or_fails_axe(new_context, live_server, walk_data, record_property):
    adapter = live_server.app.url_map.bind("127.0.0.1")

    def rule_of(url: str) -> str | None:
        """The URL rule a same-origin page link goes to; None for anything the walk does not open."""
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != live_server.url or parts.path.endswith(SKIPPED_SUFFIXES) \
                or parts.path.startswith(SKIPPED_PREFIXES):
            return None
        try:
            rule, _ = adapter.match(parts.path, method="GET", return_rule=True)
        except HTTPException:
            return None
        return rule.rule

    started = time.perf_counter()
    seen: set[str] = set()
    visited: list[str] = []
    problems: list[str] = []
    errors_before = len(live_server.errors)
    for email in ACCOUNTS:
        page: Page = new_context(viewport=PHONE).new_page()
        page.goto("/login")
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
        page.get_by_label("Password", exact=True).press("Enter")
        expect(page.locator("details.user-menu")).to_be_visible()
        # The landing page is measured where it stands: a layout forced before its stylesheet has loaded would see
        # the tables without their scrolling boxes.
        page.wait_for_load_state("load")
        queue = [(url, True) for url in [page.url, *page.evaluate(NAVIGATION)]]
        while queue:
            url, follow = queue.pop(0)
            rule = rule_of(url)
            if rule is None or rule in seen:
                continue
            seen.add(rule)
            url = url.split("#")[0]
            if url != page.url:
                response = page.goto(url)
                if not response.ok:
                    problems.append(f"{email} {url}: answered {response.status}")
                    continue
            visited.append(url)
            overflow = page.evaluate(OVERFLOW)
            if overflow:
                problems.append(f"{email} {url}: {overflow['scrollWidth']} px wide on a {overflow['clientWidth']} px "
                                f"screen; widest: {overflow['widest']} (right edge {overflow['right']} px, "
                                f"{overflow['text']!r})")
            page.evaluate(AXE_SCRIPT)
            for violation in page.evaluate(AXE)["violations"]:
                if violation["impact"] in BLOCKING:
                    targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
                    problems.append(f"{email} {url}: axe {violation['impact']} {violation['id']} "
                                    f"({violation['help']}) at {targets}")
            if follow:
                queue += [(link, False) for link in page.evaluate(LINKS)]
        page.context.close()
    elapsed = time.perf_counter() - started

    assert not live_server.errors[errors_before:], live_server.errors[errors_before:]
    assert len(visited) > 30, visited  # the walk reached the pages, not just the landing pages
    assert not problems, "\n".join(problems)
    record_property("pages_walked", len(visited))
    record_property("walk_seconds", round(elapsed, 1))
