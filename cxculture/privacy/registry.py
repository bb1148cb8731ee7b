"""Every area's privacy provider, listed explicitly (a test fails when a table referencing a person is in none)."""
from __future__ import annotations

from ..assessments import privacy as assessments
from ..audit import privacy as audit
from ..auth import privacy as auth
from ..cafes import privacy as cafes
from ..downloads import privacy as downloads
from ..kpis import privacy as kpis
from ..listening import privacy as listening
from ..lms import privacy as lms
from ..mail import privacy as mail
from ..modules import privacy as modules
from ..orgs import privacy as orgs
from ..scim import privacy as scim
from ..sso import privacy as sso

#: In the order of an export and of the privacy page. Erasure runs in ERASURE_ORDER: files first, the person's
#: own row (the tombstone) last, since the others find the person's rows by their e-mail address and id.
PROVIDERS = (orgs, auth, sso, modules, assessments, kpis, cafes, listening, lms, scim, downloads, mail, audit)
ERASURE_ORDER = (downloads, mail, lms, scim, listening, cafes, kpis, assessments, modules, sso, auth, orgs, audit)


def holdings():
    """(provider, holding) for every table any provider declares."""
    return [(provider, holding) for provider in PROVIDERS for holding in provider.HOLDINGS]
