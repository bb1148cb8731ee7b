"""Customers' personal data masked out of what staff type: e-mail addresses, phone numbers, IBANs, payment card
numbers and Italian fiscal codes (codice fiscale) become a placeholder ("[e-mail]", "[phone]") before a remark
is stored, so the remark says what happened without saying who it happened to.

The rules lean toward masking: a long run of digits that might be a card or a phone number is masked even when it
is an order number. Dates ("12/03/2025", "2025-03-12"), prices and short numbers are left alone.
"""
from __future__ import annotations

import re

#: The placeholders, in the language of the person typing (the text around them is theirs).
PLACEHOLDERS = {
    "en": {"email": "[e-mail]", "phone": "[phone]", "iban": "[IBAN]", "card": "[card number]",
           "fiscal_code": "[fiscal code]"},
    "it": {"email": "[e-mail]", "phone": "[telefono]", "iban": "[IBAN]", "card": "[numero di carta]",
           "fiscal_code": "[codice fiscale]"},
}

_EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
#: Two letters, two check digits, then 11 to 30 letters or digits, written in one piece or in groups of four.
_IBAN = re.compile(r"(?<![\w])[A-Z]{2}\d{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,3})?)(?![\w])",
                   re.IGNORECASE)
#: RSSMRA85T10A562S: six letters, year, month letter, day, place, check letter; digits may be replaced by letters
#: (omocodia) where two people would share the same code.
_FISCAL_CODE = re.compile(
    r"(?<![\w])[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z](?![\w])",
    re.IGNORECASE)
#: A number written with an international prefix (+39, 0044): a phone number whatever its length.
_INTERNATIONAL_PHONE = re.compile(r"(?<![\w+])(?:\+|00)\d{1,3}(?:[ .\-/]?\(?\d+\)?){2,}(?![\w])")
#: 13 to 19 digits, in groups or not, not starting with 0: a payment card number.
_CARD = re.compile(r"(?<![\w+])[1-9](?:[ \-]?\d){12,18}(?![\w])")
#: Any other run of digits with the separators phone numbers are written with; a phone number when it has 9 to
#: 12 digits (fewer are dates, prices and codes).
_PHONE = re.compile(r"(?<![\w])\(?\d[\d \-./()]{6,}\d(?![\w])")
_DATE = re.compile(r"\d{1,4}[./\-]\d{1,2}[./\-]\d{1,4}")


def _digits(text: str) -> int:
    return sum(c.isdigit() for c in text)


def _iban(found: str, placeholder: str) -> str:
    """The placeholder for an IBAN written in groups, giving back the words a group of letters only caught after
    it ("... 0123 456 from" is not part of the IBAN)."""
    groups = found.split(" ")
    tail = []
    while len(groups) > 1 and groups[-1].isalpha():
        tail.insert(0, groups.pop())
    if _digits(" ".join(groups)) < 8:
        return found
    return " ".join([placeholder, *tail])


def mask_personal_data(text: str, language: str = "en") -> str:
    """`text` with customers' e-mail addresses, phone numbers, IBANs, card numbers and fiscal codes replaced by
    placeholders in `language` ("en" or "it")."""
    words = PLACEHOLDERS.get(language, PLACEHOLDERS["en"])
    text = _EMAIL.sub(words["email"], text)
    text = _IBAN.sub(lambda m: _iban(m.group(), words["iban"]), text)
    text = _FISCAL_CODE.sub(words["fiscal_code"], text)
    text = _CARD.sub(words["card"], text)
    text = _INTERNATIONAL_PHONE.sub(lambda m: words["phone"] if _digits(m.group()) >= 8 else m.group(), text)

    def phone(match: re.Match) -> str:
        found = match.group()
        if _DATE.fullmatch(found.strip("()")) or not 9 <= _digits(found) <= 12:
            return found
        return words["phone"]

    return _PHONE.sub(phone, text)
