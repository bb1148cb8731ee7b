"""The listening area's privacy provider: a person's remarks in their export, unlinked when they are erased."""
from __future__ import annotations

from cxculture.extensions import db
from cxculture.listening import privacy
from cxculture.listening.remarks import close_remark
from cxculture.orgs.service import person_by_email
from tests.listening.helpers import remark_by, touchpoint


def test_a_persons_remarks_are_exported_and_unlinked_on_erasure(app, retail):
    point = touchpoint(retail, "store", "Vendite/Milano Store")
    employee, manager = person_by_email("employee@retail.example.com"), person_by_email("manager@retail.example.com")
    remark = remark_by(employee.email, point, "Card 4111 1111 1111 1111 was charged twice")
    close_remark(remark, manager, "Refund made")
    db.session.commit()
    exported = privacy.export(employee)
    assert exported["remarks_logged"][0]["customer_words"] == "Card [card number] was charged twice"
    assert exported["remarks_logged"][0]["outcome"] == "Refund made"
    assert privacy.export(manager)["remarks_followed_up"] == [
        {"remark": remark.id, "acknowledged": True, "closed": True, "outcome": "Refund made"}]
    assert [e.count for e in privacy.erasure(employee)] == [1]
    privacy.erase(employee, None)
    privacy.erase(manager, None)
    db.session.commit()
    db.session.refresh(remark)
    assert (remark.logged_by_id, remark.acknowledged_by_id, remark.closed_by_id) == (None, None, None)
    assert remark.customer_words.startswith("Card [card number]")
