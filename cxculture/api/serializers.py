"""What the API answers: each area's rows and results (assessments.results.summary's, already suppressed) as
plain JSON values; no ORM object leaves here."""
from __future__ import annotations

from datetime import date, datetime

from ..pillars import PILLARS


def when(value: date | datetime | None) -> str | None:
    """A date as ISO 8601; a stored time (naive UTC) with its "Z"."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat() + "Z"
    return value.isoformat()


def person(row, team_paths: dict[int, str], role_keys: dict[int, str]) -> dict:
    return {"id": row.id, "email": row.email, "name": row.name, "active": row.active,
            "team_id": row.team_id, "team": team_paths.get(row.team_id),
            "job_role": role_keys.get(row.job_role_id), "manager_id": row.manager_id,
            "permissions": sorted(row.permissions)}


def team(row, team_paths: dict[int, str]) -> dict:
    return {"id": row.id, "name": row.name, "path": team_paths.get(row.id, row.name), "parent_id": row.parent_id}


def progress(row) -> dict:
    return {"id": row.id, "person_id": row.person_id, "module": row.module.slug,
            "module_version": row.module_version.version,
            "status": "completed" if row.completed_at else "in_progress", "score": row.best_score,
            "lessons_done": len(row.lessons_done or []), "started_at": when(row.started_at),
            "completed_at": when(row.completed_at)}


def certificate(row) -> dict:
    return {"id": row.id, "code": row.code, "person_id": row.person_id, "job_role": row.role_name_en,
            "modules": row.modules, "issued_at": when(row.issued_at)}


def action_item(row) -> dict:
    return {"id": row.id, "title": row.title, "pillar": row.pillar, "status": row.status,
            "due_date": when(row.due_date), "owner_id": row.owner_id, "team_id": row.team_id,
            "campaign_id": row.campaign_id, "created_at": when(row.created_at)}


def kpi_value(row) -> dict:
    return {"id": row.id, "kpi": row.kpi.key, "period": row.period, "person_id": row.person_id,
            "team_id": row.team_id, "value": row.value, "answers": row.answers, "updated_at": when(row.updated_at)}


def campaign(row) -> dict:
    return {"id": row.id, "title": row.title, "status": row.status, "opens_on": when(row.opens_on),
            "closes_on": when(row.closes_on)}


def figure(shown) -> dict:
    """A group's figure; a hidden one says only that it is hidden (no number at all, not even its n)."""
    if shown.hidden:
        return {"hidden": True}
    if shown.too_few_scored:
        return {"hidden": False, "too_few_scored": True, "dont_know": shown.dont_know,
                "dont_know_percent": shown.dont_know_percent}
    return {"hidden": False, "score": shown.score, "favourable_percent": shown.favourable,
            "neutral_percent": shown.neutral, "unfavourable_percent": shown.unfavourable,
            "respondents": shown.respondents, "small_sample": shown.small_sample, "dont_know": shown.dont_know}


def _heatmap(rows, key_name: str) -> list[dict]:
    return [{key_name: row.key, "label": row.label, "hidden": row.hidden,
             "respondents": None if row.hidden else row.respondents,
             "pillars": {} if row.hidden else {p: figure(cell) for p, cell in zip(PILLARS, row.cells, strict=True)}}
            for row in rows]


def campaign_results(result) -> dict:
    """A campaign's results as the leadership's page shows them: hidden groups stay hidden."""
    return {
        "campaign_id": result.campaign_id, "title": result.title, "status": result.status,
        "closes_on": when(result.closes_on), "threshold": result.threshold, "visible": result.visible,
        "respondents": result.respondents if result.visible else None,
        "invited": result.invited if result.visible else None,
        "pillars": [{"pillar": p.key, **figure(p.figure)} for p in result.pillars],
        "teams": _heatmap(result.team_rows, "team_id"),
        "job_roles": _heatmap(result.role_rows, "job_role_id"),
        "items": [{"pillar": group.key, "item": item.key, "text": item.text, **figure(item.figure)}
                  for group in result.items for item in group.items],
    }


def _line(line) -> dict:
    return {"kpi": line.key, "name": line.name, "unit": line.unit, "better": line.better, "value": line.value,
            "previous": line.previous, "weight": line.weight, "target": line.target, "threshold": line.threshold,
            "status": line.status, "trend": line.trend, "answers": line.answers, "small_sample": line.small_sample}


def scorecard(card) -> dict:
    """A person's scorecard as the scorecard pages and PDFs show it: the culture snapshot only when the team's
    figure is shown there (above the anonymity threshold)."""
    culture = None
    if card.culture is not None:
        culture = {"campaign": card.culture.campaign, "team": card.culture.team, "hidden": not card.culture.visible}
        if card.culture.visible:
            culture["pillars"] = dict(card.culture.pillars)
    training = None
    if card.training is not None:
        training = {"required_done": card.training.required_done, "required_total": card.training.required_total,
                    "percent": card.training.percent, "overdue": card.training.overdue}
    return {"person_id": card.person_id, "team_id": card.team_id, "team": card.team, "job_role": card.job_role,
            "period": card.period, "previous_period": card.previous_period, "plan": card.plan,
            "kpis": [_line(line) for line in card.lines], "also_measured": [_line(line) for line in card.also_measured],
            "met": card.met, "weight_met": card.weight_met, "training": training, "culture": culture,
            "reward_conflicts": [{"kpi": note.kpi, "behaviour": note.behaviour} for note in card.conflicts]}
