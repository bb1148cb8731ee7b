"""The reward-alignment review for HR: on the page and as an A4 PDF in the reader's language."""
from __future__ import annotations

from dataclasses import asdict
from datetime import date

from flask import render_template
from flask_babel import gettext as _
from flask_login import current_user

from ...auth.access import permission_required
from ...downloads.offer import offer_html
from ...i18n import current_language
from ...pillars import PILLAR_LABELS, PILLARS
from .. import plan_changes
from ..alignment import CUSTOMER_SHARE_GOAL, REWARDS_PILLAR_CONCERN, AlignmentReview, alignment_review
from ..labels import CATEGORY_LABELS
from ..models import CATEGORIES
from ..periods import Period
from . import bp
from .plans import chosen_period, weight_chart


def review_context(review: AlignmentReview, chart_prefix: str) -> dict:
    """The review as plain values (dicts, lists, strings, numbers) and ready-made SVG charts, for page and PDF."""
    plans = []
    for plan in review.plans:
        plans.append({
            "id": plan.plan_id, "title": plan.title, "job_role": plan.job_role, "period": plan.period,
            "weights": [{"category": c, "label": str(CATEGORY_LABELS[c]), "weight": plan.weights[c]}
                        for c in CATEGORIES],
            "total": plan.total_weight, "complete": plan.weights_complete,
            "customer_share": plan.customer_share, "other_share": plan.other_share,
            "below_goal": plan.customer_share < CUSTOMER_SHARE_GOAL, "leans_away": plan.leans_away,
            "conflicts": [asdict(c) | {"pillar_label": str(PILLAR_LABELS.get(c.pillar, c.pillar))}
                          for c in plan.conflicts],
            "conflicting_weight": plan.conflicting_weight,
            "alternatives": [asdict(a) for a in plan.alternatives],
            "suggestions": list(plan.suggestions),
            "chart": str(weight_chart([plan], _("Weight by category: %(plan)s", plan=plan.job_role),
                                      f"{chart_prefix}-plan-{plan.plan_id}")) if plan.total_weight else "",
        })
    unrewarded = []
    for pillar in PILLARS:
        behaviours = [{"name": b.name, "measured_by": list(b.measured_by)}
                      for b in review.unrewarded if b.pillar == pillar]
        if behaviours:
            unrewarded.append({"pillar": pillar, "label": str(PILLAR_LABELS[pillar]), "behaviours": behaviours})
    pillar = review.rewards_pillar
    return {
        "period": review.period,
        "plans": plans,
        "unrewarded": unrewarded,
        "unrewarded_count": len(review.unrewarded),
        "conflict_count": len(review.conflicts),
        "leaning_count": sum(1 for p in plans if p["leans_away"]),
        "rewards_pillar": asdict(pillar) if pillar else None,
        "rewards_concern": bool(pillar and pillar.visible and pillar.score is not None
                                and pillar.score < REWARDS_PILLAR_CONCERN),
        "suggestions": list(review.suggestions),
        "customer_goal": CUSTOMER_SHARE_GOAL,
        "concern_score": REWARDS_PILLAR_CONCERN,
    }


def _review_period() -> tuple[str, list[Period]]:
    organisation_id = current_user.organisation_id
    periods = plan_changes.plan_periods(organisation_id)
    period = chosen_period(organisation_id, periods)
    if Period.parse(period) not in periods:
        periods = sorted({*periods, Period.parse(period)}, reverse=True)
    return period, periods


@bp.get("/hr/alignment")
@permission_required("hr")
def show_review():
    period, periods = _review_period()
    review = alignment_review(current_user.organisation_id, period, current_language())
    return render_template("kpis/review_page.html", review=review_context(review, "page"), period=period,
                           periods=periods, language=current_language())


@bp.get("/hr/alignment.pdf")
@permission_required("hr")
def export_review_pdf():
    period, _periods = _review_period()
    html = render_review_pdf_html(period)
    filename = f"{current_user.organisation.slug}-reward-alignment-{period}.pdf"
    return offer_html(html, title=_("Reward alignment review %(period)s", period=period), filename=filename)


def render_review_pdf_html(period: str) -> str:
    """The HTML WeasyPrint turns into the review (kept apart so tests can read it)."""
    review = alignment_review(current_user.organisation_id, period, current_language())
    return render_template(
        "kpis/review_pdf.html",
        review=review_context(review, "pdf"),
        organisation_name=current_user.organisation.name,
        language=current_language(),
        generated_on=date.today(),
    )
