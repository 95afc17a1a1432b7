"""Personal data in plain text: Swedish identity numbers, phone numbers a person can
have, and e-mail addresses.

Pure text scanning, no build phase: ``rapport kontroll`` (:mod:`rapport.writer.kontroll`)
runs it over every source file, and the send and publish gate over a report and what it
shows. The rules are libraries' (python-stdnum for personnummer, ``phonenumbers`` for
phone numbers); the spellings people type (spaces, dashes, with or without century) are
ours. A finding never repeats an identity number in full (:attr:`IdentityNumber.masked`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

import phonenumbers
from phonenumbers import PhoneNumberType
from stdnum import exceptions as stdnum_exceptions
from stdnum import luhn
from stdnum.se import orgnr, personnummer

# -- Swedish personal identity numbers ------------------------------------------------
#
# The rules (valid date, the century a "+" stands for, the Luhn check digit) are
# python-stdnum's; what is ours is finding the spellings people actually type:
# 121212-1212, 19121212-1212, 1212121212, 121212 1212, 121212 - 1212, 121212–1212,
# 121212+1212 (a hundred years or older), with a hyphen, en or em dash, minus sign,
# spaces or no-break spaces between date and serial.

_BLANK = r"[ \t\u00a0\u202f]"  # spaces a word processor or a paste may put between the groups
_DASHES = r"\-\u2010\u2011\u2012\u2013\u2014\u2212"  # hyphen, dashes and the minus sign
_PNR_RE = re.compile(
    # not the middle of a longer digit run, a "+46…" number or an id like "RS-121212…"
    # (amounts are grouped by three digits, so a six-digit group never is one of theirs)
    rf"(?<![\d+{_DASHES}])"
    rf"(?P<head>(?:18|19|20)?\d{{6}})"
    rf"(?P<sep>{_BLANK}*[{_DASHES}+]{_BLANK}*|{_BLANK}+)?"
    rf"(?P<tail>\d{{4}})(?!\d)"
)


class IdentityNumber(NamedTuple):
    offset: int  # where the number starts in the searched text
    masked: str  # the date part only, e.g. 121212-****: the output must not spread the number
    coordination: bool  # samordningsnummer (the day of birth plus 60)


@dataclass(frozen=True)
class IdentityMatch:
    number: IdentityNumber
    end: int


def _is_identity_number(head: str, plus: bool, tail: str) -> tuple[bool, bool]:
    """(valid, coordination) for a date part, its separator and the last four digits."""
    ten = head[-6:] + tail
    if orgnr.is_valid(ten) and int(ten[2:4]) >= 20:
        # an organisation number (month position 20 or more) is public by law; it passes
        # the same Luhn check, so it is told apart by the group number, not the checksum
        return False, False
    day = int(head[-2:])
    coordination = day > 60
    if coordination:  # samordningsnummer: stdnum knows only the day of birth itself
        head = f"{head[:-2]}{day - 60:02d}"
    number = f"{head}{'+' if plus else '-'}{tail}"
    try:
        born = personnummer.get_birth_date(number)
    except stdnum_exceptions.ValidationError:
        return False, False
    # a "birth date" after today is a date-shaped id, never a person
    if born > dt.date.today() or not luhn.is_valid(ten):
        return False, False
    return True, coordination


def identity_matches(text: str) -> Iterator[IdentityMatch]:
    for match in _PNR_RE.finditer(text):
        head, sep, tail = match.group("head"), match.group("sep") or "", match.group("tail")
        plus = "+" in sep
        valid, coordination = _is_identity_number(head, plus, tail)
        if valid:
            # the separator normalised (a space or dash shown as "-"), none if none was written
            masked = f"{head}{('+' if plus else '-') if sep else ''}****"
            yield IdentityMatch(IdentityNumber(match.start(), masked, coordination), match.end())


def find_identity_numbers(text: str) -> Iterator[IdentityNumber]:
    """Valid personnummer and samordningsnummer in ``text``, however they are spaced.

    A number whose check digit is wrong is not a finding: about one date-shaped run of
    ten digits in ten passes the Luhn check by chance, so flagging the other nine would
    flag case numbers and ids, and a number with a wrong check digit is not somebody's
    identity number as written (a typo that happens to be valid is found).
    """
    for match in identity_matches(text):
        yield match.number


# -- phone numbers and e-mail addresses -------------------------------------------------
#
# Google's libphonenumber (the ``phonenumbers`` package) finds numbers in text the way
# people write them (031-123 45 67, 070 123 45 67, +46 70 123 45 67, 08-12 34 56) and
# knows which number ranges are valid, which keeps dates, times and amounts out. Only
# the kinds of number a person can have are findings: toll-free (020), premium-rate,
# shared-cost (0771) and other organisation-only numbers are public by design.

_PERSONAL_PHONE_TYPES = {
    PhoneNumberType.MOBILE: "Mobilnummer",
    PhoneNumberType.FIXED_LINE: "Telefonnummer",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "Telefonnummer",
    PhoneNumberType.VOIP: "Telefonnummer",
    PhoneNumberType.PERSONAL_NUMBER: "Telefonnummer",
    PhoneNumberType.PAGER: "Personsökarnummer",
}


def phone_key(text: str) -> str | None:
    """The number in E.164 (+46…) form, for comparing with the allowed numbers."""
    try:
        number = phonenumbers.parse(text, "SE")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def find_phone_numbers(text: str) -> Iterator[tuple[int, int, str, str]]:
    """(start, end, as written, kind) of each phone number a person could have."""
    for match in phonenumbers.PhoneNumberMatcher(text, "SE", leniency=phonenumbers.Leniency.VALID):
        kind = _PERSONAL_PHONE_TYPES.get(phonenumbers.number_type(match.number))
        if kind is None:
            continue
        written = match.raw_string
        yield match.start, match.end, written, kind


EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# RFC 2606 example domains can never be somebody's private address
EXAMPLE_DOMAIN_RE = re.compile(r"@(?:[\w-]+\.)*example\.[a-z]+$", re.IGNORECASE)
