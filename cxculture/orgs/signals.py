"""What happens to organisations, for areas that set up their own data (orgs/ knows no feature area)."""
from blinker import Namespace

_signals = Namespace()

#: sender=organisation, sent after it is created and flushed.
organisation_created = _signals.signal("organisation-created")
