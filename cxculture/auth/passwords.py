"""argon2id password hashing, and the check that refuses common and guessable passwords."""
from __future__ import annotations

import re
import threading
from collections.abc import Iterable

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from zxcvbn import zxcvbn
from zxcvbn.matching import add_frequency_lists

from .common_passwords import ITALIAN_COMMON_PASSWORDS

MIN_PASSWORD_LENGTH = 10
#: zxcvbn's score, 0-4, that a new password must reach: 3 means about 10^8 guesses or more, safe against online
#: guessing with a wide margin and costly offline against argon2id.
MIN_PASSWORD_SCORE = 3
#: zxcvbn refuses longer input (its matching grows fast); a longer password is judged by its start.
_ZXCVBN_MAX_LENGTH = 72

add_frequency_lists({"italian_common": list(ITALIAN_COMMON_PASSWORDS)})
# zxcvbn keeps each call's user inputs in a module-level dictionary: one check at a time per process.
_zxcvbn_lock = threading.Lock()


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"], memory_cost=config["ARGON2_MEMORY_COST"],
        parallelism=config["ARGON2_PARALLELISM"], type=Type.ID,
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when `password_hash` was made with other argon2 parameters than the configured ones (stronger or
    weaker): the login that has just verified it stores a new hash."""
    return _hasher().check_needs_rehash(password_hash)


def _words(texts: Iterable[str | None]) -> list[str]:
    """Each text whole, run together, and cut into its words and e-mail parts ("Mario Rossi" -> mario rossi,
    mariorossi, mario, rossi; "m.rossi@acme.it" -> m.rossi, acme.it, mrossiacmeit, rossi, acme)."""
    words = []
    for text in texts:
        text = (text or "").lower()
        parts = [w for w in re.split(r"[\W_]+", text) if w]
        words += [text, "".join(parts), *text.split("@"), *(w for w in parts if len(w) >= 3)]
    return [w for w in dict.fromkeys(words) if w]


def password_problem(password: str, about_person: Iterable[str | None] = ()) -> str | None:
    """Why `password` may not be used, or None when it may: too short, common, or easy to guess from the words
    in `about_person` (the person's name, e-mail address, organisation)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Use at least %(n)s characters.", n=MIN_PASSWORD_LENGTH)
    with _zxcvbn_lock:
        result = zxcvbn(password[:_ZXCVBN_MAX_LENGTH], user_inputs=_words(about_person))
    if result["score"] >= MIN_PASSWORD_SCORE:
        return None
    if any(match.get("dictionary_name") == "user_inputs" for match in result["sequence"]):
        return _("This password is too easy to guess: it contains your name, your e-mail address or your "
                 "organisation's name. Try a short sentence of four or five unrelated words.")
    return _("This password is too easy to guess: it is a common password, or made of common words, names, dates "
             "or keyboard patterns. Try a short sentence of four or five unrelated words.")
