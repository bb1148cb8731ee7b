"""One way to refuse: the shared `Refused`, how a form shows it, and the status a form page answers."""
from __future__ import annotations

import pytest
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired

from cxculture.refusals import Refused, form_status, refuse_if, show_refusal


class NameForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Write a name.")])
    day = StringField("Day")


def test_a_refusal_keeps_each_field_message_and_reads_as_one_line():
    refused = Refused({"name": "Too long.", None: "Nothing was saved."}, "too-long", codes={"name": "too-long"})
    assert refused.errors == {"name": "Too long.", None: "Nothing was saved."}
    assert refused.message == str(refused) == "Too long. Nothing was saved."
    assert refused.code == "too-long" and refused.codes == {"name": "too-long"}


def test_a_single_message_is_about_the_whole_request():
    refused = Refused("The campaign is closed.", "closed", campaign_id=3)
    assert refused.errors == {None: "The campaign is closed."}
    assert refused.details == {"campaign_id": 3} and refused.codes == {}


def test_refuse_if_raises_only_when_there_is_something_to_say():
    refuse_if({})
    with pytest.raises(Refused) as raised:
        refuse_if({"name": "Write a name."})
    assert raised.value.errors == {"name": "Write a name."}


def test_messages_go_beside_their_field_and_the_rest_above_the_form(app):
    with app.test_request_context(method="POST", data={"name": "Ada", "day": ""}):
        form = NameForm()
        assert form.validate_on_submit() and form_status(form) == 200
        show_refusal(form, Refused({"name": "Already taken.", "starts_at": "Choose a day.", None: "Try again."}),
                     fields={"starts_at": "day"})
        assert form.name.errors == ["Already taken."]
        assert form.day.errors == ["Choose a day."]  # the service's name, renamed to the form's
        assert form.form_errors == ["Try again."]
        assert form_status(form) == 400


def test_a_form_page_answers_400_when_its_own_validators_refuse(app):
    with app.test_request_context(method="POST", data={"name": ""}):
        form = NameForm()
        assert not form.validate_on_submit()
        assert form_status(form) == 400
    with app.test_request_context(method="GET"):
        assert form_status(NameForm()) == 200
