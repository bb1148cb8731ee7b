"""Required modules completed month by month: a line on the administrator's training paths and the manager's team
training, with its numbers in a table and in the chart's description."""
from __future__ import annotations

import html
import re
from datetime import date, datetime, time

from babel.dates import format_date

from cxculture.extensions import db
from cxculture.formatting import format_percent
from cxculture.orgs.service import person_by_email

from .team_helpers import record_progress


def months_back(count: int, today: date | None = None) -> date:
    """The first day of the month `count` months before this one."""
    today = today or date.today()
    year, month = divmod(today.year * 12 + today.month - 1 - count, 12)
    return date(year, month + 1, 1)


def numbers(page: str, trend_id: str) -> list[tuple[str, str, str]]:
    """(month, completed, share) of each row of the trend's table of numbers."""
    section = page.split(f'id="{trend_id}-heading"')[1].split("</section>")[0]
    return [tuple(" ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split()) for cell in row)
            for row in re.findall(r'<tr><th scope="row">(.*?)</th><td class="num">(.*?)</td><td class="num">(.*?)'
                                  r'</td></tr>', section)]


def desc(page: str, chart_id: str) -> str:
    return html.unescape(re.search(rf'id="{chart_id}-desc">([^<]*)<', page).group(1))


def test_the_manager_sees_the_teams_completion_month_by_month(client, login_as, trained):
    employee = person_by_email("employee@bank.example.com")
    three_months_ago = months_back(3)
    record_progress(employee, "what-is-cx", completed=datetime.combine(three_months_ago.replace(day=12), time(9)))
    record_progress(employee, "customer-journey", completed=datetime.combine(date.today(), time(0, 5)))
    retail = person_by_email("employee@retail.example.com")  # another organisation: never counted
    record_progress(retail, "what-is-cx", completed=datetime.combine(months_back(1).replace(day=3), time(9)))
    login_as("manager", org="bank")
    page = client.get("/team/training").get_data(as_text=True)
    rows = numbers(page, "team-completion")
    assert len(rows) == 12  # the last twelve months, the current one last
    total = 8 * 3  # the London Bridge branch: eight people, three required modules each
    expected_done = [0] * 8 + [1, 1, 1, 2]
    assert [done for _month, done, _share in rows] == [f"{n} / {total}" for n in expected_done]
    assert [share for *_, share in rows] == [format_percent(100 * n / total) for n in expected_done]
    assert rows[8][0] == format_date(three_months_ago, "MMMM yyyy", locale="en")
    text = desc(page, "team-completion")
    assert text.endswith(f"{format_date(date.today(), 'MMMM yyyy', locale='en')} {format_percent(100 * 2 / total)}.")
    assert f"{format_date(months_back(4), 'MMMM yyyy', locale='en')} 0%" in text
    assert f"Of the {total} required modules on today's paths" in page


def test_the_administrator_sees_the_organisations(client, login_as, trained):
    employee = person_by_email("employee@bank.example.com")
    record_progress(employee, "what-is-cx", completed=datetime.combine(date.today(), time(0, 5)))
    login_as("admin", org="bank")
    page = client.get("/admin/training").get_data(as_text=True)
    rows = numbers(page, "admin-completion")
    total = int(re.search(r"Of the (\d+) required modules", page).group(1))
    assert total > 24  # everyone's, not one team's
    assert [done for _m, done, _s in rows] == [f"0 / {total}"] * 11 + [f"1 / {total}"]
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="admin-completion"' in page


def test_in_italian(client, login_as, trained):
    manager = login_as("manager", org="bank")
    manager.language = "it"
    db.session.commit()
    page = client.get("/team/training").get_data(as_text=True)
    assert "Moduli obbligatori completati, mese per mese" in page
    assert desc(page, "team-completion").endswith(f"{format_date(date.today(), 'MMMM yyyy', locale='it')} 0%.")


def test_no_chart_when_nothing_is_required(client, login_as, demo):
    login_as("manager", org="bank")  # no training paths at all: nothing is required of anyone
    page = client.get("/team/training").get_data(as_text=True)
    assert "team-completion" not in page
