"""The main navigation: one entry per home page the person's permissions open, and where a person lands."""
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


#: In the order they appear in the main navigation and in the dashboards' tab list.
HOMES = (
    NavItem("home.employee", _l("My learning"), "employee", sections=("/learn/",)),
    NavItem("home.manager", _l("My team"), "manager", sections=("/team/",)),
    NavItem("home.leader", _l("Leadership"), "leader", sections=("/leadership/",)),
    NavItem("home.hr", _l("HR"), "hr", sections=("/hr/",)),
    NavItem("home.admin", _l("Administration"), "admin", sections=("/admin/",)),
)

#: Where a person with several permissions lands (GET /): the first dashboard of this list they hold.
#: Leadership, HR and the team are what a person holding them is employed to run, most senior first; the
#: administration of the app is a duty set beside a job (its dashboard is about set-up, busy in the first weeks,
#: then quiet), so it comes after them, and the employee's own learning, which everyone holds, comes last: an
#: administrator who is also an employee lands on the administration, a manager who also administers the app on
#: their team. Every other dashboard is one tab away.
LANDING_ORDER = ("leader", "hr", "manager", "admin", "employee")


def is_current(item: NavItem, endpoint: str | None, path: str) -> bool:
    return endpoint == item.endpoint or path.startswith(item.sections)


def navigation_for(person) -> list[NavItem]:
    return [item for item in HOMES if person.can(item.permission)]


def landing_for(person) -> NavItem | None:
    """The dashboard a person lands on: the most senior one their permissions open (LANDING_ORDER)."""
    homes = {item.permission: item for item in navigation_for(person)}
    return next((homes[permission] for permission in LANDING_ORDER if permission in homes), None)
