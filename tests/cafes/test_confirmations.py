"""A café's destructive actions ask first: removing an agenda item or a decision, publishing a decision to every
employee, withdrawing a guest's invitation. A POST without the confirmation changes nothing (400)."""
from __future__ import annotations

import pytest

from cxculture.cafes.models import AgendaItem, CafeDecision, CafeInvitation
from cxculture.extensions import db
from cxculture.orgs.service import person_by_email


@pytest.fixture
def host(client, login_as, cafe):
    person_by_email("leader@retail.example.com").language = "en"
    db.session.commit()
    login_as("leader")
    return cafe


def _secret(cafe):
    return next(d for d in cafe.decisions if not d.published)


@pytest.mark.parametrize("what", ["remove an item", "remove a decision", "publish a decision", "withdraw a guest"])
def test_a_cafe_action_asks_first(client, host, what):
    cafe = host
    base = f"/leadership/cafes/{cafe.id}"
    item, secret, invitation = cafe.agenda[0].id, _secret(cafe).id, cafe.invitations[0].id
    url, sentence, data, state = {
        "remove an item": (f"{base}/agenda/{item}/remove", "Its decisions and action items stay with the café",
                           {}, lambda: db.session.get(AgendaItem, item) is not None),
        "remove a decision": (f"{base}/decisions/{secret}/remove", "deleted from the café&#39;s record", {},
                              lambda: db.session.get(CafeDecision, secret) is not None),
        "publish a decision": (f"{base}/decisions/{secret}/publish?published=1", "Every employee of the",
                               {"published": "1"},
                               lambda: db.session.get(CafeDecision, secret).published),
        "withdraw a guest": (f"{base}/guests/withdraw?invitation_id={invitation}", "they lose their seat",
                             {"invitation_id": invitation},
                             lambda: db.session.get(CafeInvitation, invitation) is not None),
    }[what]
    before = state()
    page = client.get(url)
    assert page.status_code == 200 and sentence in page.get_data(as_text=True)
    bare = client.post(url.split("?")[0], data=data)
    assert bare.status_code == 400 and "Nothing has been changed yet" in bare.get_data(as_text=True)
    db.session.expire_all()
    assert state() == before
    assert client.post(url.split("?")[0], data={**data, "confirm": "yes"}).status_code == 302
    db.session.expire_all()
    assert state() != before
