"""What each published table and column means: the source of every COMMENT in the warehouse.

Kept in one place so the warehouse, its documentation and the tests agree (contract §5).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..ingest.columns import FAMILIES, family_of


@dataclass(frozen=True)
class TableDoc:
    comment: str
    columns: dict[str, str] = field(default_factory=dict)
    #: Row order within a wave, kept as rows are written (a wave's responses stay in file order).
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
            "pct_users": "100 * n_users / n_respondents; NULL when n_respondents is below ENGAGEMENT_MIN_GROUP_SIZE",
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
    "codebook": TableDoc(
        "The interview codebook as it stood when each wave was loaded: one row per wave and theme.",
        {
            "wave": "Wave name",
            "theme": "Theme code, as used in interview_quotes.theme",
            "label": "Theme label shown in reports",
            "description": "What the theme covers",
            "golden_thread": "patient_care, patient_experience or equality_diversity; NULL when the theme has none",
        },
        ("wave", "theme"),
    ),
}


TABLES.update({
    "engagement_comparison": TableDoc(
        "Users against non-users per wave and engagement area: two-sided Mann-Whitney U, rank-biserial, Holm.",
        {
            "wave": "Wave name", "area": "Engagement area (the engagement_<area> column)",
            "n_users": "Users who answered the item", "n_non_users": "Non-users who answered the item",
            "mean_users": "Mean score of users (1-5)", "mean_non_users": "Mean score of non-users (1-5)",
            "median_users": "Median score of users", "median_non_users": "Median score of non-users",
            "u_statistic": "Mann-Whitney U of the users' sample (scipy, two-sided, default method)",
            "p_value": "Two-sided Mann-Whitney p-value",
            "p_holm": "p-value adjusted with Holm's method over the wave's reported areas",
            "rank_biserial": "2U/(n_users*n_non_users) - 1; positive when users score higher",
            "rank_biserial_ci_low": "Lower end of a seeded bootstrap 95 % interval of rank_biserial",
            "rank_biserial_ci_high": "Upper end of a seeded bootstrap 95 % interval of rank_biserial",
            "significant": "p_holm < ENGAGEMENT_ALPHA (default 0.05)",
            "suppressed": SUPPRESSED,
        },
        ("wave", "area"),
    ),
    "engagement_adjusted": TableDoc(
        "Twitter-use coefficient of an OLS regression of each area's score on Twitter use, staff group and locality (HC3 errors).",
        {
            "wave": "Wave name", "area": "Engagement area", "n": "Respondents in the regression",
            "estimate": "Adjusted difference users minus non-users, in scale points",
            "ci_low": "Lower end of the 95 % confidence interval", "ci_high": "Upper end of the 95 % confidence interval",
            "p_value": "Two-sided p-value of the coefficient", "suppressed": SUPPRESSED,
        },
        ("wave", "area"),
    ),
    "perceived_impact": TableDoc(
        "Share of users saying Twitter improved their engagement, per wave and area, with Wilson 95 % intervals.",
        {
            "wave": "Wave name", "area": "Engagement area (the improved_<area> column)",
            "n_answered": "Users who answered the item", "n_improved": "Users answering yes",
            "pct_improved": "100 * n_improved / n_answered", "ci_low": "Wilson 95 % interval, lower (0-100)",
            "ci_high": "Wilson 95 % interval, upper (0-100)", "suppressed": SUPPRESSED,
        },
        ("wave", "area"),
    ),
    "channel_impact": TableDoc(
        "Mean impact of each communication channel on engagement, per wave and group, ranked within the group.",
        {
            "wave": "Wave name", "channel": "Channel (the channel_<channel> column)",
            "respondent_group": "users or non_users (Twitter is rated by users only)",
            "n": "Respondents who rated the channel", "mean_score": "Mean impact score (1-5)",
            "rank": "1 = highest mean within (wave, group); ties share the lower number (RANK())",
            "suppressed": SUPPRESSED,
        },
        ("wave", "respondent_group", "rank", "channel"),
    ),
    "barriers": TableDoc(
        "Non-users' reasons for not using Twitter, per wave and barrier, with Wilson 95 % intervals.",
        {
            "wave": "Wave name", "barrier": "Barrier (the barrier_<barrier> column)",
            "n_answered": "Non-users who answered the item", "n_selected": "Non-users who ticked it",
            "pct_selected": "100 * n_selected / n_answered", "ci_low": "Wilson 95 % interval, lower (0-100)",
            "ci_high": "Wilson 95 % interval, upper (0-100)", "suppressed": SUPPRESSED,
        },
        ("wave", "barrier"),
    ),
    "engagement_by_group": TableDoc(
        "Mean engagement per wave, locality or staff group, area and respondent group.",
        {
            "wave": "Wave name", "dimension": "locality or staff_group", "category": "The locality or staff group",
            "area": "Engagement area", "respondent_group": "users, non_users or all",
            "n": "Respondents who answered", "mean_score": "Mean score (1-5)", "suppressed": SUPPRESSED,
        },
        ("wave", "dimension", "category", "area", "respondent_group"),
    ),
    "interview_themes": TableDoc(
        "How many interviews and coded segments raised each codebook theme, per wave.",
        {
            "wave": "Wave name", "theme": "Codebook theme code", "label": "Theme label",
            "golden_thread": "patient_care, patient_experience, equality_diversity, or NULL",
            "n_interviews": "Interviews with at least one segment on the theme",
            "n_segments": "Segments coded with the theme",
        },
        ("wave", "theme"),
    ),
    "findings": TableDoc(
        "The study's six findings, restated from each wave's own figures.",
        {
            "wave": "Wave name", "finding": "Finding number, 1-6", "title": "The finding as the study framed it",
            "statement": "What this wave's figures show, with counts, intervals and tests",
            "supported": "Whether the wave's figures support the finding (contract rules); NULL where it cannot be judged",
        },
        ("wave", "finding"),
    ),
})


def column_comment(table: str, column: str) -> str:
    """The comment of a column, including open-family columns such as channel_podcast."""
    doc = TABLES[table]
    if column in doc.columns:
        return doc.columns[column]
    family, _, item = column.partition("_")
    if family in FAMILY_COMMENTS:
        return f"{FAMILY_COMMENTS[family]} ({item.replace('_', ' ')})"
    raise KeyError(f"no comment for {table}.{column}")


def ordered_columns(table: str, columns: list[str]) -> list[str]:
    """A table's columns as analysts read them: fixed columns in catalog order, then each family's
    columns together, then the rest (a table the catalog does not know keeps its order)."""
    if table not in TABLES:
        return list(columns)
    known = [c for c in TABLES[table].columns if c in columns and c != "comment"]
    families = [c for family in FAMILIES for c in columns if (parsed := family_of(c)) and parsed[0] == family]
    return known + families + [c for c in columns if c not in known and c not in families]
