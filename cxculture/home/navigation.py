"""The main navigation: one entry per home page the person's permissions open."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object
    permission: str
    #: URL prefixes of the pages that belong under this entry (it is highlighted while one is shown).
    sections: tuple[str, ...] = ()


#: In the order they appear; the first one a person holds is where they land after login.
HOMES = (
    NavItem("home.employee", _l("My learning"), "employee", sections=("/learn/",)),
    NavItem("home.manager", _l("My team"), "manager", sections=("/team/",)),
    NavItem("home.leader", _l("Leadership"), "leader", sections=("/leadership/",)),
    NavItem("home.hr", _l("HR"), "hr", sections=("/hr/",)),
    NavItem("home.admin", _l("Administration"), "admin", sections=("/admin/",)),
)


def is_current(item: NavItem, endpoint: str | None, path: str) -> bool:
    return endpoint == item.endpoint or path.startswith(item.sections)


def navigation_for(person) -> list[NavItem]:
    return [item for item in HOMES if person.can(item.permission)]
