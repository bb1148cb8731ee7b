"""The café's PDFs: the pre-read brief (hosts and guests) and the summary after the café (hosts)."""
from __future__ import annotations

from datetime import date

from flask import Response, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from ...assessments.action_forms import STATUS_LABELS
from ...auth.access import permission_required
from ...downloads.offer import offer_html
from ...pillars import PILLAR_LABELS
from ..access import GUEST, load_cafe
from ..pages import CafeView, benchmark_chart, cafe_view, culture_trend
from . import bp


def render_cafe_pdf_html(view: CafeView, kind: str, organisation_name: str, language: str,
                         organisation_id: int | None = None) -> str:
    """The HTML WeasyPrint turns into the brief (`kind="brief"`) or the summary (kept apart for tests); with
    the host's `organisation_id`, the pillar trend too."""
    with force_locale(language):
        trend = culture_trend(view, organisation_id, language) if organisation_id is not None else None
        return render_template("cafes/cafe_pdf.html", cafe=view, kind=kind, organisation_name=organisation_name,
                               trend=trend,
                               language=language, pillar_labels={k: str(v) for k, v in PILLAR_LABELS.items()},
                               status_labels={k: str(v) for k, v in STATUS_LABELS.items()}, generated_on=date.today(),
                               benchmark_chart=lambda snapshot, own: benchmark_chart(snapshot, own, language))


def _pdf(view: CafeView, kind: str, language: str, filename: str) -> Response:
    html = render_cafe_pdf_html(view, kind, current_user.organisation.name, language, current_user.organisation_id)
    title = _("Café brief: %(title)s") if kind == "brief" else _("Café summary: %(title)s")
    return offer_html(html, title=title % {"title": view.title}, filename=filename)


@bp.get("/<int:cafe_id>/brief.pdf")
@permission_required("leader")
def download_brief(cafe_id: int):
    cafe, role = load_cafe(cafe_id, allow_guest=True)
    view = cafe_view(cafe, role, current_user)
    # A guest reads it in their own organisation's language; the host in the café's.
    language = current_user.organisation.default_language if role == GUEST else cafe.language
    return _pdf(view, "brief", language, f"cafe-{cafe.id}-brief.pdf")


@bp.get("/<int:cafe_id>/summary.pdf")
@permission_required("leader")
def download_summary(cafe_id: int):
    cafe, role = load_cafe(cafe_id)
    return _pdf(cafe_view(cafe, role, current_user), "summary", cafe.language, f"cafe-{cafe.id}-summary.pdf")
