"""Edges of the privacy rules (docs/data-contract.md §4) that the mutation run found unguarded:
HMAC keys at and beyond the hash's block size, the key file created private from its first byte,
and pseudonyms that keep their rows' index and Arrow-backed type."""

from __future__ import annotations

import hashlib
import hmac
import os
import stat

import pandas as pd
import pytest

from engagement_pipeline.ingest import privacy
from engagement_pipeline.ingest.privacy import load_key, pseudonymise

IDS = pd.Series([" A1", "B2 ", "名字-3", ""], index=[10, 20, 5, 7])


def _reference(ids: pd.Series, key: bytes) -> list[str]:
    return [hmac.new(key, i.strip().encode("utf-8"), hashlib.sha256).hexdigest() for i in ids]


@pytest.mark.parametrize("length", [1, 63, 64, 65, 200])
def test_pseudonyms_are_rfc2104_hmac_for_keys_around_the_block_size(length):
    """64 bytes (the SHA-256 block, and the length of a generated key) is used as it is; longer
    keys are hashed first. Both sides of that boundary must equal the standard library's HMAC."""
    key = bytes((7 * i + 3) % 256 for i in range(length))
    assert list(pseudonymise(IDS, key)) == _reference(IDS, key)


def test_pseudonyms_keep_the_rows_index_and_arrow_strings():
    keys = pseudonymise(IDS, b"k")
    assert list(keys.index) == [10, 20, 5, 7]
    assert keys.dtype == pd.StringDtype("pyarrow")
    # aligned by index, a boolean mask picks the same rows as on the ids
    assert list(keys[IDS.str.strip() != ""]) == _reference(IDS[IDS.str.strip() != ""], b"k")


def test_a_generated_key_is_256_random_bits_in_hex_in_a_new_nested_folder(tmp_path):
    key_file = tmp_path / "not" / "yet" / "there" / "pseudonym.key"
    key = load_key(key_file)
    assert len(key) == 64 and all(chr(b) in "0123456789abcdef" for b in key)
    assert key_file.read_bytes() == key
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    assert load_key(key_file) == key  # kept, not regenerated
    assert load_key(tmp_path / "other" / "deeper" / "pseudonym.key") != key


def test_the_key_file_is_created_private_not_made_private_afterwards(tmp_path, monkeypatch):
    """Even without the fchmod that follows, the file is born 0600: there is no moment in which
    another user could read the key (a permissive umask cannot widen it either)."""
    monkeypatch.setattr(privacy.os, "fchmod", lambda fd, mode: None)
    old_umask = os.umask(0)
    try:
        load_key(tmp_path / "keys" / "pseudonym.key")
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE((tmp_path / "keys" / "pseudonym.key").stat().st_mode) == 0o600


def test_the_environment_key_wins_and_is_used_as_utf8(tmp_path, monkeypatch):
    monkeypatch.setenv(privacy.KEY_ENV, "clé-secrète")
    assert load_key(tmp_path / "unused.key") == "clé-secrète".encode("utf-8")
    assert not (tmp_path / "unused.key").exists()
