"""Invitations by e-mail: an administrator creates a person (one, or a roster) and the person gets their link by
e-mail, in their language, from their organisation, through a real SMTP server; the link stays on the page."""
from __future__ import annotations

import io
import re

from sqlalchemy import select

from cxculture.extensions import db
from cxculture.mail.models import MailMessage
from tests.mail.conftest import deliver, parts


def _new_person(client, email, language):
    return client.post("/admin/people/new", data={
        "email": email, "name": "Nuova Persona", "language": language, "job_role_id": "", "team_id": "",
        "manager_id": "", "permissions": ["employee"], "active": "y"})


def test_creating_a_person_mails_their_invitation_in_their_language(client, login_as, outbox, smtp_server):
    login_as("admin")
    response = _new_person(client, "nuova@retail.example.com", "it")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    shown_link = re.search(r'id="invitation-link" class="mono" value="([^"]+)"', page).group(1)
    assert smtp_server.received == []  # queued in the request, sent by the job queue

    deliver()
    [message] = smtp_server.to("nuova@retail.example.com")
    assert message["From"] == "Demo Retail <cx@cxculture.example>"
    assert message["To"] == "Nuova Persona <nuova@retail.example.com>"
    assert message["Subject"] == "Demo Retail ti invita su CX Culture"
    assert message["Content-Language"] == "it"
    body = parts(message)
    assert "Ciao Nuova Persona," in body["text"] and "Imposta la tua password" in body["text"]
    assert "Demo Retail ti ha invitato su CX Culture" in body["html"]
    link = re.search(r"https?://\S+/invitation/\S+", body["text"]).group(0)
    # The same invitation as the page shows (signed a moment apart: the payload is the same, not the time stamp).
    assert link.rsplit(".", 2)[0] == shown_link.rsplit(".", 2)[0]
    assert f'href="{link}"' in body["html"]

    # The link in the e-mail works.
    client.post("/logout")
    path = link.split("localhost", 1)[1]
    assert client.get(path).status_code == 200

    # The sent row keeps who and when, never the message with its link.
    row = db.session.scalar(select(MailMessage).where(MailMessage.recipient == "nuova@retail.example.com"))
    assert (row.kind, row.status, row.message) == ("invitation", "sent", None)
    assert row.sent_at is not None


def test_english_person_gets_english_mail(client, login_as, outbox, smtp_server):
    login_as("admin")
    assert _new_person(client, "new.en@retail.example.com", "en").status_code == 302
    deliver()
    [message] = smtp_server.to("new.en@retail.example.com")
    assert message["Subject"] == "Demo Retail invites you to CX Culture"
    assert message["Content-Language"] == "en"
    body = parts(message)
    assert "Hello Nuova Persona," in body["text"] and "Set your password" in body["html"]
    assert "Demo Retail has invited you" in body["text"]


def test_a_refused_person_mails_nothing(client, login_as, outbox, smtp_server):
    login_as("admin")
    response = _new_person(client, "not an address", "it")
    assert response.status_code == 400
    deliver()
    assert smtp_server.received == []
    assert db.session.scalars(select(MailMessage)).all() == []


def test_a_roster_import_mails_each_new_person(client, login_as, outbox, smtp_server):
    login_as("admin")
    csv = ("email,name,team,job_role,permissions,language,manager_email\n"
           "uno@retail.example.com,Uno Nuovo,,,employee,it,\n"
           "two@retail.example.com,Two New,,,employee,en,\n")
    upload = client.post("/admin/roster/import", data={"file": (io.BytesIO(csv.encode()), "r.csv")},
                         content_type="multipart/form-data")
    assert upload.status_code in (302, 303), upload.get_data(as_text=True)[:500]
    confirmed = client.post(upload.headers["Location"])
    assert confirmed.status_code in (302, 303)
    deliver()
    assert sorted(smtp_server.addresses) == ["two@retail.example.com", "uno@retail.example.com"]
    assert smtp_server.to("uno@retail.example.com")[0]["Content-Language"] == "it"
    assert smtp_server.to("two@retail.example.com")[0]["Content-Language"] == "en"


def test_the_first_administrator_of_a_new_organisation_is_mailed_their_link(app, runner, smtp_server):
    result = runner.invoke(args=["cx", "create-org", "--name", "Acme Italia", "--slug", "acme-it", "--language", "it",
                                 "--admin-email", "Capo@Acme.example", "--admin-name", "Carla Capo"])
    assert result.exit_code == 0, result.output
    printed = re.search(r"https?://\S+/invitation/\S+", result.output).group(0)
    deliver()
    [message] = smtp_server.to("capo@acme.example")
    assert message["From"] == "Acme Italia <cx@cxculture.example>" and message["Content-Language"] == "it"
    mailed = re.search(r"https?://\S+/invitation/\S+", parts(message)["text"]).group(0)
    assert mailed.rsplit(".", 2)[0] == printed.rsplit(".", 2)[0]
