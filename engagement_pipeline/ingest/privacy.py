"""Privacy rules of the data contract (§4): keyed pseudonyms and free-text scrubbing.

Everything that decides what identifying information may leave a raw file belongs here.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

KEY_ENV = "ENGAGEMENT_PSEUDONYM_KEY"

#: Columns accepted in a survey file and dropped on read, never stored anywhere.
IDENTIFYING_COLUMNS = ("respondent_name", "respondent_email")

# Any word-ish run around an @ with something after it: unicode local parts and dotless domains too.
_EMAIL = re.compile(r"[\w.%+\-']+@[\w\-]+(?:\.[\w\-]+)*")
# Ten digits, optionally grouped 3-3-4 by spaces or hyphens, not part of a longer number.
_NHS_NUMBER = re.compile(r"(?<![\d+])(\d{3})[ .\-]{0,2}(\d{3})[ .\-]{0,2}(\d{4})(?!\d)")
# UK numbers: +44 or 0, then 9-10 more digits, allowing spaces, hyphens and brackets between groups.
_UK_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)44[ \-]?(?:\(0\)[ \-]?)?|\(?0)\d{2,4}\)?(?:[ \-]?\d){6,8}(?!\d)"
)
_HANDLE = re.compile(r"(?<![\w@])@\w+")


def load_key(key_file: Path) -> bytes:
    """The HMAC key: ``ENGAGEMENT_PSEUDONYM_KEY`` if set, else a random key kept in ``key_file``.

    A new key file is created with owner-only permissions (0600, folder 0700) the first time.
    The key itself is never logged or returned in any message.
    """
    from_env = os.environ.get(KEY_ENV)
    if from_env:
        return from_env.encode()
    if key_file.exists():
        key = key_file.read_bytes().strip()
        if key:
            return key
    key_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_hex(32).encode()
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, key)
    finally:
        os.close(fd)
    return key


_BLOCK = 64  # SHA-256 block size in bytes


def _pads(key: bytes) -> tuple[str, str]:
    """HMAC's inner and outer padded keys (RFC 2104), hex-encoded."""
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in key).hex(), bytes(b ^ 0x5C for b in key).hex()


def pseudonymise(ids: pd.Series, key: bytes) -> pd.Series:
    """HMAC-SHA256 (hex) of each stripped respondent id: stable across waves for one key.

    Computed as RFC 2104 spells it, sha256(outer || sha256(inner || id)), inside DuckDB so a
    million ids hash in parallel; equal to ``hmac.new(key, id, sha256).hexdigest()``.
    """
    inner, outer = _pads(key)
    stripped = pa.table({"id": pc.utf8_trim_whitespace(pa.array(ids.astype("string"), type=pa.string()))})
    with duckdb.connect() as con:
        relation = con.sql("SELECT sha256(unhex(?) || unhex(sha256(unhex(?) || encode(id)))) AS key FROM stripped",
                           params=[outer, inner])
        to_arrow = getattr(relation, "to_arrow_table", None) or relation.arrow  # DuckDB 2 renamed it
        hashed = to_arrow().column("key").to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)
    return pd.Series(hashed.array, index=ids.index)


def nhs_number_is_valid(digits: str) -> bool:
    """Modulus-11 check of a 10-digit NHS number (weights 10..2; a check value of 10 is never valid)."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits, range(10, 1, -1)))  # the first 9 digits
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check == int(digits[9])  # a check value of 10 matches no digit


def _replace_nhs(match: re.Match[str]) -> str:
    return "[nhs-number]" if nhs_number_is_valid("".join(match.groups())) else match.group(0)


def scrub_text(text: str) -> str:
    """Replace e-mail addresses, NHS numbers, UK phone numbers and @handles with placeholders."""
    if not text:
        return text
    text = _EMAIL.sub("[email]", text)
    text = _NHS_NUMBER.sub(_replace_nhs, text)
    text = _UK_PHONE.sub("[phone]", text)
    return _HANDLE.sub("[handle]", text)


def scrub(series: pd.Series) -> pd.Series:
    """Scrub a column of free text; blanks become missing values."""
    stripped = series.fillna("").astype("string").str.strip()
    out = stripped.where(stripped != "")
    # Only text holding an @ or a digit can carry what scrub_text removes (none is missing here).
    suspect = stripped.str.contains(r"[@\d]").to_numpy(dtype=bool)
    if suspect.any():
        out[suspect] = [scrub_text(text) for text in stripped[suspect].tolist()]
    return out
