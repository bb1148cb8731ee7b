"""Retention (issue 13, item 4): each organisation's settings, validated; the run counts (dry run) or deletes exactly
what is past its time, per kind and organisation, and no aggregate moves; the nightly job is scheduled."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from cxculture.assessments.answering import save_draft, submit
from cxculture.assessments.answers import Comment, Invitee
from cxculture.assessments.campaigns import close_campaign
from cxculture.assessments.models import Campaign
from cxculture.audit import AuditRecord
from cxculture.downloads.models import DONE, Download, DownloadFile
from cxculture.extensions import db
from cxculture.jobs import celery_config
from cxculture.jobs.retention import RETENTION_JOB, retention_purge
from cxculture.kpis.models import Kpi, KpiValue
from cxculture.lms.models import XapiStatement
from cxculture.orgs.models import Person, RetentionSettings
from cxculture.orgs.service import person_by_email
from cxculture.util import utcnow
from tests.assessments.results_factories import open_campaign_in
from tests.orgs.conftest import field_error, text


@pytest.fixture
def retail(demo):
    return demo["demo-retail"]


@pytest.fixture
def bank(demo):
    return demo["demo-bank"]


def sign_in(client, login_as, permission="admin", org="retail") -> Person:
    client.post("/logout")
    person = login_as(permission, org=org)
    person.language = "en"
    db.session.commit()
    return person


GOOD = {"survey_comment_months": "6", "kpi_value_years": "2", "deactivated_person_months": "3",
        "delivered_outbox_days": "30", "audit_record_months": "12"}


# The settings page ----------------------------------------------------------------------------------------------

def test_the_settings_page_shows_the_defaults_and_saves(client, login_as, retail):
    sign_in(client, login_as)
    page = client.get("/admin/retention")
    assert page.status_code == 200
    for name, default in (("survey_comment_months", 24), ("kpi_value_years", 5), ("deactivated_person_months", 12),
                          ("delivered_outbox_days", 90), ("audit_record_months", 36)):
        assert re.search(rf'name="{name}"[^>]*value="{default}"', page.get_data(as_text=True)), name
    assert "Failed login attempts" in text(page) and "Nothing is stored" in text(page)
    question = client.post("/admin/retention", data=GOOD)  # every period shorter: asked first, nothing saved
    assert question.status_code == 200 and "Shorten how long data is kept?" in text(question)
    assert "24 → 6" in text(question) and db.session.get(RetentionSettings, retail.id) is None
    assert client.post("/admin/retention", data={**GOOD, "confirm": "yes"}).status_code == 302
    row = db.session.get(RetentionSettings, retail.id)
    assert (row.survey_comment_months, row.kpi_value_years, row.deactivated_person_months,
            row.delivered_outbox_days, row.audit_record_months) == (6, 2, 3, 30, 12)
    assert 'value="6"' in client.get("/admin/retention").get_data(as_text=True)


BAD = [
    ("survey_comment_months", "", "Enter a whole number of months from 1 to 120."),
    ("survey_comment_months", "0", "Enter a whole number of months from 1 to 120."),
    ("survey_comment_months", "121", "Enter a whole number of months from 1 to 120."),
    ("kpi_value_years", "1.5", "Enter a whole number of years from 1 to 20."),
    ("kpi_value_years", "-3", "Enter a whole number of years from 1 to 20."),
    ("deactivated_person_months", "twelve", "Enter a whole number of months from 1 to 120."),
    ("delivered_outbox_days", "99999999999999999999", "Enter a whole number of days from 1 to 3650."),
    ("audit_record_months", "3", "Enter a whole number of months from 6 to 120."),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD)
def test_bad_settings_are_refused_by_field_and_change_nothing(client, login_as, retail, field, value, message):
    sign_in(client, login_as)
    response = client.post("/admin/retention", data={**GOOD, field: value})
    assert response.status_code == 400
    assert field_error(response, field) == message
    assert db.session.get(RetentionSettings, retail.id) is None
    assert db.session.scalar(select(func.count(AuditRecord.id))) == 0


def test_only_administrators_change_retention(client, login_as):
    sign_in(client, login_as, "hr")
    assert client.get("/admin/retention").status_code == 403
    assert client.post("/admin/retention", data=GOOD).status_code == 403


def test_the_nightly_job_is_in_the_beat_schedule(app):
    entry = celery_config(app)["beat_schedule"]["retention-purge"]
    assert entry["task"] == RETENTION_JOB
    assert RETENTION_JOB in app.extensions["celery"].tasks


# The run -------------------------------------------------------------------------------------------------------

def _answer(campaign, how_many: int, comment: str) -> None:
    ids = select(Invitee.person_id).where(Invitee.campaign_id == campaign.id)
    people = list(db.session.scalars(select(Person).where(Person.id.in_(ids)).order_by(Person.id).limit(how_many)))
    values = {item["key"]: 4 for item in campaign.instrument.items}
    for number, person in enumerate(people):
        save_draft(campaign, person, values, {"obstacles": f"{comment} {number}"})
        submit(campaign, person)
    db.session.commit()


@pytest.fixture
def aged(client, login_as, retail, bank):
    """Demo Retail with something of every kind past its time under the settings GOOD (and something not), set
    through the pages where a person does it; Demo Bank with old rows of its own, under the defaults."""
    now = utcnow()
    sign_in(client, login_as)
    assert client.post("/admin/retention", data={**GOOD, "confirm": "yes"}).status_code == 302

    old = open_campaign_in(retail, "Old round")
    _answer(old, 30, "Old comment")
    close_campaign(old)
    db.session.commit()
    db.session.execute(update(Campaign).where(Campaign.id == old.id).values(closed_at=now - timedelta(days=300)))
    recent = open_campaign_in(bank, "Bank round")
    _answer(recent, 5, "Bank comment")

    kpi = db.session.scalar(select(Kpi).where(Kpi.organisation_id == retail.id).order_by(Kpi.id))
    bank_kpi = db.session.scalar(select(Kpi).where(Kpi.organisation_id == bank.id).order_by(Kpi.id))
    employee = person_by_email("employee@retail.example.com")
    db.session.add_all([
        KpiValue(organisation_id=retail.id, kpi_id=kpi.id, period="2019-Q1", person_id=employee.id, value=1),
        KpiValue(organisation_id=retail.id, kpi_id=kpi.id, period="2026-Q2", person_id=employee.id, value=2),
        KpiValue(organisation_id=bank.id, kpi_id=bank_kpi.id, period="2019-Q1",
                 person_id=person_by_email("employee@bank.example.com").id, value=3),
    ])
    for name, status, sent in (("a", "sent", 60), ("b", "sent", 5), ("c", "pending", None)):
        db.session.add(XapiStatement(id=f"00000000-0000-0000-0000-00000000000{name}", organisation_id=retail.id,
                                     event="module-started", statement={}, status=status,
                                     sent_at=None if sent is None else now - timedelta(days=sent),
                                     created_at=now - timedelta(days=90)))
    admin = person_by_email("admin@retail.example.com")
    for days, kind in ((1000, "kpis.team_pack"), (10, "kpis.team_pack"), (1000, "html")):
        download = Download(organisation_id=retail.id, requested_by_id=admin.id, kind=kind, title="Pack",
                            filename="pack.pdf", status=DONE, created_at=now - timedelta(days=days))
        db.session.add(download)
        db.session.flush()
        db.session.add(DownloadFile(download_id=download.id, data=b"%PDF"))
    for org, days in ((retail.id, 400), (retail.id, 30), (bank.id, 400)):
        db.session.add(AuditRecord(organisation_id=org, at=now - timedelta(days=days), actor_label="system",
                                   action="team.created", target_label=f"old {org} {days}"))
    db.session.commit()

    leaver = person_by_email("manager@retail.example.com")
    data = {"email": leaver.email, "name": leaver.name, "language": "", "job_role_id": str(leaver.job_role_id or ""),
            "team_id": str(leaver.team_id or ""), "manager_id": str(leaver.manager_id or ""),
            "permissions": sorted(leaver.permissions)}  # no "active": deactivated
    assert client.post(f"/admin/people/{leaver.id}/edit", data=data).status_code == 302
    db.session.refresh(leaver)
    assert leaver.deactivated_at is not None
    db.session.execute(update(Person).where(Person.id == leaver.id).values(deactivated_at=now - timedelta(days=200)))
    db.session.commit()
    return old


def counts(retail_id: int) -> dict:
    db.session.expire_all()

    def count(model, *where):
        return db.session.scalar(select(func.count()).select_from(model).where(*where))

    return {
        "comments": count(Comment), "kpi_values": count(KpiValue, KpiValue.organisation_id == retail_id),
        "all_kpi_values": count(KpiValue), "statements": count(XapiStatement), "downloads": count(Download),
        "files": count(DownloadFile), "audit": count(AuditRecord), "people": count(Person),
    }


def results_without_comments(client, campaign) -> tuple[str, str]:
    page = client.get(f"/assessments/{campaign.id}/results")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    body = re.sub(r'name="csrf_token" value="[^"]*"', "", body)
    start, end = body.index('<section id="comments"'), body.index("</section>", body.index('<section id="comments"'))
    return body[:start] + body[end:], body[start:end]


def test_a_dry_run_counts_and_lists_and_changes_nothing(runner, aged, retail):
    before = counts(retail.id)
    result = runner.invoke(args=["cx", "retention", "run", "--dry-run"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Retention dry run: nothing is deleted." in out
    retail_part = out[out.index("(demo-retail)"):out.index("Whole installation")]
    assert re.search(r"survey comments of campaigns closed before [\d-]+: 30\n", retail_part)
    assert re.search(r"KPI values of quarters ended before [\d-]+: 1\n", retail_part)
    assert re.search(r"kept scorecard files made before [\d-]+: 1\n", retail_part)
    assert re.search(r"xAPI statements delivered before [\d-]+: 1\n", retail_part)
    assert re.search(r"people deactivated before [\d-]+: 1\n", retail_part)
    assert "manager@retail.example.com" in retail_part
    assert re.search(r"audit records written before [\d-]+: 1\n", retail_part)
    bank_part = out[out.index("(demo-bank)"):out.index("(demo-retail)")]
    assert re.search(r"survey comments of campaigns closed before [\d-]+: 0\n", bank_part)
    assert re.search(r"KPI values of quarters ended before [\d-]+: 1\n", bank_part)  # 5 years by default
    assert counts(retail.id) == before


def test_the_run_deletes_exactly_what_is_due_and_no_figure_moves(client, login_as, runner, aged, retail):
    sign_in(client, login_as, "leader")
    figures_before, comments_before = results_without_comments(client, aged)
    assert "Old comment" in comments_before and "deleted" in comments_before
    before = counts(retail.id)

    result = runner.invoke(args=["cx", "retention", "run", "--org", "demo-retail"])
    assert result.exit_code == 0, result.output
    assert "Whole installation" not in result.output
    after = counts(retail.id)
    assert after["comments"] == before["comments"] - 30  # the old campaign's; the bank's open one keeps its 5
    assert db.session.scalar(select(func.count(Comment.id)).where(Comment.campaign_id == aged.id)) == 0
    assert after["kpi_values"] == before["kpi_values"] - 1 and after["all_kpi_values"] == before["all_kpi_values"] - 1
    assert db.session.scalar(select(KpiValue.id).where(KpiValue.period == "2019-Q1",
                                                       KpiValue.organisation_id == retail.id)) is None
    assert set(db.session.scalars(select(XapiStatement.id).where(XapiStatement.organisation_id == retail.id))) == {
        "00000000-0000-0000-0000-00000000000b", "00000000-0000-0000-0000-00000000000c"}
    assert after["downloads"] == before["downloads"] - 1 and after["files"] == before["files"] - 1
    # The retail record past 12 months goes, the bank's (36 months by default) stays; the run records itself.
    assert after["audit"] == before["audit"] - 1 + 1
    assert db.session.scalar(select(AuditRecord.details).where(AuditRecord.action == "retention.run"))[
        "deleted"]["survey_comment"] == 30
    # A person past their time who still manages people is left for an administrator (who picks a successor).
    assert after["people"] == before["people"]
    assert "left for an administrator" in result.output and "manager@retail.example.com" in result.output

    figures_after, comments_after = results_without_comments(client, aged)
    assert figures_after == figures_before
    assert "Old comment" not in comments_after and "deleted" in comments_after

    again = runner.invoke(args=["cx", "retention", "run", "--org", "demo-retail", "--dry-run"])
    assert re.search(r"survey comments of campaigns closed before [\d-]+: 0\n", again.output)


def test_the_nightly_task_applies_every_organisation(aged, retail, bank):
    report = retention_purge()
    assert report["organisations"]["demo-retail"]["survey_comment"] == 30
    assert report["organisations"]["demo-bank"]["kpi_value"] == 1
    assert set(report["installation"]) == {"login_session", "login_failure", "lti_nonce", "lti_pending_link"}
    assert db.session.scalar(select(func.count(AuditRecord.id)).where(AuditRecord.action == "retention.run")) == 2


def test_an_unknown_organisation_is_refused(runner, demo):
    result = runner.invoke(args=["cx", "retention", "run", "--org", "nope"])
    assert result.exit_code != 0 and "No organisation has the short name nope." in result.output
