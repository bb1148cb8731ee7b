"""The main navigation: one entry per home page the person's permissions open."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object
    permission: str
    #: Blueprints whose pages belong under this entry (highlighted while one of them is shown).
    sections: tuple[str, ...] = ()


#: In the order they appear; the first one a person holds is where they land after login.
HOMES = (
    NavItem("home.employee", _l("My learning"), "employee"),
    NavItem("home.manager", _l("My team"), "manager"),
    NavItem("home.leader", _l("Leadership"), "leader"),
    NavItem("home.hr", _l("HR"), "hr"),
    NavItem("home.admin", _l("Administration"), "admin", sections=("orgs",)),
)


def navigation_for(person) -> list[NavItem]:
    return [item for item in HOMES if person.can(item.permission)]
