"""Deep Linking 2.0: what a course author can place (a module, a path, a campaign) and the signed answer."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import url_for
from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem
from sqlalchemy import select

from ..assessments.models import FULL, Campaign
from ..extensions import db
from ..modules.models import Module, TrainingPath
from ..orgs.models import JobRole
from ..util import utcnow
from .models import LtiLaunch
from .tool import LaunchRefused, pylti_registration

#: How long after the launch a course author may still pick content.
PICKER_HOURS = 2
SETTINGS_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
DEPLOYMENT_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"


@dataclass
class Choice:
    value: str  # "module:slug", "path:12", "campaign:3"
    kind: str
    title: str
    detail: str = ""


def content_choices(organisation_id: int, language: str) -> list[Choice]:
    """Everything the organisation can place in a course, modules first."""
    choices = []
    for module in db.session.scalars(select(Module).where(Module.retired_at.is_(None)).order_by(Module.slug)):
        version = module.current
        choices.append(Choice(f"module:{module.slug}", "module", version.text("title", language),
                              str(version.minutes)))
    for path, role in db.session.execute(
            select(TrainingPath, JobRole).join(JobRole, TrainingPath.job_role_id == JobRole.id)
            .where(TrainingPath.organisation_id == organisation_id).order_by(JobRole.name_en)):
        choices.append(Choice(f"path:{path.id}", "path", role.name(language)))
    for campaign in db.session.scalars(select(Campaign).where(Campaign.organisation_id == organisation_id,
                                                              Campaign.kind == FULL,
                                                              Campaign.status.in_(("draft", "open")))
                                       .order_by(Campaign.opens_on.desc())):
        choices.append(Choice(f"campaign:{campaign.id}", "campaign", campaign.title))
    return choices


@dataclass
class DeepLinkAnswer:
    return_url: str
    jwt: str


def answer_deep_link(launch: LtiLaunch, choice: Choice) -> DeepLinkAnswer:
    """The signed LtiDeepLinkingResponse placing `choice`; a launch is answered once."""
    if launch.answered_at is not None:
        raise LaunchRefused("answered", "this content picker was already used; open it again from the course")
    if launch.created_at < utcnow() - timedelta(hours=PICKER_HOURS):
        raise LaunchRefused("expired", f"the content picker was opened more than {PICKER_HOURS} hours ago")
    settings = launch.claims.get(SETTINGS_CLAIM) or {}
    return_url = settings.get("deep_link_return_url")
    if not return_url:
        raise LaunchRefused("deep-link", "the platform sent no deep_link_return_url")
    resource = (DeepLinkResource().set_type("ltiResourceLink").set_title(choice.title)
                .set_url(url_for("lms.launch", _external=True)).set_custom_params({"target": choice.value}))
    if choice.kind == "module":
        resource.set_lineitem(LineItem().set_score_maximum(100).set_label(choice.title)
                              .set_resource_id(choice.value).set_tag("cxculture-quiz"))
    link = DeepLink(pylti_registration(launch.registration), launch.claims[DEPLOYMENT_CLAIM], settings)
    launch.answered_at = utcnow()
    db.session.flush()
    return DeepLinkAnswer(return_url, link.get_response_jwt([resource]))
