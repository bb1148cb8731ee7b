"""Logging what a customer said, the owner team's inbox, closing with an outcome, "My remarks" and the export."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.listening.models import Remark
from cxculture.mail.models import MailMessage
from tests.listening.helpers import remark_by, touchpoint

RETAIL_STORE = "Vendite/Milano Store"


@pytest.fixture
def store(retail):
    """Demo Retail's store touchpoint, owned by the manager's team (Milano Store)."""
    return touchpoint(retail, "store", RETAIL_STORE)


def _form(point_id, **overrides):
    data = {"touchpoint_id": str(point_id), "channel": "phone", "feeling": "angry",
            "customer_words": "Called twice about a wrong invoice, mail mario.rossi@example.it, cell 333 1234567",
            "idea": "Call back within a day", "submission_key": "k" * 32}
    data.update(overrides)
    return data


def _count() -> int:
    return db.session.scalar(select(func.count(Remark.id)))


def test_an_employee_logs_a_remark_masked_and_stored_once(client, login_as, store):
    login_as("employee")
    page = client.get(f"/listening/remarks/new?touchpoint={store.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "masked before anything is stored" in text and f'selected value="{store.id}"' in text
    first = client.post("/listening/remarks/new", data=_form(store.id))
    again = client.post("/listening/remarks/new", data=_form(store.id))
    assert first.status_code == again.status_code == 302
    remark = db.session.scalar(select(Remark))
    assert _count() == 1
    assert remark.customer_words == "Called twice about a wrong invoice, mail [e-mail], cell [phone]"
    assert remark.status == "new" and remark.channel == "phone" and remark.feeling == "angry"
    mine = client.get("/listening/remarks/mine").get_data(as_text=True)
    assert "Called twice about a wrong invoice" in mine and "mario.rossi" not in mine


@pytest.mark.parametrize(("field", "value", "message"), [
    ("touchpoint_id", "", "Choose where it happened"),
    ("channel", "", "Choose how the customer got in touch"),
    ("channel", "pigeon", "Choose how the customer got in touch"),
    ("customer_words", "   ", "Write what the customer told you"),
    ("customer_words", "x" * 2001, "Keep it under 2000 characters"),
    ("feeling", "", "Choose how the customer felt"),
    ("idea", "y" * 1001, "Keep it under 1000 characters"),
])
def test_bad_input_names_the_field_and_stores_nothing(client, login_as, store, field, value, message):
    login_as("employee")
    response = client.post("/listening/remarks/new", data=_form(store.id, **{field: value}))
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert message in text and f'id="{field}-error"' in text
    assert _count() == 0


def test_another_organisations_touchpoint_is_refused(client, login_as, demo, store):
    bank_point = touchpoint(demo["demo-bank"], "store")
    login_as("employee")
    response = client.post("/listening/remarks/new", data=_form(bank_point.id))
    assert response.status_code == 400 and "Choose where it happened" in response.get_data(as_text=True)
    assert _count() == 0


def test_the_owner_teams_manager_closes_it_and_the_employee_reads_the_outcome(client, login_as, store):
    remark = remark_by("employee@retail.example.com", store)
    login_as("manager")
    inbox = client.get("/listening/remarks").get_data(as_text=True)
    assert "The queue at the till was far too long" in inbox
    assert client.post(f"/listening/remarks/{remark.id}/acknowledge").status_code == 302
    empty = client.post(f"/listening/remarks/{remark.id}/close", data={"outcome": " "})
    assert empty.status_code == 400 and "Write what was done" in empty.get_data(as_text=True)
    closed = client.post(f"/listening/remarks/{remark.id}/close",
                         data={"outcome": "A second till opens at lunchtime; call 02 12345678 for details"})
    assert closed.status_code == 302
    db.session.expire_all()
    remark = db.session.get(Remark, remark.id)
    assert remark.status == "closed" and remark.outcome.endswith("call [phone] for details")
    mail = db.session.scalar(select(MailMessage).where(MailMessage.kind == "remark"))
    assert mail.recipient == "employee@retail.example.com"
    client.post("/logout")
    login_as("employee")
    mine = client.get("/listening/remarks/mine").get_data(as_text=True)
    assert "A second till opens at lunchtime" in mine


def test_who_sees_which_remarks(client, login_as, demo, store, make_person):
    invoice = touchpoint(demo["demo-retail"], "invoice", "Servizio clienti/Back office")
    at_store = remark_by("employee@retail.example.com", store, "Store remark")
    at_invoice = remark_by("employee@retail.example.com", invoice, "Invoice remark")
    login_as("manager")  # manages Milano Store: sees the store's remark only
    inbox = client.get("/listening/remarks?show=all").get_data(as_text=True)
    assert "Store remark" in inbox and "Invoice remark" not in inbox
    assert client.get(f"/listening/remarks/{at_invoice.id}").status_code == 404
    assert client.post(f"/listening/remarks/{at_invoice.id}/close", data={"outcome": "x"}).status_code == 404
    client.post("/logout")
    login_as("leader")
    inbox = client.get("/listening/remarks?show=all").get_data(as_text=True)
    assert "Store remark" in inbox and "Invoice remark" in inbox
    client.post("/logout")
    colleague = make_person(demo["demo-retail"], "colleague@retail.example.com")
    assert colleague.id
    client.post("/login", data={"email": "colleague@retail.example.com", "password": "cx-culture-demo"})
    assert client.get("/listening/remarks").status_code == 403
    assert client.get(f"/listening/remarks/{at_store.id}").status_code == 404
    assert "Store remark" not in client.get("/listening/remarks/mine").get_data(as_text=True)


def test_another_organisations_remark_is_404(client, login_as, demo, store):
    remark = remark_by("employee@retail.example.com", store)
    login_as("leader", org="bank")
    assert client.get(f"/listening/remarks/{remark.id}").status_code == 404
    assert client.post(f"/listening/remarks/{remark.id}/acknowledge").status_code == 404
    assert client.post(f"/listening/remarks/{remark.id}/close", data={"outcome": "x"}).status_code == 404
    assert client.get(f"/listening/remarks?touchpoint={store.id}").status_code == 404
    db.session.expire_all()
    assert db.session.get(Remark, remark.id).status == "new"


def test_the_inbox_lists_the_oldest_open_first_and_counts_by_stage(client, login_as, store):
    remark_by("employee@retail.example.com", store, "First thing")
    remark_by("employee@retail.example.com", store, "Second thing")
    login_as("leader")
    text = client.get("/listening/remarks").get_data(as_text=True)
    assert text.index("First thing") < text.index("Second thing")
    assert "By stage and touchpoint" in text


def test_leaders_download_the_remarks_as_csv_and_employees_cannot(client, login_as, store):
    remark_by("employee@retail.example.com", store, "Too long a queue")
    login_as("employee")
    assert client.get("/listening/remarks.csv").status_code == 403
    client.post("/logout")
    login_as("leader")
    response = client.get("/listening/remarks.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert "Too long a queue" in text and "employee@retail" not in text
