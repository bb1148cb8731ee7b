"""People as e-mail recipients: their address, name, language and organisation, as the mail package takes them."""
from __future__ import annotations

from ..i18n import person_language
from ..mail import Recipient
from .models import Person


def recipient_of(person: Person) -> Recipient:
    """Whom to write to (their organisation must be loaded, or it is loaded now): in the person's language, else
    their organisation's, with their organisation's name."""
    return Recipient(email=person.email, name=person.name, language=person_language(person),
                     organisation_id=person.organisation_id, organisation_name=person.organisation.name,
                     person_id=person.id)
