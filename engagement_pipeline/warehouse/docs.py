"""Writes docs/warehouse.md from the table registry, so the analysts' documentation matches every COMMENT.

Run ``python -m engagement_pipeline.warehouse.docs > docs/warehouse.md``; a test keeps them equal.
"""

from __future__ import annotations

from .registry import TABLES

INTRO = """# The analyst warehouse: `outputs/engagement.duckdb`

Generated from the table registry (`engagement_pipeline/warehouse/registry.py`) — the same text is
stored as each table's and column's `COMMENT`, so `SELECT * FROM duckdb_columns()` tells you the
same thing. The rules behind the figures are in [`data-contract.md`](data-contract.md) §4–§5.

**Open it read-only, at any time.** Each pipeline run builds a new file apart and renames it over
this one: a connection you hold keeps seeing the state it opened (reconnect for the new one); a
new connection sees the newest complete state, never half a wave; your connection never makes a
run fail.

```bash
duckdb -readonly outputs/engagement.duckdb
```

```sql
-- Twitter take-up and perceived improvement by wave
SELECT wave, n_respondents, round(pct_users, 1) AS pct_users, round(mean_pct_improved, 1) AS mean_pct_improved
FROM waves ORDER BY wave;

-- Users against non-users, per area, with effect sizes
SELECT wave, area, mean_users, mean_non_users, rank_biserial, rank_biserial_ci_low, rank_biserial_ci_high, p_holm, significant
FROM engagement_comparison WHERE NOT suppressed ORDER BY wave, area;

-- Channel ranking for users
SELECT channel, mean_score, rank FROM channel_impact
WHERE wave = '2019-03' AND respondent_group = 'users' ORDER BY rank;

-- The six findings of a wave
SELECT finding, title, supported, statement FROM findings WHERE wave = '2019-03' ORDER BY finding;
```

```python
import duckdb

with duckdb.connect("outputs/engagement.duckdb", read_only=True) as con:
    responses = con.sql("SELECT * FROM responses WHERE wave = '2019-03'").df()
    barriers = con.sql("SELECT * FROM barriers ORDER BY wave, pct_selected DESC").df()
print(responses.groupby("uses_twitter")["engagement_organisation"].mean())
```

DBeaver: new DuckDB connection to the file, tick *Read-only connection*.

Conventions: percentages are 0–100 at full precision (reports round); intervals are 95 % Wilson
score intervals unless the column says otherwise; rows whose base is below
`ENGAGEMENT_MIN_GROUP_SIZE` (default 11) have their statistics NULL and `suppressed = true`.
Respondents appear only as `respondent_key` (a keyed hash); names, e-mails and raw ids are never
stored.
"""


def render() -> str:
    lines = [INTRO]
    for name, spec in TABLES.items():
        lines += [f"## `{name}`", "", spec.comment, "", f"Grain: one row per {spec.grain}. Key: "
                  f"({', '.join(f'`{c}`' for c in spec.key)}).", "",
                  "| column | type | meaning |", "|---|---|---|"]
        for column in spec.layout([]):
            lines.append(f"| `{column.name}` | {column.type}{'' if column.nullable else ' NOT NULL'} | {column.comment} |")
            if column.name == spec.families_after:
                lines += [f"| `{f.prefix}_<item>` | {f.type} | {f.comment} |" for f in spec.families]
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(), end="")
