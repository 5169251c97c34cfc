"""What each published table and column means: the source of every COMMENT in the warehouse.

Kept in one place so the warehouse, its documentation and the tests agree (contract §5).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TableDoc:
    comment: str
    columns: dict[str, str] = field(default_factory=dict)
    order_by: tuple[str, ...] = ("wave",)


FAMILY_COMMENTS = {
    "engagement": "Self-rated engagement with this area, 1 not at all engaged … 5 extremely engaged; NULL = not answered",
    "improved": "Users only: has Twitter improved engagement with this area? NULL = not answered or not a user",
    "channel": "Impact of this channel on the respondent's engagement, 1 no impact … 5 very high impact; NULL = not answered",
    "barrier": "Non-users only: is this a reason for not using Twitter? NULL = not answered or a user",
}

SUPPRESSED = "true when the base is below ENGAGEMENT_MIN_GROUP_SIZE; the statistics are then NULL"

TABLES: dict[str, TableDoc] = {
    "waves": TableDoc(
        "One row per survey wave: respondents, Twitter take-up and mean perceived improvement.",
        {
            "wave": "Wave name (the input folder's name); waves sort by name",
            "n_respondents": "Respondents loaded for the wave (quarantined rows excluded)",
            "n_users": "Respondents who use Twitter for work",
            "n_non_users": "Respondents who do not",
            "pct_users": "100 * n_users / n_respondents",
            "mean_pct_improved": "Mean over areas of perceived_impact.pct_improved (reported areas only); NULL when none is reported",
            "loaded_at": "When the wave's survey file was loaded (UTC)",
        },
    ),
    "responses": TableDoc(
        "One row per respondent and wave: the validated survey answers, pseudonymised and scrubbed.",
        {
            "wave": "Wave name",
            "respondent_key": "HMAC-SHA256 of respondent_id under the organisation's key; stable across waves",
            "submitted_at": "When the response was submitted (UTC)",
            "locality": "Site or geographical area",
            "staff_group": "Staff group",
            "uses_twitter": "Uses Twitter for work",
            "comment": "Free-text comment with e-mail addresses, phone numbers, NHS numbers and @handles replaced",
        },
        ("wave", "respondent_key"),
    ),
    "load_log": TableDoc(
        "One row per loaded input file; rows_read = rows_loaded + rows_quarantined.",
        {
            "wave": "Wave name",
            "source_file": "File name inside the wave folder",
            "sha256": "SHA-256 of the file's bytes as loaded",
            "rows_read": "Data rows read (blank lines excluded)",
            "rows_loaded": "Rows that passed every rule",
            "rows_quarantined": "Rows set aside in quarantine",
            "loaded_at": "When the file was loaded (UTC)",
        },
        ("wave", "source_file"),
    ),
    "quarantine": TableDoc(
        "One row per rejected row and reason; the offending cell's content is never stored.",
        {
            "wave": "Wave name",
            "source_file": "File name inside the wave folder",
            "row_number": "Spreadsheet row number (the header is row 1)",
            "column": "Column whose rule the row broke",
            "reason": "Why the row was set aside",
        },
        ("wave", "source_file", "row_number", "column"),
    ),
    "interview_quotes": TableDoc(
        "One row per coded interview segment and theme; quotes are scrubbed.",
        {
            "wave": "Wave name",
            "interview_id": "Interview identifier",
            "segment_id": "Segment identifier within the interview",
            "theme": "Codebook theme the segment was coded with",
            "quote": "The segment's text, scrubbed of e-mail addresses, phone and NHS numbers and @handles",
            "respondent_key": "Pseudonymised link to the interviewee's survey response, if given",
        },
        ("wave", "interview_id", "segment_id", "theme"),
    ),
}


def column_comment(table: str, column: str) -> str:
    """The comment of a column, including open-family columns such as channel_podcast."""
    doc = TABLES[table]
    if column in doc.columns:
        return doc.columns[column]
    family, _, item = column.partition("_")
    if family in FAMILY_COMMENTS:
        return f"{FAMILY_COMMENTS[family]} ({item.replace('_', ' ')})"
    raise KeyError(f"no comment for {table}.{column}")
