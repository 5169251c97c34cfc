"""SQL text the pipeline builds itself: quoted identifiers, qualified relations, literals.

Identifiers come only from vetted names (the table registry, the column families); values are
always bound parameters. A name this module would not have produced is refused.
"""

from __future__ import annotations

import re

_SAFE_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def quote_identifier(name: str) -> str:
    """A double-quoted SQL identifier, refusing any name that is not lower-case snake case."""
    if not _SAFE_IDENTIFIER.fullmatch(name):
        raise ValueError(f"refusing unsafe SQL identifier {name!r}")
    return f'"{name}"'


def relation(name: str) -> str:
    """A table name, bare or qualified by its database (``staging.responses``), quoted for SQL."""
    return ".".join(quote_identifier(part) for part in name.split("."))


def sql_literal(text: str) -> str:
    """A SQL string literal for the pipeline's own text (paths, registry comments), never for data."""
    return "'" + text.replace("'", "''") + "'"
