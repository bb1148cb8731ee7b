"""SCIM 2.0 provisioning (RFC 7643, 7644): what an identity provider's Users and Groups requests do to the roster.

People are Users (`userName` is what the provider calls them; the e-mail address is the account's), teams are
Groups (a person is a member of their one team). Every change goes through the same checks as an administrator's
(`orgs.operations`) and leaves the same audit records. The provider never grants permissions: a new person is an
employee, and what an administrator granted stays.

The safety stop: within a day, deactivations (or e-mail changes) beyond the organisation's share of its active
people (default 40%) are not made. The request is refused as a whole (503 with Retry-After, so the provider tries
again) and the change waits for an administrator, who applies or discards everything that waits. While anything
waits, every further deactivation and e-mail change waits too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from ..audit import record
from ..extensions import db
from ..mail import queue_mails
from ..orgs.models import Organisation, Permission, Person, PersonPermission, Team
from ..orgs.operations import (
    PersonDetails,
    create_person,
    create_team,
    delete_team,
    update_person,
    update_team,
)
from ..orgs.recipients import recipient_of
from ..orgs.service import person_by_email
from ..refusals import Refused
from ..secret_tokens import digest, hint, new_secret
from ..util import utcnow
from .models import (
    APPLIED,
    DEACTIVATE,
    DISCARDED,
    EMAIL,
    WAITING,
    ScimGroup,
    ScimHeldChange,
    ScimSettings,
    ScimUser,
)

TOKEN_PREFIX = "cxscim"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
#: The window the safety stop counts changes in.
SAFETY_WINDOW = timedelta(days=1)
#: How long the provider is told to wait before trying a held request again.
RETRY_AFTER_SECONDS = 3600


class ScimError(Exception):
    """A request SCIM refuses: `status` (400, 404, 409...), `scim_type` (RFC 7644 3.12) and a readable detail."""

    def __init__(self, status: int, detail: str, scim_type: str | None = None):
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, detail, scim_type


class Held(Exception):
    """The safety stop keeps these changes back: [(person id, kind, new e-mail or None)]."""

    def __init__(self, changes: list[tuple[int, str, str | None]]):
        super().__init__("held for an administrator")
        self.changes = changes


# Settings and token --------------------------------------------------------------------------------------------

def settings_of(organisation_id: int) -> ScimSettings:
    settings = db.session.get(ScimSettings, organisation_id)
    if settings is None:
        settings = ScimSettings(organisation_id=organisation_id)
        db.session.add(settings)
        db.session.flush()
    return settings


def issue_token(organisation: Organisation) -> str:
    """A new provisioning token for `organisation` (the one before stops working); returns it in plain, once."""
    settings = settings_of(organisation.id)
    plain, stored = new_secret(TOKEN_PREFIX)
    replaced = settings.token_digest is not None
    settings.token_digest, settings.token_hint = stored, hint(plain)
    settings.token_created_at, settings.token_last_used_at = utcnow(), None
    record("scim.token_created", target=organisation, details={"hint": settings.token_hint, "replaced": replaced})
    return plain


def revoke_token(organisation: Organisation) -> None:
    settings = settings_of(organisation.id)
    if settings.token_digest is None:
        return
    record("scim.token_revoked", target=organisation, details={"hint": settings.token_hint})
    settings.token_digest = settings.token_hint = settings.token_created_at = settings.token_last_used_at = None


def organisation_for_token(plain: str | None) -> Organisation | None:
    """The organisation whose provisioning token this is (None for none, a revoked or a wrong one)."""
    if not plain or not plain.startswith(f"{TOKEN_PREFIX}_"):
        return None
    settings = db.session.scalar(select(ScimSettings).where(ScimSettings.token_digest == digest(plain)))
    if settings is None:
        return None
    now = utcnow()
    if settings.token_last_used_at is None or now - settings.token_last_used_at > timedelta(minutes=1):
        settings.token_last_used_at = now
    return db.session.get(Organisation, settings.organisation_id)


def set_safety_share(organisation: Organisation, share: int) -> None:
    settings = settings_of(organisation.id)
    if settings.safety_share != share:
        record("scim.settings", target=organisation, before={"safety_share": settings.safety_share},
               after={"safety_share": share})
        settings.safety_share = share


# The safety stop -----------------------------------------------------------------------------------------------

def waiting_changes(organisation_id: int) -> list[ScimHeldChange]:
    return list(db.session.scalars(
        select(ScimHeldChange).where(ScimHeldChange.organisation_id == organisation_id,
                                     ScimHeldChange.status == WAITING).order_by(ScimHeldChange.id)
    ))


def safety_limit(organisation_id: int) -> int:
    """How many deactivations (and, apart, e-mail changes) a day may bring before the rest wait: the share of the
    people active when the day began (those active now and those SCIM deactivated since)."""
    active = db.session.scalar(
        select(func.count(Person.id)).where(Person.organisation_id == organisation_id, Person.active.is_(True))
    ) or 0
    active += _applied_today(organisation_id, DEACTIVATE)
    return max(1, active * settings_of(organisation_id).safety_share // 100)


def _applied_today(organisation_id: int, kind: str) -> int:
    return db.session.scalar(select(func.count(ScimHeldChange.id)).where(
        ScimHeldChange.organisation_id == organisation_id, ScimHeldChange.kind == kind,
        ScimHeldChange.held.is_(False), ScimHeldChange.requested_at >= utcnow() - SAFETY_WINDOW,
    )) or 0


def _pass_safety_stop(person: Person, kind: str, new_email: str | None = None) -> None:
    """Count a deactivation or an e-mail change made now; raise Held when the stop keeps it back."""
    organisation_id = person.organisation_id
    waiting = db.session.scalar(select(ScimHeldChange.id).where(
        ScimHeldChange.organisation_id == organisation_id, ScimHeldChange.status == WAITING).limit(1))
    if waiting is not None or _applied_today(organisation_id, kind) + 1 > safety_limit(organisation_id):
        raise Held([(person.id, kind, new_email)])
    db.session.add(ScimHeldChange(organisation_id=organisation_id, person_id=person.id, kind=kind,
                                  new_email=new_email, held=False, status=APPLIED, decided_at=utcnow()))


def hold(organisation_id: int, held: Held) -> int:
    """Record what the stop kept back (once, however often the provider sends it); returns how many now wait.
    The first change to wait e-mails the organisation's administrators."""
    if not waiting_changes(organisation_id):
        _mail_administrators(organisation_id)
    for person_id, kind, new_email in held.changes:
        exists = db.session.scalar(select(ScimHeldChange.id).where(
            ScimHeldChange.organisation_id == organisation_id, ScimHeldChange.person_id == person_id,
            ScimHeldChange.kind == kind, ScimHeldChange.status == WAITING))
        if exists is None:
            db.session.add(ScimHeldChange(organisation_id=organisation_id, person_id=person_id, kind=kind,
                                          new_email=new_email))
        elif kind == EMAIL:
            db.session.get(ScimHeldChange, exists).new_email = new_email
    db.session.flush()
    return len(waiting_changes(organisation_id))


def _mail_administrators(organisation_id: int) -> None:
    admins = db.session.scalars(select(Person).join(PersonPermission).where(
        Person.organisation_id == organisation_id, Person.active.is_(True), Person.erased_at.is_(None),
        PersonPermission.name == Permission.ADMIN.value))
    queue_mails([(recipient_of(admin), {}) for admin in admins], "provisioning", "provisioning_held",
                _l("Provisioning paused: changes wait for you"))


def apply_waiting(organisation: Organisation) -> int:
    """Make every change that waits (an address someone took meanwhile is refused, and nothing is made)."""
    changes = waiting_changes(organisation.id)
    now = utcnow()
    for change in changes:
        person = change.person
        if change.kind == DEACTIVATE and person.active:
            update_person(person, replace(_details_of(person), active=False), None)
        elif change.kind == EMAIL and change.new_email and change.new_email != person.email:
            update_person(person, replace(_details_of(person), email=change.new_email), None)
        change.status, change.decided_at = APPLIED, now
    if changes:
        record("scim.held_applied", target=organisation, details=_held_summary(changes))
    db.session.flush()
    return len(changes)


def discard_waiting(organisation: Organisation) -> int:
    changes = waiting_changes(organisation.id)
    now = utcnow()
    for change in changes:
        change.status, change.decided_at = DISCARDED, now
    if changes:
        record("scim.held_discarded", target=organisation, details=_held_summary(changes))
    db.session.flush()
    return len(changes)


def _held_summary(changes: list[ScimHeldChange]) -> dict:
    return {"deactivations": sum(c.kind == DEACTIVATE for c in changes),
            "email_changes": sum(c.kind == EMAIL for c in changes),
            "people": sorted(c.person.email for c in changes)}


# Users ---------------------------------------------------------------------------------------------------------

def _details_of(person: Person) -> PersonDetails:
    return PersonDetails(email=person.email, name=person.name, language=person.language,
                         job_role_id=person.job_role_id, team_id=person.team_id, manager_id=person.manager_id,
                         permissions=tuple(sorted(person.permissions)), active=person.active)


def _deleted(person_id: int) -> bool:
    row = db.session.get(ScimUser, person_id)
    return row is not None and row.deleted_at is not None


def scim_user(person: Person) -> ScimUser:
    row = db.session.get(ScimUser, person.id)
    if row is None:
        row = ScimUser(person_id=person.id, organisation_id=person.organisation_id)
        db.session.add(row)
    return row


def user_name(person: Person) -> str:
    row = db.session.get(ScimUser, person.id)
    return row.user_name if row is not None and row.user_name else person.email


def external_id(row_model, key: int) -> str | None:
    row = db.session.get(row_model, key)
    return row.external_id if row is not None else None


def _group_row(team: Team) -> ScimGroup:
    row = db.session.get(ScimGroup, team.id)
    if row is None:
        row = ScimGroup(team_id=team.id)
        db.session.add(row)
    return row


def get_user(organisation: Organisation, user_id: str) -> Person:
    person = _in_organisation(Person, organisation, user_id)
    if person is None or person.erased_at is not None or _deleted(person.id):
        raise ScimError(404, f"No user has the id {user_id}.")
    return person


def get_group(organisation: Organisation, group_id: str) -> Team:
    team = _in_organisation(Team, organisation, group_id)
    if team is None:
        raise ScimError(404, f"No group has the id {group_id}.")
    return team


def _in_organisation(model, organisation: Organisation, raw_id: str):
    if not re.fullmatch(r"[1-9][0-9]{0,17}", raw_id or ""):
        return None
    row = db.session.get(model, int(raw_id))
    return row if row is not None and row.organisation_id == organisation.id else None


_FILTER = re.compile(r'^\s*([A-Za-z][\w.:\[\]" ]*?)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$', re.IGNORECASE)


def parse_filter(text: str | None, allowed: dict[str, str]) -> tuple[str, str] | None:
    """(attribute, value) of an `attribute eq "value"` filter (what Entra ID and Okta send), None for no filter."""
    if not text:
        return None
    match = _FILTER.match(text)
    attribute = match and allowed.get(match.group(1).replace(" ", "").lower())
    if not attribute:
        names = ", ".join(sorted(set(allowed.values())))
        raise ScimError(400, f'Only filters of the form attribute eq "value" are supported, on {names}.',
                        "invalidFilter")
    return attribute, match.group(2).replace('\\"', '"').replace("\\\\", "\\")


USER_FILTERS = {"username": "userName", "externalid": "externalId", "id": "id", "emails.value": "emails",
                'emails[typeeq"work"].value': "emails", "emails[primaryeqtrue].value": "emails"}
GROUP_FILTERS = {"displayname": "displayName", "externalid": "externalId", "id": "id"}


def list_users(organisation: Organisation, filter_text: str | None, start: int, count: int
               ) -> tuple[int, list[Person]]:
    query = select(Person).where(Person.organisation_id == organisation.id, Person.erased_at.is_(None),
                                 ~_deleted_ids())
    condition = parse_filter(filter_text, USER_FILTERS)
    if condition:
        attribute, value = condition
        if attribute == "id":
            query = query.where(Person.id == (int(value) if value.isdigit() and len(value) < 18 else -1))
        elif attribute == "externalId":
            query = query.where(Person.id.in_(select(ScimUser.person_id).where(ScimUser.external_id == value)))
        elif attribute == "userName":
            named = select(ScimUser.person_id).where(ScimUser.user_name.is_not(None))
            query = query.where(or_(Person.id.in_(select(ScimUser.person_id).where(ScimUser.user_name == value)),
                                    Person.id.not_in(named) & (Person.email == value.strip().lower())))
        else:
            query = query.where(Person.email == value.strip().lower())
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    people = list(db.session.scalars(query.order_by(Person.id).offset(start - 1).limit(count)))
    return total, people


def list_groups(organisation: Organisation, filter_text: str | None, start: int, count: int
                ) -> tuple[int, list[Team]]:
    query = select(Team).where(Team.organisation_id == organisation.id)
    condition = parse_filter(filter_text, GROUP_FILTERS)
    if condition:
        attribute, value = condition
        if attribute == "id":
            query = query.where(Team.id == (int(value) if value.isdigit() and len(value) < 18 else -1))
        elif attribute == "externalId":
            query = query.where(Team.id.in_(select(ScimGroup.team_id).where(ScimGroup.external_id == value)))
        else:
            query = query.where(Team.name == value)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    return total, list(db.session.scalars(query.order_by(Team.id).offset(start - 1).limit(count)))


def _deleted_ids():
    return select(ScimUser.person_id).where(ScimUser.person_id == Person.id, ScimUser.deleted_at.is_not(None)).exists()


@dataclass
class UserValues:
    """What a User resource says, in the roster's terms (None: not said)."""

    user_name: str | None = None
    email: str | None = None
    name: str | None = None
    active: bool | None = None
    language: str | None = None
    language_given: bool = False
    #: As the provider sent them: (given name, family name), the language tag.
    name_parts: tuple[str | None, str | None] | None = None
    language_tag: str | None = None
    external_id: str | None = None
    external_id_given: bool = False
    manager_id: str | None = None
    manager_given: bool = False


def _text(value, attribute: str, limit: int = 254) -> str:
    if not isinstance(value, str):
        raise ScimError(400, f"{attribute} must be a string.", "invalidValue")
    if len(value) > limit:
        raise ScimError(400, f"{attribute} is longer than {limit} characters.", "invalidValue")
    return value.strip()


def _boolean(value, attribute: str) -> bool:
    """Entra ID sends "True"/"False" as strings in PATCH; JSON booleans everywhere else."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ScimError(400, f"{attribute} must be true or false.", "invalidValue")


def _language(value) -> str | None:
    """en and it (any region) are the languages people may read; anything else follows the organisation."""
    if not value:
        return None
    code = _text(value, "preferredLanguage", 64).replace("_", "-").split("-")[0].split(",")[0].lower()
    return code if code in ("en", "it") else None


def _email_of(emails) -> str | None:
    if emails is None:
        return None
    if not isinstance(emails, list) or not all(isinstance(e, dict) for e in emails):
        raise ScimError(400, "emails must be a list of objects with a value.", "invalidValue")
    chosen = (next((e for e in emails if e.get("primary") is True), None)
              or next((e for e in emails if str(e.get("type", "")).lower() == "work"), None)
              or (emails[0] if emails else None))
    return _text(chosen.get("value", ""), "emails.value").lower() if chosen else None


def _name_of(name) -> str | None:
    if name is None:
        return None
    if not isinstance(name, dict):
        raise ScimError(400, "name must be an object (givenName, familyName, formatted).", "invalidValue")
    if name.get("formatted"):
        return _text(name["formatted"], "name.formatted", 200)
    parts = [_text(name.get(key) or "", f"name.{key}", 200) for key in ("givenName", "familyName")]
    return " ".join(part for part in parts if part) or None


def user_values(payload: dict, *, full: bool) -> UserValues:
    """The roster's values from a User resource (POST, PUT: `full`) or from a PATCH's attribute values."""
    if not isinstance(payload, dict):
        raise ScimError(400, "The request body must be a JSON object.", "invalidSyntax")
    values = UserValues()
    lowered = {key.lower(): value for key, value in payload.items()}
    if "username" in lowered:
        values.user_name = _text(lowered["username"], "userName") or None
    values.email = _email_of(lowered.get("emails"))
    values.name = (_text(lowered["displayname"], "displayName", 200) if lowered.get("displayname")
                   else _name_of(lowered.get("name")))
    if isinstance(lowered.get("name"), dict):
        parts = lowered["name"]
        values.name_parts = tuple(_text(parts[key], f"name.{key}", 200) if parts.get(key) else None
                                  for key in ("givenName", "familyName"))
    if "active" in lowered:
        values.active = _boolean(lowered["active"], "active")
    if "preferredlanguage" in lowered or "locale" in lowered:
        values.language_given = True
        tag = lowered.get("preferredlanguage") or lowered.get("locale")
        values.language = _language(tag)
        values.language_tag = _text(tag, "preferredLanguage", 64) if tag else None
    if "externalid" in lowered:
        values.external_id_given = True
        values.external_id = _text(lowered["externalid"], "externalId", 255) if lowered["externalid"] else None
    enterprise = payload.get(ENTERPRISE_SCHEMA)
    if isinstance(enterprise, dict) and "manager" in enterprise:
        values.manager_given = True
        manager = enterprise["manager"]
        values.manager_id = manager.get("value") if isinstance(manager, dict) else (manager or None)
    if full:
        if not values.user_name:
            raise ScimError(400, "userName is required.", "invalidValue")
        if values.active is None:
            values.active = True
        values.language_given = values.external_id_given = True
    return values


#: Where a refusal from the roster's checks is about, as SCIM names it.
_ATTRIBUTES = {"email": "userName (the e-mail address)", "name": "displayName", "language": "preferredLanguage",
               "manager_id": "manager", "team_id": "groups", "active": "active", "permissions": "permissions"}


def _scim_refusal(refused: Refused) -> ScimError:
    parts, taken = [], False
    for field, message in refused.errors.items():
        parts.append(f"{_ATTRIBUTES.get(field, field)}: {message}" if field else str(message))
        taken = taken or (field == "email" and "already taken" in str(message))
    return ScimError(409 if taken else 400, " ".join(parts), "uniqueness" if taken else "invalidValue")


def _manager(organisation: Organisation, raw) -> int | None:
    if raw in (None, ""):
        return None
    manager = _in_organisation(Person, organisation, str(raw))
    if manager is None or _deleted(manager.id):
        raise ScimError(400, f"manager: no user has the id {raw}.", "invalidValue")
    return manager.id


def _write_user(organisation: Organisation, person: Person | None, values: UserValues) -> Person:
    """Create or change a person from `values`, through the roster's checks and the safety stop."""
    email = values.email or (values.user_name.lower() if values.user_name and "@" in values.user_name else None)
    if person is None:
        if not email:
            raise ScimError(400, "userName or emails must hold the person's e-mail address.", "invalidValue")
        details = PersonDetails(email=email, name=values.name or email.split("@")[0],
                                language=values.language, active=bool(values.active),
                                manager_id=_manager(organisation, values.manager_id) if values.manager_given else None)
        try:
            person = create_person(organisation, details)
        except Refused as refused:
            raise _scim_refusal(refused) from None
    else:
        details = _details_of(person)
        if email and email != person.email:
            _pass_safety_stop(person, EMAIL, email)
            details = replace(details, email=email)
        if values.name:
            details = replace(details, name=values.name)
        if values.language_given:
            details = replace(details, language=values.language)
        if values.manager_given:
            details = replace(details, manager_id=_manager(organisation, values.manager_id))
        if values.active is not None and values.active != person.active:
            if not values.active:
                _pass_safety_stop(person, DEACTIVATE)
            details = replace(details, active=values.active)
        try:
            update_person(person, details, None)
        except Refused as refused:
            raise _scim_refusal(refused) from None
    if values.user_name is not None or values.external_id_given or values.language_given or values.name_parts:
        row = scim_user(person)
        if values.language_given:
            row.preferred_language = values.language_tag
        if values.name_parts is not None:
            row.given_name, row.family_name = values.name_parts
        if values.user_name is not None:
            row.user_name = None if values.user_name.lower() == person.email else values.user_name
        if values.external_id_given:
            row.external_id = values.external_id
    db.session.flush()
    return person


def create_user(organisation: Organisation, payload: dict) -> Person:
    """POST /Users. A person the provider deleted comes back (same account, active again); anyone else with the
    address is a uniqueness conflict, which the provider resolves by asking for them with a filter."""
    values = user_values(payload, full=True)
    email = values.email or (values.user_name.lower() if "@" in values.user_name else None)
    existing = person_by_email(email) if email else None
    if existing is not None and existing.organisation_id == organisation.id and _deleted(existing.id):
        db.session.get(ScimUser, existing.id).deleted_at = None
        return _write_user(organisation, existing, values)
    if existing is not None and existing.organisation_id == organisation.id:
        raise ScimError(409, f"A user with the e-mail address {email} exists already: look it up with a filter "
                             f'(userName eq "{email}").', "uniqueness")
    return _write_user(organisation, None, values)


def replace_user(organisation: Organisation, person: Person, payload: dict) -> Person:
    """PUT /Users/{id}: the attributes the roster keeps are replaced (the rest are not kept here)."""
    return _write_user(organisation, person, user_values(payload, full=True))


def delete_user(person: Person) -> None:
    """DELETE /Users/{id}: deactivated (through the safety stop) and gone for SCIM; erasure stays the privacy
    area's, by the organisation's retention."""
    if person.active:
        _write_user(person.organisation, person, UserValues(active=False))
    scim_user(person).deleted_at = utcnow()
    db.session.flush()


def patch_user(organisation: Organisation, person: Person, body: dict) -> Person:
    """PATCH /Users/{id}: all operations or none (RFC 7644 3.5.2)."""
    merged: dict = {}
    for op, path, value in _operations(body):
        if op == "remove":
            lowered = (path or "").lower()
            if lowered in (ENTERPRISE_SCHEMA.lower(), f"{ENTERPRISE_SCHEMA}:manager".lower()):
                merged.setdefault(ENTERPRISE_SCHEMA, {})["manager"] = None
            elif lowered in ("externalid", "preferredlanguage", "locale"):
                merged[path] = None
            else:
                raise ScimError(400, f"{path} cannot be removed: the roster needs it.", "mutability")
            continue
        if path is None:
            if not isinstance(value, dict):
                raise ScimError(400, "An operation without a path needs an object of attributes as its value.",
                                "invalidValue")
            for key, item in value.items():
                _set_path(merged, key, item)
        else:
            _set_path(merged, path, value)
    return _write_user(organisation, person, user_values(merged, full=False))


def _set_path(merged: dict, path: str, value) -> None:
    """Put a PATCH value in `merged` as a resource would hold it (name.givenName, emails[type eq "work"].value,
    the enterprise extension's manager...)."""
    lowered = path.lower()
    if lowered.startswith(ENTERPRISE_SCHEMA.lower()):
        rest = path[len(ENTERPRISE_SCHEMA):].lstrip(":")
        if isinstance(value, dict) and not rest:
            merged.setdefault(ENTERPRISE_SCHEMA, {}).update(value)
        elif rest.lower() in ("manager", "manager.value"):
            merged.setdefault(ENTERPRISE_SCHEMA, {})["manager"] = value
        return
    if lowered.startswith("emails"):
        merged["emails"] = value if isinstance(value, list) else [{"value": value, "primary": True}]
        return
    if lowered.startswith("name."):
        merged.setdefault("name", {})[path.split(".", 1)[1]] = value
        return
    merged[path] = value


_OPERATIONS = ("add", "replace", "remove")


def _operations(body: dict) -> list[tuple[str, str | None, object]]:
    if not isinstance(body, dict) or not isinstance(body.get("Operations"), list) or not body["Operations"]:
        raise ScimError(400, "A PATCH request needs a non-empty Operations list.", "invalidSyntax")
    operations = []
    for number, operation in enumerate(body["Operations"], start=1):
        op = str(operation.get("op", "")).lower() if isinstance(operation, dict) else ""
        if op not in _OPERATIONS:
            raise ScimError(400, f"Operation {number}: op must be add, replace or remove.", "invalidSyntax")
        path = operation.get("path")
        if path is not None and (not isinstance(path, str) or not path.strip()):
            raise ScimError(400, f"Operation {number}: path must be a non-empty string.", "invalidPath")
        if op == "remove" and path is None:
            raise ScimError(400, f"Operation {number}: remove needs a path.", "noTarget")
        operations.append((op, path.strip() if path else None, operation.get("value")))
    return operations


# Groups (teams) ------------------------------------------------------------------------------------------------

def _group_values(payload: dict) -> tuple[str | None, list[str] | None, str | None, bool]:
    if not isinstance(payload, dict):
        raise ScimError(400, "The request body must be a JSON object.", "invalidSyntax")
    lowered = {key.lower(): value for key, value in payload.items()}
    name = _text(lowered["displayname"], "displayName", 120) if "displayname" in lowered else None
    members = _member_ids(lowered["members"]) if "members" in lowered else None
    external_given = "externalid" in lowered
    external = _text(lowered["externalid"], "externalId", 255) if external_given and lowered["externalid"] else None
    return name, members, external, external_given


def _member_ids(members) -> list[str]:
    if members is None:
        return []
    if not isinstance(members, list) or not all(isinstance(m, dict) and m.get("value") for m in members):
        raise ScimError(400, "members must be a list of objects with a value (a user's id).", "invalidValue")
    return [str(m["value"]) for m in members]


def _move(organisation: Organisation, person_ids: list[str], team: Team | None, only_from: Team | None = None) -> None:
    for raw in person_ids:
        person = _in_organisation(Person, organisation, raw)
        if person is None or _deleted(person.id):
            raise ScimError(400, f"members: no user has the id {raw}.", "invalidValue")
        if only_from is not None and person.team_id != only_from.id:
            continue
        target = team.id if team is not None else None
        if person.team_id != target:
            update_person(person, replace(_details_of(person), team_id=target), None)


def _set_members(organisation: Organisation, team: Team, member_ids: list[str]) -> None:
    wanted = set(member_ids)
    current = [str(p.id) for p in db.session.scalars(select(Person).where(Person.team_id == team.id))]
    _move(organisation, [i for i in current if i not in wanted], None, only_from=team)
    _move(organisation, member_ids, team)


def _team_refusal(refused: Refused) -> ScimError:
    text = " ".join(str(m) for m in refused.errors.values())
    taken = any(word in text for word in ("already", "già"))
    return ScimError(409 if taken else 400, f"displayName: {text}", "uniqueness" if taken else "invalidValue")


def create_group(organisation: Organisation, payload: dict) -> Team:
    name, members, external, _ = _group_values(payload)
    if not name:
        raise ScimError(400, "displayName is required.", "invalidValue")
    try:
        team = create_team(organisation, name)
    except Refused as refused:
        raise _team_refusal(refused) from None
    _group_row(team).external_id = external
    if members:
        _move(organisation, members, team)
    db.session.flush()
    return team


def replace_group(organisation: Organisation, team: Team, payload: dict) -> Team:
    name, members, external, _ = _group_values(payload)
    if not name:
        raise ScimError(400, "displayName is required.", "invalidValue")
    _rename(team, name)
    _group_row(team).external_id = external
    _set_members(organisation, team, members or [])
    db.session.flush()
    return team


def _rename(team: Team, name: str) -> None:
    if name != team.name:
        try:
            update_team(team, name, team.parent_id)
        except Refused as refused:
            raise _team_refusal(refused) from None


_MEMBER_PATH = re.compile(r'^members\[\s*value\s+eq\s+"([^"]+)"\s*\]$', re.IGNORECASE)


def patch_group(organisation: Organisation, team: Team, body: dict) -> Team:
    for op, path, value in _operations(body):
        lowered = (path or "").lower()
        if path is None:
            name, members, external, external_given = _group_values(value if isinstance(value, dict) else {})
            if name:
                _rename(team, name)
            if external_given:
                _group_row(team).external_id = external
            if members is not None:
                (_move(organisation, members, team) if op == "add" else _set_members(organisation, team, members))
        elif lowered == "displayname" and op != "remove":
            _rename(team, _text(value, "displayName", 120))
        elif lowered == "externalid":
            _group_row(team).external_id = None if op == "remove" else _text(value, "externalId", 255)
        elif lowered == "members":
            ids = _member_ids(value if isinstance(value, list) else [value] if value else [])
            if op == "add":
                _move(organisation, ids, team)
            elif op == "replace":
                _set_members(organisation, team, ids)
            else:
                current = [str(p.id) for p in db.session.scalars(select(Person).where(Person.team_id == team.id))]
                _move(organisation, ids or current, None, only_from=team)
        elif op == "remove" and _MEMBER_PATH.match(path):
            _move(organisation, [_MEMBER_PATH.match(path).group(1)], None, only_from=team)
        else:
            raise ScimError(400, f"{path}: groups have displayName, externalId and members.", "invalidPath")
    db.session.flush()
    return team


def delete_group(organisation: Organisation, team: Team) -> None:
    """DELETE /Groups/{id}: its members are left without a team; a team with sub-teams stays (409)."""
    _set_members(organisation, team, [])
    try:
        delete_team(team)
    except Refused as refused:
        raise ScimError(409, " ".join(str(m) for m in refused.errors.values()), "mutability") from None


def group_members(team: Team) -> list[Person]:
    return list(db.session.scalars(
        select(Person).where(Person.team_id == team.id, Person.erased_at.is_(None),
                             ~_deleted_ids())
        .order_by(Person.id)
    ))

