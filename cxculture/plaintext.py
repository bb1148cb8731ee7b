"""Free text people type for others to read (names of teams, job roles, people, KPIs; titles of campaigns, cafés,
actions): no NUL or other control character, and no character that reverses or isolates the writing direction
(U+202A–U+202E, U+2066–U+2069), which can make "Sales" display as something else in a list, a PDF or a CSV.

`PlainText()` is the WTForms validator (its message names the field); `unsafe_characters` serves the imports.
"""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

#: C0 and C1 control characters and DEL; bidi embeddings, overrides (U+202A–E) and isolates (U+2066–9).
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: The same, but a multi-line text keeps its tabs and line breaks.
_UNSAFE_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def unsafe_characters(value: str, multiline: bool = False) -> list[str]:
    """The characters of `value` that free text may not hold, as "U+202E", in order, each once."""
    found = (_UNSAFE_MULTILINE if multiline else _UNSAFE).findall(value or "")
    return list(dict.fromkeys(f"U+{ord(character):04X}" for character in found))


def unsafe_text_message(field_label, characters: list[str]):
    return _l("%(field)s contains a character that is not allowed (%(characters)s): control characters and "
              "characters that change the writing direction cannot be used. Retype the text.",
              field=field_label, characters=", ".join(characters))


class PlainText:
    """Refuses control characters and direction overrides, naming the field; `multiline` allows line breaks."""

    def __init__(self, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, form, field) -> None:
        if isinstance(field.data, str) and (characters := unsafe_characters(field.data, self.multiline)):
            raise ValidationError(unsafe_text_message(field.label.text, characters))
