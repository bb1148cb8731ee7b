"""Customers' personal data is masked out of what staff type, in English and Italian formats."""
from __future__ import annotations

import pytest

from cxculture.listening.masking import mask_personal_data


@pytest.mark.parametrize(("text", "masked"), [
    # e-mail addresses
    ("write to mario.rossi@example.it please", "write to [e-mail] please"),
    ("Her address is Jane.Doe+bank@mail.co.uk.", "Her address is [e-mail]."),
    ("scrivere a g.bianchi_84@libero.it, grazie", "scrivere a [e-mail], grazie"),
    # phone numbers, Italian
    ("chiamare il 333 1234567 domani", "chiamare il [phone] domani"),
    ("cell. 3331234567", "cell. [phone]"),
    ("tel +39 333 123 4567", "tel [phone]"),
    ("numero 0039 02 1234 5678", "numero [phone]"),
    ("fisso 02-12345678", "fisso [phone]"),
    ("06 1234 5678 ufficio", "[phone] ufficio"),
    # phone numbers, English
    ("call me on 07700 900123", "call me on [phone]"),
    ("+44 20 7946 0958 is the line", "[phone] is the line"),
    ("(020) 7946 0958", "[phone]"),
    ("US number +1 (555) 123-4567", "US number [phone]"),
    # IBANs
    ("IBAN IT60X0542811101000000123456 wrong", "IBAN [IBAN] wrong"),
    ("iban it60 x054 2811 1010 0000 0123 456.", "iban [IBAN]."),
    ("GB82 WEST 1234 5698 7654 32 was debited", "[IBAN] was debited"),
    ("IT60 X054 2811 1010 0000 0123 4567 from", "[IBAN] from"),
    # payment card numbers
    ("card 4111 1111 1111 1111 declined", "card [card number] declined"),
    ("carta 5500-0000-0000-0004", "carta [card number]"),
    ("378282246310005 amex", "[card number] amex"),
    # Italian fiscal codes, also with omocodia
    ("CF RSSMRA85T10A562S", "CF [fiscal code]"),
    ("codice fiscale: bnchgl90a41f205x.", "codice fiscale: [fiscal code]."),
    ("RSSMRA85T10A56NS omocodia", "[fiscal code] omocodia"),
    # several at once
    ("mail a@b.it, tel 3471234567, IBAN IT60X0542811101000000123456",
     "mail [e-mail], tel [phone], IBAN [IBAN]"),
])
def test_personal_data_is_masked(text, masked):
    assert mask_personal_data(text) == masked


@pytest.mark.parametrize("text", [
    "The invoice of 12/03/2025 was wrong by 1.250,00 euro",
    "fattura del 2025-03-12, ordine 48213",
    "waited 45 minutes at the till, queue of 12 people",
    "Il prezzo era 19,99 € invece di 14,99 €",
    "store 204 on via Roma 15, 20121 Milano",
    "the app crashed on version 4.12.1",
    "ITALIA è bellissima, ABCDEF",
    "",
])
def test_what_is_not_personal_data_stays(text):
    assert mask_personal_data(text) == text


def test_placeholders_are_in_the_language_of_the_person_typing():
    text = "tel 3331234567, carta 4111111111111111, CF RSSMRA85T10A562S, mail x@y.it"
    assert mask_personal_data(text, "it") == ("tel [telefono], carta [numero di carta], CF [codice fiscale], "
                                              "mail [e-mail]")
