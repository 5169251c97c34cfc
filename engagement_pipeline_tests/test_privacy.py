"""Privacy rules (docs/data-contract.md §4): scrubbing free text, NHS-number checks, keyed pseudonyms, the key."""

from __future__ import annotations

import hashlib
import hmac
import re
import stat

import pandas as pd
import pytest

from engagement_pipeline.ingest import schemas
from engagement_pipeline.warehouse.registry import TABLES
from engagement_pipeline.ingest.privacy import (KEY_ENV, load_key, nhs_number_is_valid, pseudonymise,
                                                scrub, scrub_text)

try:
    from contract_cases import load, user
except ImportError:  # the tests folder became a package
    from engagement_pipeline_tests.contract_cases import load, user

# What the stored schemas (RESPONSES.comment, INTERVIEW_QUOTES.quote) refuse after scrubbing.
UNSCRUBBED_AT = re.compile(r"@[A-Za-z0-9_]")


# ---- e-mail addresses --------------------------------------------------------------------------

@pytest.mark.parametrize("address", ["jane.doe@nhs.example", "J.O'Brien+survey@sub.nhs.uk",
                                     "first_last-99@trust.nhs.uk", "UPPER@EXAMPLE.ORG"])
def test_email_addresses_are_replaced(address):
    assert scrub_text(f"Contact {address} please.") == "Contact [email] please."


def test_email_is_not_mistaken_for_a_handle():
    out = scrub_text("mail jane@nhs.net")
    assert out == "mail [email]"
    assert "[handle]" not in out


# ---- UK phone numbers --------------------------------------------------------------------------

@pytest.mark.parametrize("phone", ["07700 900123", "+44 20 7946 0958", "(0121) 496 0000", "01632 960001",
                                   "07700900123", "+447700900123", "+44 (0)20 7946 0958", "020 7946 0958",
                                   "0121-496-0000", "0800 123 4567"])
def test_uk_phone_numbers_are_replaced(phone):
    out = scrub_text(f"Ring me on {phone} any time")
    assert out == "Ring me on [phone] any time"


# ---- NHS numbers -------------------------------------------------------------------------------

@pytest.mark.parametrize("number", ["943 476 5919", "9434765919", "943-476-5919", "401 023 2137"])
def test_valid_nhs_numbers_are_replaced(number):
    assert scrub_text(f"Patient {number} was seen") == "Patient [nhs-number] was seen"


@pytest.mark.parametrize("number", ["943 476 5918", "9434765918", "123 456 7890"])
def test_nhs_shaped_numbers_with_a_bad_check_digit_are_not_nhs_numbers(number):
    out = scrub_text(f"Ref {number} closed")
    assert "[nhs-number]" not in out
    assert out == f"Ref {number} closed"


def test_nhs_number_inside_a_longer_number_is_left_alone():
    assert scrub_text("order 19434765919 and 94347659190") == "order 19434765919 and 94347659190"


# ---- handles -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Follow @NHSEngland for news", "Follow [handle] for news"),
    ("thanks @jo_bloggs99!", "thanks [handle]!"),
    ("@SouthAHPs_example posts daily", "[handle] posts daily"),
    ("ask @NHSEngland's team", "ask [handle]'s team"),
])
def test_handles_are_replaced(text, expected):
    assert scrub_text(text) == expected


# ---- text without personal data is untouched ---------------------------------------------------

@pytest.mark.parametrize("text", [
    "Twitter helped me feel closer to the executive team.",
    "In 2019 about 3 of 12 colleagues joined; by 2020 it was 40%.",
    "Meeting 04/03/2019 at 09:15, room 12, budget £1,250,000.",
    "Score 4 of 5, ward 7B, ext 1234.",
    "",
])
def test_text_without_personal_data_is_unchanged(text):
    assert scrub_text(text) == text


def test_everything_in_one_comment():
    text = ("Email jane.doe@nhs.example, call 07700 900123 or +44 20 7946 0958; "
            "NHS no. 943 476 5919; tweet @JaneDoeNHS. Since 2019.")
    assert scrub_text(text) == ("Email [email], call [phone] or [phone]; "
                                "NHS no. [nhs-number]; tweet [handle]. Since 2019.")


def test_scrub_series_strips_and_turns_blanks_into_missing():
    out = scrub(pd.Series(["  hi @bob  ", "", "   ", None, "plain"]))
    assert str(out.dtype) == "string"
    assert out.tolist()[0] == "hi [handle]"
    assert out.isna().tolist() == [False, True, True, True, False]
    assert out.tolist()[4] == "plain"


@pytest.mark.parametrize(("text", "expected"), [
    ("ring me on 07700 900123", "ring me on [phone]"),
    ("my NHS number is 943 476 5919", "my NHS number is [nhs-number]"),
    ("9434765919", "[nhs-number]"),
])
def test_scrub_series_scrubs_text_with_digits_but_no_at_sign(text, expected):
    """The series scrubber only looks closely at cells that might hold something: digits count too."""
    out = scrub(pd.Series(["nothing to see here", text, "call 0161 496 0000 or mail a@b.example"]))
    assert out.tolist() == ["nothing to see here", expected, "call [phone] or mail [email]"]


# ---- scrubbed text must pass the stored tables' own "no unscrubbed @" check ---------------------

@pytest.mark.parametrize("text", [
    "shout out to @" + "a" * 31,              # a handle longer than 30 characters
    "write to josé@nhs.net",                  # an address with a non-ASCII local part
])
def test_scrubbed_text_never_keeps_an_at_sign_the_stored_schemas_refuse(text):
    out = scrub_text(text)
    assert not UNSCRUBBED_AT.search(out), out


def test_survey_comment_with_long_handle_passes_the_stored_schema(tmp_path):
    # A comment is free text, never a structural problem: after scrubbing, the stored
    # responses must pass RESPONSES (a blocking check) or the whole wave would fail.
    _, loaded = load(tmp_path, [user("U1", comment="thanks @" + "x" * 35)])
    assert loaded.rows_loaded == 1
    TABLES["responses"].schema().validate(loaded.rows)


# ---- nhs_number_is_valid -----------------------------------------------------------------------

@pytest.mark.parametrize("digits, valid", [
    # 9*10+4*9+3*8+4*7+7*6+6*5+5*4+9*3+1*2 = 299; 299 % 11 = 2; 11 - 2 = 9 -> check digit 9
    ("9434765919", True),
    ("9434765918", False),
    # 4*10+0+1*8+0+2*6+3*5+2*4+1*3+3*2 = 92; 92 % 11 = 4; 11 - 4 = 7
    ("4010232137", True),
    ("4010232136", False),
    # 2*10 + 1*2 = 22; 22 % 11 = 0; 11 - 0 = 11 -> check digit 0
    ("2000000010", True),
    ("2000000011", False),
    # 1*10+2*9+...+9*2 = 210; 210 % 11 = 1; 11 - 1 = 10 -> never valid, whatever the last digit
    ("1234567890", False),
    ("1234567891", False),
    # 4*3 = 12; 12 % 11 = 1 -> check value 10 again
    ("0000000400", False),
    ("0000000401", False),
    # shape
    ("943476591", False),
    ("94347659190", False),
    ("943 476 5919", False),
    ("94347659a9", False),
    ("", False),
])
def test_nhs_number_is_valid(digits, valid):
    assert nhs_number_is_valid(digits) is valid


# ---- pseudonymise ------------------------------------------------------------------------------

def test_pseudonym_is_hmac_sha256_hex_of_the_stripped_id():
    out = pseudonymise(pd.Series(["MGR-000001", "  MGR-000001  "]), b"k1")
    expected = hmac.new(b"k1", b"MGR-000001", hashlib.sha256).hexdigest()
    assert out.tolist() == [expected, expected]
    assert re.fullmatch(r"[0-9a-f]{64}", out.iloc[0])


def test_pseudonym_is_stable_for_the_same_key_across_calls():
    a = pseudonymise(pd.Series(["A1", "B2"]), b"key")
    b = pseudonymise(pd.Series(["B2", "A1"]), b"key")
    assert a.tolist() == b.tolist()[::-1]
    assert a.iloc[0] != a.iloc[1]


def test_pseudonym_differs_by_key():
    ids = pd.Series(["MGR-000001"])
    assert pseudonymise(ids, b"key-one").iloc[0] != pseudonymise(ids, b"key-two").iloc[0]


def test_pseudonym_never_contains_the_raw_id():
    ids = pd.Series(["123", "abc", "MGR-000042"])
    for raw, key in zip(ids, pseudonymise(ids, b"k")):
        assert raw.lower() not in key
        assert len(key) == 64


# ---- load_key ----------------------------------------------------------------------------------

def test_env_key_wins_and_no_file_is_written(tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_ENV, "from-the-environment")
    key_file = tmp_path / "secrets" / "pseudonym.key"
    assert load_key(key_file) == b"from-the-environment"
    assert not key_file.exists()


def test_env_key_wins_over_an_existing_file(tmp_path, monkeypatch):
    key_file = tmp_path / "pseudonym.key"
    key_file.write_bytes(b"file-key")
    monkeypatch.setenv(KEY_ENV, "env-key")
    assert load_key(key_file) == b"env-key"


def test_without_env_a_private_key_file_is_created_and_reused(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    key_file = tmp_path / "keys" / "pseudonym.key"
    first = load_key(key_file)
    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    assert len(first) >= 32
    assert key_file.read_bytes().strip() == first
    second = load_key(key_file)
    assert second == first


def test_two_fresh_key_files_hold_different_keys(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    assert load_key(tmp_path / "a.key") != load_key(tmp_path / "b.key")


def test_existing_key_file_is_read_stripped(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    key_file = tmp_path / "pseudonym.key"
    key_file.write_bytes(b"kept-key\n")
    assert load_key(key_file) == b"kept-key"


def test_empty_env_var_falls_back_to_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_ENV, "")
    key_file = tmp_path / "pseudonym.key"
    key_file.write_bytes(b"file-key")
    assert load_key(key_file) == b"file-key"


def test_empty_key_file_gets_a_usable_key(tmp_path, monkeypatch):
    # The code reads an empty file as "no key yet" and goes on to create one; that must work
    # (today it fails with FileExistsError because the file is opened with O_EXCL).
    monkeypatch.delenv(KEY_ENV, raising=False)
    key_file = tmp_path / "pseudonym.key"
    key_file.write_bytes(b"")
    key = load_key(key_file)
    assert key
    assert load_key(key_file) == key
