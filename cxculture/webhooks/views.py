"""Administrators' pages: subscriptions, their events, secret, pause, test event and delivery log."""
from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..auth.access import get_in_organisation, permission_required
from ..confirming import ask_first, confirmed
from ..extensions import db
from ..refusals import Refused, form_status, show_refusal
from . import service
from .delivery import RETRY_AFTER, queue_test_event
from .forms import SubscriptionForm
from .models import WebhookSubscription

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")


def attention(organisation_id: int) -> list[tuple[str, str, str]]:
    """The administrator's dashboard: subscriptions paused because every delivery failed (title, detail, page)."""
    paused = service.failing_subscriptions(organisation_id)
    return [(_("Webhook paused: %(address)s", address=subscription.url),
             _("every delivery failed for days; fix the receiver, then resume it."),
             url_for("webhooks.show_subscription", subscription_id=subscription.id)) for subscription in paused]


def _secret_page(subscription: WebhookSubscription, secret: str, rotated: bool):
    """The one page that shows a secret: never cached, never shown again."""
    response = make_response(render_template("webhooks/secret.html", subscription=subscription, secret=secret,
                                             rotated=rotated))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("")
@permission_required("admin")
def list_subscriptions():
    organisation_id = current_user.organisation_id
    return render_template("webhooks/list.html", subscriptions=service.subscriptions_of(organisation_id),
                           counts=service.delivery_counts(organisation_id), event_label=service.event_label)


@bp.route("/new", methods=["GET", "POST"])
@permission_required("admin")
def create_subscription():
    form = SubscriptionForm()
    if form.validate_on_submit():
        try:
            subscription, secret = service.create_subscription(current_user.organisation_id, form.values())
        except Refused as refusal:
            db.session.rollback()
            show_refusal(form, refusal)
        else:
            db.session.commit()
            return _secret_page(subscription, secret, rotated=False)
    return render_template("webhooks/form.html", form=form, subscription=None,
                           allow_http=service.loopback_allowed()), form_status(form)


@bp.route("/<int:subscription_id>", methods=["GET", "POST"])
@permission_required("admin")
def show_subscription(subscription_id: int):
    subscription = get_in_organisation(WebhookSubscription, subscription_id)
    form = SubscriptionForm(obj=subscription)
    if form.validate_on_submit():
        try:
            service.update_subscription(subscription, form.values())
        except Refused as refusal:
            db.session.rollback()
            show_refusal(form, refusal)
        else:
            db.session.commit()
            flash(_("Subscription saved."), "success")
            return redirect(url_for("webhooks.show_subscription", subscription_id=subscription.id))
    return render_template("webhooks/show.html", subscription=subscription, form=form,
                           log=service.delivery_log(subscription), event_label=service.event_label,
                           retries=RETRY_AFTER), form_status(form)


@bp.post("/<int:subscription_id>/pause")
@permission_required("admin")
def pause_subscription(subscription_id: int):
    subscription = get_in_organisation(WebhookSubscription, subscription_id)
    service.pause_subscription(subscription)
    db.session.commit()
    flash(_("Paused: no event is sent to %(url)s until you resume it.", url=subscription.url), "success")
    return redirect(url_for("webhooks.show_subscription", subscription_id=subscription.id))


@bp.post("/<int:subscription_id>/resume")
@permission_required("admin")
def resume_subscription(subscription_id: int):
    subscription = get_in_organisation(WebhookSubscription, subscription_id)
    waiting = service.resume_subscription(subscription)
    db.session.commit()
    flash(ngettext("Resumed: %(num)s waiting event will be sent now.", "Resumed: %(num)s waiting events will be "
                   "sent now.", waiting), "success")
    return redirect(url_for("webhooks.show_subscription", subscription_id=subscription.id))


@bp.post("/<int:subscription_id>/test")
@permission_required("admin")
def send_test_event(subscription_id: int):
    subscription = get_in_organisation(WebhookSubscription, subscription_id)
    queue_test_event(subscription)
    db.session.commit()  # the delivery job is asked for once this commits
    flash(_("A test event is on its way: its line in the delivery log shows how the receiver answered."), "success")
    return redirect(url_for("webhooks.show_subscription", subscription_id=subscription.id))


@bp.route("/<int:subscription_id>/rotate", methods=["GET", "POST"])
@permission_required("admin")
def rotate_secret(subscription_id: int):
    subscription = get_in_organisation(WebhookSubscription, subscription_id)
    back = url_for("webhooks.show_subscription", subscription_id=subscription.id)
    if not confirmed():
        return ask_first(
            title=_("Rotate the signing secret of %(url)s?", url=subscription.url), eyebrow=_("Webhooks"),
            eyebrow_url=back,
            consequences=[_("A new secret signs every delivery; it is shown once, on the next page."),
                          _("For one day deliveries carry a signature made with the previous secret too, so the "
                            "receiver keeps working while you give it the new one.")],
            undo=_("This cannot be undone: after that day the previous secret no longer signs anything."),
            button=_("Rotate the secret"), back=back, danger=False)
    secret = service.rotate_secret(subscription)
    db.session.commit()
    return _secret_page(subscription, secret, rotated=True)


@bp.route("/<int:subscription_id>/delete", methods=["GET", "POST"])
@permission_required("admin")
def delete_subscription(subscription_id: int):
    subscription = get_in_organisation(WebhookSubscription, subscription_id)
    url = subscription.url
    back = url_for("webhooks.show_subscription", subscription_id=subscription.id)
    if not confirmed():
        return ask_first(
            title=_("Delete the subscription of %(url)s?", url=url), eyebrow=_("Webhooks"), eyebrow_url=back,
            consequences=[_("No event is sent to this address any more; events waiting to be sent are dropped."),
                          _("Its delivery log is deleted with it.")],
            undo=_("This cannot be undone: to send events there again, add the address again (with a new secret)."),
            button=_("Delete the subscription"), back=back)
    service.delete_subscription(subscription)
    db.session.commit()
    flash(_("Subscription deleted: nothing more is sent to %(url)s.", url=url), "success")
    return redirect(url_for("webhooks.list_subscriptions"))
