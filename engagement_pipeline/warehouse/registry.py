"""Every warehouse table, declared once: the single source of its DDL, comments, checks and docs.

Tables are listed in the order docs/warehouse.md shows them. To add a column, add one
``Column`` here; the store, the blocking checks, the COMMENTs and the docs follow.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from ..contract import DIMENSIONS, GOLDEN_THREADS, NON_USERS, SOURCE_KINDS, THEME_CODE, USERS, ALL
from .tables import (HEX64, NON_EMPTY, PERCENT, PROBABILITY, SCALE_MEAN, Column, Family, Table, count, flag,
                     null_when_suppressed, real, suppressed, text, wave_column, within_interval)

_SCRUBBED = pa.Check(lambda s: ~s.astype("string").str.contains(r"@[A-Za-z0-9_]", regex=True).fillna(False),
                     error="holds an unscrubbed address or handle")
_LIKERT = (pa.Check.isin([1, 2, 3, 4, 5], error="is not a score from 1 to 5"),)


def _answered_by_right_group(frame: pd.DataFrame) -> pd.Series:
    """improved_* and channel_twitter are users' items, barrier_* non-users' (§2)."""
    users = frame["uses_twitter"].astype(bool)
    ok = pd.Series(True, index=frame.index)
    for column in frame.columns:
        if column.startswith("improved_") or column == "channel_twitter":
            ok &= users | frame[column].isna()
        elif column.startswith("barrier_"):
            ok &= ~users | frame[column].isna()
    return ok


def _one_of(values: tuple[str, ...]) -> pa.Check:
    return pa.Check.isin(list(values), error=f"is not one of {', '.join(values)}")


_GOLDEN_THREAD = text("golden_thread", "patient_care, patient_experience or equality_diversity; NULL when the theme has none",
                      pa.Check.isin(list(GOLDEN_THREADS), error=f"golden_thread must be one of {', '.join(GOLDEN_THREADS)} or blank"),
                      nullable=True)
_CI_LOW = real("ci_low", "Wilson 95 % interval, lower end (0-100)", PERCENT)
_CI_HIGH = real("ci_high", "Wilson 95 % interval, upper end (0-100)", PERCENT)
_AREA = text("area", "Engagement area (the engagement_<area> column)", NON_EMPTY)

def _yes_share(name: str, grain: str, comment: str, item: Column, answered: str, yes: tuple[str, str],
               pct: str) -> Table:
    """A yes/no item's share per wave (``perceived_impact``, ``barriers``): counts, the percentage
    and its Wilson interval, all NULL when suppressed."""
    return Table(
        name, grain, comment,
        (wave_column(), item, count("n_answered", answered), count(yes[0], yes[1], nullable=True),
         real(pct, f"100 * {yes[0]} / n_answered", PERCENT), _CI_LOW, _CI_HIGH, suppressed()),
        key=("wave", item.name),
        checks=(null_when_suppressed(yes[0], pct, "ci_low", "ci_high"), within_interval(pct)),
    )


TABLE_LIST = (
    Table(
        "waves", "wave",
        "One row per survey wave: respondents, Twitter take-up and mean perceived improvement.",
        (
            wave_column(),
            count("n_respondents", "Respondents loaded for the wave (quarantined rows excluded)"),
            count("n_users", "Respondents who use Twitter for work"),
            count("n_non_users", "Respondents who do not"),
            real("pct_users", "100 * n_users / n_respondents; NULL when n_respondents is below ENGAGEMENT_MIN_GROUP_SIZE", PERCENT),
            real("mean_pct_improved", "Mean over areas of perceived_impact.pct_improved (reported areas only); NULL when none is reported", PERCENT),
            Column("loaded_at", "TIMESTAMP", "When the wave's survey file was loaded (UTC)"),
        ),
        key=("wave",),
        checks=(pa.Check(lambda f: f["n_users"] + f["n_non_users"] == f["n_respondents"],
                         error="n_users + n_non_users != n_respondents"),),
    ),
    Table(
        "wave_settings", "wave",
        "One row per wave: the pipeline version and settings its published figures were computed with.",
        (
            wave_column(),
            text("pipeline_version", "Version of the pipeline that computed the wave (release + digest of its code)",
                 NON_EMPTY),
            real("alpha", "ENGAGEMENT_ALPHA the wave's tests were judged at", PROBABILITY, nullable=False),
            count("min_group_size", "ENGAGEMENT_MIN_GROUP_SIZE below which the wave's figures are suppressed",
                  pa.Check.ge(1, error="is below 1")),
            real("max_quarantine_fraction", "ENGAGEMENT_MAX_QUARANTINE_FRACTION the wave's files were held to",
                 PROBABILITY, nullable=False),
            Column("computed_at", "TIMESTAMP", "When the wave's tables were computed (UTC)"),
        ),
        key=("wave",),
    ),
    Table(
        "responses", "respondent and wave",
        "One row per respondent and wave: the validated survey answers, pseudonymised and scrubbed.",
        (
            wave_column(),
            text("respondent_key", "HMAC-SHA256 of respondent_id under the organisation's key; stable across waves", HEX64),
            Column("submitted_at", "TIMESTAMP", "When the response was submitted (UTC)"),
            text("locality", "Site or geographical area", NON_EMPTY),
            text("staff_group", "Staff group", NON_EMPTY),
            flag("uses_twitter", "Uses Twitter for work"),
            text("comment", "Free-text comment with e-mail addresses, phone numbers, NHS numbers and @handles replaced",
                 _SCRUBBED, nullable=True),
        ),
        key=("wave", "respondent_key"),
        order_by=(),
        families=(
            Family("engagement", "TINYINT", "Self-rated engagement with this area, 1 not at all engaged … 5 extremely engaged; NULL = not answered", _LIKERT),
            Family("improved", "BOOLEAN", "Users only: has Twitter improved engagement with this area? NULL = not answered or not a user"),
            Family("channel", "TINYINT", "Impact of this channel on the respondent's engagement, 1 no impact … 5 very high impact; NULL = not answered", _LIKERT),
            Family("barrier", "BOOLEAN", "Non-users only: is this a reason for not using Twitter? NULL = not answered or a user"),
        ),
        families_after="uses_twitter",
        checks=(pa.Check(_answered_by_right_group, error="an item answered by the wrong group"),),
    ),
    Table(
        "load_log", "loaded file",
        "One row per loaded input file; rows_read = rows_loaded + rows_quarantined.",
        (
            wave_column(),
            text("source_file", "File name inside the wave folder", NON_EMPTY),
            text("source_kind", "What wrote the file: canonical, ms_forms, surveymonkey, qualtrics or refi_qda",
                 _one_of(SOURCE_KINDS)),
            text("sha256", "SHA-256 of the file's bytes as loaded", HEX64),
            text("instrument_sha256", "SHA-256 of the instrument.yaml in effect when a survey file was loaded (the "
                                      "wave's own, else raw/instrument.yaml); NULL when there was none", HEX64, nullable=True),
            count("rows_read", "Data rows read (blank lines excluded; for a .qdpx, codings)",
                  pa.Check.ge(1, error="is below 1")),
            count("rows_loaded", "Rows that passed every rule"),
            count("rows_quarantined", "Rows set aside in quarantine, excluded ones included"),
            Column("loaded_at", "TIMESTAMP", "When the file was loaded (UTC)"),
        ),
        key=("wave", "source_file"),
        checks=(pa.Check(lambda f: f["rows_read"] == f["rows_loaded"] + f["rows_quarantined"],
                         error="rows_read != rows_loaded + rows_quarantined"),),
    ),
    Table(
        "quarantine", "rejected row and reason",
        "One row per row set aside and reason; the offending cell's content is never stored.",
        (
            wave_column(),
            text("source_file", "File name inside the wave folder", NON_EMPTY),
            count("row_number", "Spreadsheet row number counting every header row (header = 1); for a .qdpx, the coding's position (1 = first)",
                  pa.Check.ge(1, error="is below 1")),
            text("column_name", "Column whose rule the row broke", nullable=True),
            text("reason", "Why the row was set aside", NON_EMPTY),
            flag("excluded", "true when the row was left out on purpose (a survey tool's preview or test, a code outside "
                             "the codebook); such rows do not count towards ENGAGEMENT_MAX_QUARANTINE_FRACTION"),
        ),
        key=("wave", "source_file", "row_number", "column_name", "reason"),
        order_by=("source_file", "row_number", "column_name"),
    ),
    Table(
        "interview_quotes", "coded segment and theme",
        "One row per coded interview segment and theme; quotes are scrubbed.",
        (
            wave_column(),
            text("interview_id", "Interview identifier", NON_EMPTY),
            text("segment_id", "Segment identifier within the interview", NON_EMPTY),
            text("theme", "Codebook theme the segment was coded with", NON_EMPTY),
            text("quote", "The segment's text, scrubbed of e-mail addresses, phone and NHS numbers and @handles",
                 NON_EMPTY, _SCRUBBED),
            text("respondent_key", "Pseudonymised link to the interviewee's survey response, if given", HEX64, nullable=True),
        ),
        key=("wave", "segment_id", "theme"),
        order_by=("interview_id", "segment_id", "theme"),
    ),
    Table(
        "codebook", "wave and theme",
        "The interview codebook as it stood when each wave was loaded: one row per wave and theme.",
        (
            wave_column(),
            text("theme", "Theme code, as used in interview_quotes.theme",
                 pa.Check.str_matches(THEME_CODE, error="theme codes may hold only letters, digits, '_', '.' and '-' (at most 64)")),
            text("label", "Theme label shown in reports", pa.Check.str_length(min_value=1, error="label is blank")),
            text("description", "What the theme covers", nullable=True),
            _GOLDEN_THREAD,
        ),
        key=("wave", "theme"),
    ),
    Table(
        "engagement_comparison", "wave and area",
        "Users against non-users per wave and engagement area: two-sided Mann-Whitney U, rank-biserial, Holm.",
        (
            wave_column(), _AREA,
            count("n_users", "Users who answered the item"),
            count("n_non_users", "Non-users who answered the item"),
            real("mean_users", "Mean score of users (1-5)", SCALE_MEAN),
            real("mean_non_users", "Mean score of non-users (1-5)", SCALE_MEAN),
            real("median_users", "Median score of users", SCALE_MEAN),
            real("median_non_users", "Median score of non-users", SCALE_MEAN),
            real("u_statistic", "Mann-Whitney U of the users' sample (scipy, two-sided, default method)",
                 pa.Check.ge(0, error="is negative")),
            real("p_value", "Two-sided Mann-Whitney p-value", PROBABILITY),
            real("p_holm", "p-value adjusted with Holm's method over the wave's reported areas", PROBABILITY),
            real("rank_biserial", "2U/(n_users*n_non_users) - 1; positive when users score higher",
                 pa.Check.in_range(-1, 1, error="is outside -1 to 1")),
            real("rank_biserial_ci_low", "Lower end of a seeded bootstrap 95 % interval of rank_biserial",
                 pa.Check.in_range(-1, 1, error="is outside -1 to 1")),
            real("rank_biserial_ci_high", "Upper end of a seeded bootstrap 95 % interval of rank_biserial",
                 pa.Check.in_range(-1, 1, error="is outside -1 to 1")),
            flag("significant", "p_holm < ENGAGEMENT_ALPHA (default 0.05)", nullable=True),
            suppressed(),
        ),
        key=("wave", "area"),
        checks=(null_when_suppressed("mean_users", "mean_non_users", "u_statistic", "p_value", "p_holm", "rank_biserial"),
                pa.Check(lambda f: f["p_holm"].isna() | (f["p_holm"] >= f["p_value"] - 1e-12),
                         error="p_holm is below p_value")),
    ),
    Table(
        "engagement_adjusted", "wave and area",
        "Twitter-use coefficient of an OLS regression of each area's score on Twitter use, staff group and locality (HC3 errors).",
        (
            wave_column(), _AREA,
            count("n", "Respondents in the regression; NULL when suppressed", nullable=True),
            real("estimate", "Adjusted difference users minus non-users, in scale points; NULL when suppressed, or when "
                             "not estimable (Twitter use cannot be separated from staff group and locality, the "
                             "estimate rests on one respondent, or the model fits every score exactly so no error "
                             "can be estimated) with suppressed false"),
            real("ci_low", "Lower end of the 95 % confidence interval"),
            real("ci_high", "Upper end of the 95 % confidence interval"),
            real("p_value", "Two-sided p-value of the coefficient", PROBABILITY),
            real("p_holm", "p_value adjusted with Holm's method over the wave's estimated areas", PROBABILITY),
            flag("significant", "p_holm < ENGAGEMENT_ALPHA; NULL when the coefficient could not be estimated", nullable=True),
            real("odds_ratio", "Ordinal check: exp of the Twitter-use coefficient of a proportional-odds (ordinal logistic) "
                               "model of the score on Twitter use, staff group and locality (statsmodels OrderedModel, "
                               "logit); the odds of a higher score for users; respondents alone in a locality or staff "
                               "group left out; NULL when not estimable", pa.Check.gt(0, error="is not positive")),
            real("odds_ratio_ci_low", "Lower end of the Wald 95 % interval of odds_ratio"),
            real("odds_ratio_ci_high", "Upper end of the Wald 95 % interval of odds_ratio"),
            real("odds_ratio_p_value", "Two-sided Wald p-value of the ordinal Twitter-use coefficient", PROBABILITY),
            real("odds_ratio_p_holm", "odds_ratio_p_value adjusted with Holm's method over the wave's estimated areas",
                 PROBABILITY),
            flag("models_agree", "true when OLS and the ordinal model reach the same verdict (a significant difference "
                                 "in the same direction, or neither significant, each Holm-adjusted); NULL when either "
                                 "could not be estimated", nullable=True),
            suppressed(),
        ),
        key=("wave", "area"),
        checks=(null_when_suppressed("n", "estimate", "ci_low", "ci_high", "p_value", "p_holm", "odds_ratio",
                                     "odds_ratio_p_value"),
                within_interval("estimate"),
                within_interval("odds_ratio", "odds_ratio_ci_low", "odds_ratio_ci_high")),
    ),
    _yes_share("perceived_impact", "wave and area",
               "Share of users saying Twitter improved their engagement, per wave and area, with Wilson 95 % intervals.",
               text("area", "Engagement area (the improved_<area> column)", NON_EMPTY),
               "Users who answered the item", ("n_improved", "Users answering yes"), "pct_improved"),
    Table(
        "channel_impact", "wave, channel and group",
        "Mean impact of each communication channel on engagement, per wave and group, ranked within the group.",
        (
            wave_column(),
            text("channel", "Channel (the channel_<channel> column)", NON_EMPTY),
            text("respondent_group", "users or non_users (Twitter is rated by users only)", _one_of((USERS, NON_USERS))),
            count("n", "Respondents who rated the channel; NULL when suppressed", nullable=True),
            real("mean_score", "Mean impact score (1-5)", SCALE_MEAN),
            real("ci_low", "Lower end of the 95 % t-interval of mean_score (mean - t(0.975, n-1) * s / sqrt(n)); "
                           "NULL when suppressed or n = 1"),
            real("ci_high", "Upper end of the 95 % t-interval of mean_score (mean + t(0.975, n-1) * s / sqrt(n))"),
            count("rank", "1 = highest mean within (wave, group); ties share the lower number (RANK())",
                  pa.Check.ge(1, error="is below 1"), nullable=True),
            suppressed(),
        ),
        key=("wave", "channel", "respondent_group"),
        order_by=("respondent_group", "rank", "channel"),
        checks=(null_when_suppressed("n", "mean_score", "ci_low", "ci_high", "rank"), within_interval("mean_score")),
    ),
    Table(
        "channel_comparison", "wave and channel",
        "Twitter against each other channel on the users who rated both: Wilcoxon signed-rank test of the "
        "paired ratings, Holm over channels.",
        (
            wave_column(),
            text("channel", "The channel Twitter is compared with (the channel_<channel> column)", NON_EMPTY),
            count("n_pairs", "Users who rated both Twitter and the channel; NULL when suppressed", nullable=True),
            count("n_nonzero", "Of those, users who rated the two differently (the test's sample)", nullable=True),
            real("mean_difference", "Mean of Twitter minus the channel over the pairs, in scale points; positive when "
                                    "users rate Twitter higher", pa.Check.in_range(-4, 4, error="is outside -4 to 4")),
            real("p_value", "Two-sided Wilcoxon signed-rank p on the non-zero differences: exact (all sign patterns, "
                            "mid-ranks for ties) up to 50 of them, scipy's normal approximation above", PROBABILITY),
            real("p_holm", "p_value adjusted with Holm's method over the wave's reported channels", PROBABILITY),
            flag("significant", "p_holm < ENGAGEMENT_ALPHA", nullable=True),
            flag("suppressed", "true when fewer than ENGAGEMENT_MIN_GROUP_SIZE users rated both, or when 1 to "
                               "ENGAGEMENT_MIN_GROUP_SIZE - 1 users rated only one of the two (their mean would "
                               "follow from channel_impact); the figures are then NULL"),
        ),
        key=("wave", "channel"),
        checks=(null_when_suppressed("n_pairs", "n_nonzero", "mean_difference", "p_value", "p_holm"),
                pa.Check(lambda f: f["p_holm"].isna() | (f["p_holm"] >= f["p_value"] - 1e-12),
                         error="p_holm is below p_value"),
                pa.Check(lambda f: f["n_nonzero"].isna() | (f["n_nonzero"] <= f["n_pairs"]),
                         error="more non-zero differences than pairs")),
    ),
    _yes_share("barriers", "wave and barrier",
               "Non-users' reasons for not using Twitter, per wave and barrier, with Wilson 95 % intervals.",
               text("barrier", "Barrier (the barrier_<barrier> column)", NON_EMPTY),
               "Non-users who answered the item", ("n_selected", "Non-users who ticked it"), "pct_selected"),
    Table(
        "item_response", "wave, item and group",
        "Item non-response: how many of each respondent group answered each item they were asked, with Wilson 95 % intervals.",
        (
            wave_column(),
            text("item", "The item's column in responses (engagement_*, improved_*, channel_*, barrier_*)", NON_EMPTY),
            text("respondent_group", "users or non_users; improved_* and channel_twitter are asked of users, "
                                     "barrier_* of non-users", _one_of((USERS, NON_USERS))),
            count("n_asked", "Respondents of the group in the wave (all were asked the item); NULL when suppressed",
                  nullable=True),
            count("n_answered", "Of those, respondents who answered it; NULL when suppressed", nullable=True),
            real("pct_answered", "100 * n_answered / n_asked", PERCENT),
            _CI_LOW, _CI_HIGH,
            flag("suppressed", "true when the group has fewer than ENGAGEMENT_MIN_GROUP_SIZE respondents; the figures "
                               "are then NULL"),
        ),
        key=("wave", "item", "respondent_group"),
        order_by=(),
        checks=(null_when_suppressed("n_asked", "n_answered", "pct_answered", "ci_low", "ci_high"),
                within_interval("pct_answered"),
                pa.Check(lambda f: f["n_answered"].isna() | (f["n_answered"] <= f["n_asked"]),
                         error="more answered than asked")),
    ),
    Table(
        "engagement_by_group", "wave, dimension, category, area and group",
        "Mean engagement per wave, locality or staff group, area and respondent group.",
        (
            wave_column(),
            text("dimension", "locality or staff_group", _one_of(DIMENSIONS)),
            text("category", "The locality or staff group", NON_EMPTY),
            _AREA,
            text("respondent_group", "users, non_users or all", _one_of((USERS, NON_USERS, ALL))),
            count("n", "Respondents who answered; NULL when suppressed", nullable=True),
            real("mean_score", "Mean score (1-5)", SCALE_MEAN),
            flag("suppressed", "true when the base is below ENGAGEMENT_MIN_GROUP_SIZE, or when the row must go with "
                               "such a row so that no suppressed figure can be worked out by differencing (users + "
                               "non_users = all; a group's categories add up to engagement_comparison's wave figure); "
                               "n and mean_score are then NULL"),
        ),
        key=("wave", "dimension", "category", "area", "respondent_group"),
        checks=(null_when_suppressed("n", "mean_score"),),
    ),
    Table(
        "interview_themes", "wave and theme",
        "How many interviews and coded segments raised each codebook theme, per wave.",
        (
            wave_column(),
            text("theme", "Codebook theme code", NON_EMPTY),
            text("label", "Theme label", NON_EMPTY),
            _GOLDEN_THREAD,
            count("n_interviews", "Interviews with at least one segment on the theme"),
            count("n_segments", "Segments coded with the theme"),
        ),
        key=("wave", "theme"),
        checks=(pa.Check(lambda f: f["n_interviews"] <= f["n_segments"], error="more interviews than segments"),),
    ),
    Table(
        "findings", "wave and finding",
        "The study's six findings, restated from each wave's own figures.",
        (
            wave_column(),
            count("finding", "Finding number, 1-6", pa.Check.in_range(1, 6, error="is not a finding number 1-6")),
            text("title", "The finding as the study framed it", NON_EMPTY),
            text("headline", "What this wave's figures show, in one plain sentence with its key figure (the report's "
                 "heading and In-brief line)", NON_EMPTY),
            text("statement", "What this wave's figures show: plain sentences with counts, then after \"How we know:\" "
                 "the tests, intervals and adjustments", NON_EMPTY),
            flag("supported", "Whether the wave's figures support the finding (docs/data-contract.md §5); NULL where it cannot be judged",
                 nullable=True),
        ),
        key=("wave", "finding"),
    ),
)

TABLES: dict[str, Table] = {table.name: table for table in TABLE_LIST}
