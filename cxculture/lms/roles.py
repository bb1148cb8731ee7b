"""LTI roles and what they grant: each registration's role table, the safe defaults, and its checks.

A role in the course launched from (a context role: Learner, Instructor, course Administrator) says nothing about
the organisation, so it never grants admin, hr or leader. Only an institution or system role may, and only where
the administrator wrote exactly that in the registration's table.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from ..orgs.models import Permission

CONTEXT = "context"
INSTITUTION = "institution"
KINDS = (CONTEXT, INSTITUTION)
#: Permissions a course role can never grant, and an institution role only where the administrator says so.
PRIVILEGED = frozenset({Permission.ADMIN.value, Permission.HR.value, Permission.LEADER.value})
#: Everyone launched from a course is at least an employee: they came to take training.
BASELINE = Permission.EMPLOYEE.value
#: A new registration's table, and what the migration gave existing ones: course roles grant employee only.
DEFAULT_MAPPINGS = (
    (CONTEXT, "Learner", Permission.EMPLOYEE.value),
    (CONTEXT, "Instructor", Permission.EMPLOYEE.value),
)
#: The LIS role names (LTI 1.3), to spell what an administrator types the way platforms send it.
KNOWN_ROLES = {
    CONTEXT: ("Learner", "Instructor", "ContentDeveloper", "Mentor", "Manager", "Member", "Officer", "Administrator",
              "TeachingAssistant"),
    INSTITUTION: ("Student", "Faculty", "Staff", "Employee", "Instructor", "Learner", "Mentor", "Member", "Observer",
                  "Administrator", "SysAdmin", "SysSupport", "AccountAdmin", "Creator", "User", "Other"),
}


@dataclass(frozen=True)
class RoleMappingData:
    """One line of the table as entered: a role of a kind grants a permission."""

    kind: str
    role: str
    permission: str


def role_kind(role: str) -> str | None:
    """The kind of a role from the roles claim: context (course), institution (institution or system), or None
    for a vocabulary CX Culture does not know (such a role grants nothing)."""
    if "/membership" in role or role.startswith("urn:lti:role:"):
        return CONTEXT
    if "/institution/" in role or "/system/" in role or role.startswith(("urn:lti:instrole:", "urn:lti:sysrole:")):
        return INSTITUTION
    if ":" not in role and "/" not in role:
        return CONTEXT  # LTI 1.3 lets platforms send a course role by its simple name ("Instructor")
    return None


def short_name(role: str) -> str:
    """The role's last part: "…/membership#Instructor" -> "Instructor", "urn:lti:role:ims/lis/Learner" -> "Learner"."""
    return role.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def is_uri(role: str) -> bool:
    return "://" in role or role.startswith("urn:")


def claimed_roles(roles: object) -> list[tuple[str, str]]:
    """(kind, role) of every role in a launch's roles claim that CX Culture understands."""
    found = []
    for role in roles if isinstance(roles, list) else []:
        if isinstance(role, str) and (kind := role_kind(role.strip())) is not None:
            found.append((kind, role.strip()))
    return found


def _matches(mapping_kind: str, mapping_role: str, kind: str, role: str) -> bool:
    if mapping_kind != kind:
        return False
    return mapping_role == role if is_uri(mapping_role) else mapping_role == short_name(role)


def granted_permissions(mappings, roles: object) -> set[str]:
    """The permissions a launch's roles claim grants through a registration's table (`mappings`: rows with kind,
    role and permission), plus the employee baseline. A context row never grants a privileged permission, even
    one written in the database by other means."""
    claimed = claimed_roles(roles)
    granted = {BASELINE}
    for mapping in mappings:
        if mapping.kind == CONTEXT and mapping.permission in PRIVILEGED:
            continue
        if mapping.permission in Permission.values() and any(
            _matches(mapping.kind, mapping.role, kind, role) for kind, role in claimed
        ):
            granted.add(mapping.permission)
    return granted


def _spelled(kind: str, role: str) -> str:
    """The role as platforms send it: a known short name in its usual capitals, anything else as typed."""
    if is_uri(role):
        return role
    for known in KNOWN_ROLES.get(kind, ()):
        if known.lower() == role.lower():
            return known
    return role


def check_role_mappings(rows: list[RoleMappingData]) -> tuple[list[RoleMappingData], dict[str, str]]:
    """The table to store (blank lines and repeats dropped, names spelled as platforms send them) and the errors,
    named `role_mappings-<line>-<field>` after the form's fields."""
    errors: dict[str, str] = {}
    kept: list[RoleMappingData] = []
    seen: set[tuple[str, str, str]] = set()
    for index, row in enumerate(rows):
        role = (row.role or "").strip()
        if not role:
            continue
        where = f"role_mappings-{index}"
        if row.kind not in KINDS:
            errors[f"{where}-kind"] = _("Choose whether this is a course role or an institution role.")
            continue
        if row.permission not in Permission.values():
            errors[f"{where}-permission"] = _("Choose a permission from the list.")
            continue
        if len(role) > 255 or any(c.isspace() for c in role) or (not is_uri(role) and not role.isalnum()):
            errors[f"{where}-role"] = _("Write a role name such as Learner, or a full role URI, without spaces.")
            continue
        if is_uri(role) and role_kind(role) != row.kind:
            errors[f"{where}-role" if role_kind(role) is None else f"{where}-kind"] = {
                CONTEXT: lambda: _("This URI is a course role: choose “Course role”."),
                INSTITUTION: lambda: _("This URI is an institution or system role: choose “Institution role”."),
                None: lambda: _("This URI is not an LTI role CX Culture knows."),
            }[role_kind(role)]()
            continue
        if row.kind == CONTEXT and row.permission in PRIVILEGED:
            errors[f"{where}-permission"] = _(
                "A course role cannot grant Administrator, HR or Leadership: it says what someone does in one "
                "course, not in the organisation. Map an institution role, or grant the permission by hand on the "
                "people page."
            )
            continue
        spelled = RoleMappingData(row.kind, _spelled(row.kind, role), row.permission)
        key = (spelled.kind, spelled.role, spelled.permission)
        if key not in seen:
            seen.add(key)
            kept.append(spelled)
    return kept, errors
