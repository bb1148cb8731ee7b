"""Numbers in addresses and forms: out of range, negative or not a number is a 400 or a 404, never a 500.

The walk visits every GET route as each demo account, once with every id in the path too large for the database
and once per bad value given to every query parameter a page reads; a new route is walked without being listed.
"""
from __future__ import annotations

import pytest

from cxculture.extensions import db
from cxculture.params import MAX_ID, form_id, whole_number
from tests.conftest import login
from tests.test_tenancy import ACCOUNTS, ARGUMENTS

#: Every parameter a page reads from the query string (grep request.args, query_int, page_number).
QUERY_PARAMETERS = ("page", "per_page", "team", "job_role", "kpi", "campaign", "period", "q", "show", "pillar",
                    "category", "effect", "copy", "next")
TOO_LARGE = "99999999999999999999"
BAD_VALUES = (TOO_LARGE, "-1", "0", "abc", "1e3", "٣")


def _get_rules(app):
    # /healthz answers 503 by design here: no job worker runs in the tests (tests/jobs/test_health.py covers it).
    return [rule for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and rule.endpoint not in ("static", "healthz")]


def _url(app, rule, values) -> str:
    return app.url_for(rule.endpoint, **values, _external=False)


def test_every_get_route_refuses_bad_numbers_without_a_500(app, client, trained):
    organisation = trained["demo-retail"]
    own = {name: ARGUMENTS[name](organisation) if name in ARGUMENTS else "x"
           for name in {a for rule in _get_rules(app) for a in rule.arguments}}
    seen = 0
    for account in ACCOUNTS:
        client.post("/logout")
        login(client, f"{account}@retail.example.com")
        for rule in _get_rules(app):
            urls = []
            ids = [name for name, converter in rule._converters.items() if type(converter).__name__ == "IdConverter"]
            if ids:
                path = rule.rule
                for name in ids:
                    path = path.replace(f"<int:{name}>", TOO_LARGE)
                for name in set(rule.arguments) - set(ids):
                    path = path.replace(f"<{name}>", str(own[name]))
                urls.append(path)
            values = {name: own[name] for name in rule.arguments}
            if all(value is not None for value in values.values()):
                base = _url(app, rule, values)
                for bad in BAD_VALUES:
                    query = "&".join(f"{name}={bad}" for name in QUERY_PARAMETERS)
                    urls.append(f"{base}?{query}")
            for url in urls:
                response = client.get(url)
                body = response.get_data()[:300].decode("utf-8", "replace")  # PDFs are binary
                assert response.status_code < 500, f"GET {url} as {account}: {response.status_code} {body}"
                seen += 1
                if response.status_code == 403:
                    break  # the account may not open the page at all: its numbers are never read
    assert seen > 300


@pytest.mark.parametrize("page", [TOO_LARGE, "-1", "0", "abc", "1.5"])
@pytest.mark.parametrize("path", ["/admin/people", "/hr/kpi-values", "/hr/scorecards", "/leadership/training/matrix"])
def test_a_page_number_out_of_range_is_not_found(client, login_as, path, page):
    login_as({"/admin/people": "admin", "/leadership/training/matrix": "leader"}.get(path, "hr"))
    assert client.get(f"{path}?page={page}").status_code == 404


@pytest.mark.parametrize("value", [TOO_LARGE, "-1", "abc"])
def test_a_bad_id_in_the_query_string_is_a_bad_request(client, login_as, value):
    login_as("leader")
    assert client.get(f"/leadership/training/matrix?team={value}").status_code == 400
    assert client.get(f"/leadership/training/matrix?per_page={value}").status_code == 200  # the default size


def test_an_id_too_large_for_the_database_in_the_path_is_not_found(client, login_as):
    login_as("admin")
    assert client.get(f"/admin/teams/{MAX_ID + 1}/edit").status_code == 404
    assert client.get(f"/admin/people/{TOO_LARGE}/edit").status_code == 404


def test_a_person_form_with_a_team_id_too_large_is_refused(client, login_as):
    login_as("admin")
    response = client.post("/admin/people/new", data={
        "name": "Anna Neri", "email": "anna.neri@retail.example.com", "permissions": ["employee"],
        "team_id": TOO_LARGE, "language": "en"})
    assert response.status_code == 400


@pytest.mark.parametrize(("text", "expected"), [
    ("12", 12), (" 7 ", 7), (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None), ("0", None), ("-3", None),
    ("1_000", None), ("٣", None), ("1e3", None), ("", None), (None, None), (TOO_LARGE, None),
])
def test_whole_number(text, expected):
    assert whole_number(text, 1, MAX_ID) == expected


@pytest.mark.parametrize("value", [TOO_LARGE, "-1", "0", "x", True, MAX_ID + 1])
def test_form_id_refuses_what_is_not_an_id(value):
    with pytest.raises(ValueError, match="not an id"):
        form_id(value)


@pytest.mark.parametrize("threshold", [str(MAX_ID + 1), TOO_LARGE])
def test_a_campaign_threshold_too_large_for_the_database_is_refused(client, login_as, threshold):
    login_as("admin").language = "en"
    db.session.commit()
    response = client.post("/assessments/campaigns/new", data={
        "title": "Spring check", "opens_on": "2026-04-01", "closes_on": "2026-04-20", "threshold_override": threshold})
    assert response.status_code == 400
    assert "The anonymity threshold cannot be above" in response.get_data(as_text=True)
