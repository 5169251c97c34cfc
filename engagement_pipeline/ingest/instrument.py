"""The optional ``<input>/raw/instrument.yaml``: display names for areas, channels and barriers.

Example::

    display_names:
      face_to_face_senior: face-to-face with senior managers
      no_value: do not see the value

Anything missing falls back to the column's item name with spaces for underscores.

The same file may also map a survey tool's questions onto the canonical columns (``questions:``,
``scales:``, ``source:``, ``respondent_id:``, ``time_zone:``, contract §6): that part is read by
``survey_tools.instrument.load_instrument``.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .errors import ContractError


def load_display_names(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ContractError(path.name, f"unreadable YAML ({type(exc).__name__})") from None
    names = document.get("display_names", {}) if isinstance(document, dict) else None
    if not isinstance(names, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in names.items()):
        raise ContractError(path.name, "display_names must map item names to text")
    return dict(names)
