"""The six findings (docs/data-contract.md §5 ``findings.supported``): verdicts, and statements that never claim
more than the verdict and whose figures are the tables' figures."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from engagement_pipeline.analysis.analyse import WaveAnalysis, analyse_wave
from engagement_pipeline.ingest.columns import survey_layout
from engagement_pipeline.ingest.survey import typed_responses
from engagement_pipeline.reporting.findings import findings
from engagement_pipeline.reporting.wording import split_statement
from engagement_pipeline.synthetic import (
    STUDY_PROFILE,
    WaveProfile,
    generate_interviews,
    generate_survey,
)
from .wave_builders import ALPHA, KEY, LOADED_AT, MIN_GROUP_SIZE, NAMES, TOO_FEW, _cheap_gc_collect, typed_codebook, typed_quotes  # noqa: F401


# --- building waves ----------------------------------------------------------------------------------


def no_quotes(wave: str) -> pd.DataFrame:
    return typed_quotes(pd.DataFrame(columns=["interview_id", "segment_id", "theme", "quote", "respondent_id"]), wave)


def typed_survey(raw: pd.DataFrame, wave: str) -> pd.DataFrame:
    return typed_responses(raw, survey_layout(list(raw.columns), "survey_responses.csv"), wave, KEY)


SAME_ENGAGEMENT = {
    "organisation": [0.02, 0.13, 0.40, 0.35, 0.10],
    "executive_team": [0.04, 0.18, 0.40, 0.30, 0.08],
    "colleagues": [0.02, 0.10, 0.38, 0.40, 0.10],
}
NO_EFFECT_PROFILE = WaveProfile(
    # users and non-users have the same engagement; under a third say Twitter helped; Twitter
    # is the users' least useful channel.
    pct_users=0.50,
    improved={"organisation": 0.30, "executive_team": 0.25, "colleagues": 0.35},
    barrier_no_value=0.37,
    barrier_other=0.29,
    barrier_blank=0.11,
    engagement_users=SAME_ENGAGEMENT,
    engagement_non_users=dict(SAME_ENGAGEMENT),
    channels_users={**STUDY_PROFILE.channels_users, "twitter": [0.40, 0.30, 0.20, 0.10, 0.00]},
    channels_non_users=STUDY_PROFILE.channels_non_users,
)
PARTIAL_PROFILE = WaveProfile(
    # a clear gap for organisation only; the other two areas are the same for both groups
    pct_users=0.50,
    improved=STUDY_PROFILE.improved,
    barrier_no_value=0.37,
    barrier_other=0.29,
    barrier_blank=0.11,
    engagement_users={**SAME_ENGAGEMENT, "organisation": [0.00, 0.02, 0.10, 0.48, 0.40]},
    engagement_non_users={**SAME_ENGAGEMENT, "organisation": [0.10, 0.30, 0.40, 0.18, 0.02]},
    channels_users=STUDY_PROFILE.channels_users,
    channels_non_users=STUDY_PROFILE.channels_non_users,
)


def scenario(n: int, seed: int, profile: WaveProfile, *, interviews: str = "all", wave: str = "2019-03"):
    raw = generate_survey(n, seed, profile)
    responses = typed_survey(raw, wave)
    book = typed_codebook()
    if interviews == "none":
        quotes = no_quotes(wave)
    else:
        quotes = typed_quotes(generate_interviews(raw, seed), wave)
        if interviews == "no_golden_thread":
            plain = set(book.loc[book["golden_thread"].isna(), "theme"])
            quotes = quotes[quotes["theme"].isin(plain)].reset_index(drop=True)
    analysis = analyse_wave(responses, quotes, book, wave, MIN_GROUP_SIZE, ALPHA, LOADED_AT)
    return analysis, findings(analysis, NAMES), quotes, book


SCENARIOS = {
    # name: (n, seed, profile, interviews)
    "study_54": (54, 20190301, STUDY_PROFILE, "all"),
    "study_300": (300, 7, STUDY_PROFILE, "all"),
    "no_effect": (120, 11, NO_EFFECT_PROFILE, "none"),
    "partial": (200, 5, PARTIAL_PROFILE, "no_golden_thread"),
    "tiny": (8, 3, STUDY_PROFILE, "none"),
}
# expected supported values of findings 1-4 (docs/data-contract.md §5)
EXPECTED = {
    "study_54": (True, True, True, True),
    "study_300": (True, True, True, True),
    "no_effect": (False, False, False, None),
    "partial": (False, True, True, False),
    "tiny": (None, None, None, None),
}


@pytest.fixture(scope="module")
def waves() -> dict[str, tuple[WaveAnalysis, pd.DataFrame, pd.DataFrame, pd.DataFrame]]:
    return {name: scenario(n, seed, profile, interviews=kind) for name, (n, seed, profile, kind) in SCENARIOS.items()}


def statement(table: pd.DataFrame, number: int) -> str:
    return str(table.loc[table["finding"] == number, "statement"].iloc[0])


def headline(table: pd.DataFrame, number: int) -> str:
    return str(table.loc[table["finding"] == number, "headline"].iloc[0])


def how(table: pd.DataFrame, number: int) -> str:
    """The statistics part of a statement (after "How we know:"); empty when there is none."""
    return split_statement(statement(table, number))[1]


def plain(table: pd.DataFrame, number: int) -> str:
    return split_statement(statement(table, number))[0]


def supported(table: pd.DataFrame, number: int) -> bool | None:
    value = table.loc[table["finding"] == number, "supported"].iloc[0]
    return None if pd.isna(value) else bool(value)


def ordinal(n: int) -> str:
    """Written independently of reporting.wording: 1st 2nd 3rd 4th ... 11th 12th 13th ... 21st."""
    if n % 100 in (11, 12, 13):
        return f"{n}th"
    return f"{n}" + {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


# --- shape and verdicts ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", SCENARIOS)
def test_six_numbered_findings(waves, name):
    analysis, table, _, _ = waves[name]
    assert table["finding"].tolist() == [1, 2, 3, 4, 5, 6]
    assert set(table["wave"]) == {analysis.wave}
    assert table["title"].str.len().gt(0).all() and table["statement"].str.len().gt(0).all()
    assert table["headline"].str.len().gt(0).all()
    assert list(table.columns) == ["wave", "finding", "title", "headline", "statement", "supported"]


@pytest.mark.parametrize("name", SCENARIOS)
def test_verdicts(waves, name):
    _, table, _, _ = waves[name]
    assert tuple(supported(table, k) for k in (1, 2, 3, 4)) == EXPECTED[name]
    assert supported(table, 5) is None and supported(table, 6) is None


def test_the_scenarios_are_what_they_claim(waves):
    """Guard the fixtures: no-effect really has identical groups, tiny really is all suppressed."""
    no_effect = waves["no_effect"][0].engagement_comparison
    assert (no_effect["rank_biserial"] == 0).all() and not no_effect["significant"].any()
    tiny = waves["tiny"][0]
    for name in ("engagement_comparison", "engagement_adjusted", "perceived_impact", "channel_impact", "barriers"):
        assert getattr(tiny, name)["suppressed"].all(), name


# --- finding 1 ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", SCENARIOS)
def test_finding_1_follows_the_comparison_table(waves, name):
    analysis, table, _, _ = waves[name]
    comparison = analysis.engagement_comparison
    reported = comparison[~comparison["suppressed"]]
    text = statement(table, 1)
    if reported.empty:
        expected = None
    else:
        expected = bool((reported["significant"].astype(bool) & (reported["rank_biserial"] > 0)
                         & (reported["mean_users"] > reported["mean_non_users"])).all())
    assert supported(table, 1) is expected
    claims_all = "rated their engagement higher than non-users in" in text
    assert claims_all == (expected is True)
    assert ("higher than non-users did: on average" in headline(table, 1)) == (expected is True)
    assert (TOO_FEW in text) == (expected is None or bool(comparison["suppressed"].any()))
    stats = how(table, 1)
    for r in reported.itertuples():
        users, non_users = f"{r.mean_users:.1f}", f"{r.mean_non_users:.1f}"
        if users != non_users:
            assert f"with {NAMES(r.area)} {users} against {non_users}" in plain(table, 1)
        assert f"{r.rank_biserial_ci_low:.2f} to {r.rank_biserial_ci_high:.2f}" in stats
        assert f"{(r.rank_biserial + 1) / 2:.2f} for {NAMES(r.area)}" in stats
    if len(reported):
        assert "with probability" in stats and "(ties counted half; rank-biserial" in stats


def test_finding_1_names_the_areas_without_a_difference(waves):
    analysis, table, _, _ = waves["partial"]
    comparison = analysis.engagement_comparison.set_index("area")
    assert bool(comparison.loc["organisation", "significant"])
    assert not comparison.loc["executive_team", "significant"] and not comparison.loc["colleagues", "significant"]
    text = statement(table, 1)
    assert "There is no statistically significant difference for executive team and colleagues." in text
    assert "Users scored significantly higher for organisation only." in text
    assert "rated their engagement higher than non-users in" not in text
    assert headline(table, 1).startswith("Twitter users rated their engagement with organisation higher than "
                                         "non-users did (")
    assert headline(table, 1).endswith("out of 5), but not with executive team and colleagues")


def test_finding_1_too_few(waves):
    text = statement(waves["tiny"][1], 1)
    assert TOO_FEW in text
    assert f"fewer than {MIN_GROUP_SIZE}" in text
    assert "higher engagement" not in text
    assert TOO_FEW in headline(waves["tiny"][1], 1) and "higher" not in headline(waves["tiny"][1], 1)


def test_finding_1_does_not_claim_a_surviving_difference_when_unsupported():
    """Mann-Whitney p = 0.062 in each of two identical areas (Holm 0.12): not significant, so
    finding 1 is false; the regression's HC3 p-value is 0.036 in each area. The statement must not then say that
    "the difference remains statistically significant in every area": there was no difference
    to remain (contract: a statement never claims a difference its `supported` does not)."""
    n = 6
    users = [5, 4, 4, 5, 3, 4]
    non_users = [3, 4, 3, 2, 4, 3]
    uses = [True] * n + [False] * n
    scores = users + non_users
    responses = pd.DataFrame({
        "wave": pd.array(["w"] * 2 * n, dtype="string"),
        "respondent_key": pd.array([f"k{i}" for i in range(2 * n)], dtype="string"),
        "submitted_at": pd.Series([pd.Timestamp("2019-03-04")] * 2 * n).astype("datetime64[us]"),
        "locality": pd.array(["north"] * 2 * n, dtype="string"),
        "staff_group": pd.array(["nursing"] * 2 * n, dtype="string"),
        "uses_twitter": np.array(uses),
        **{f"engagement_{a}": pd.array(scores, dtype="Int8") for a in ("organisation", "colleagues")},
    })
    analysis = analyse_wave(responses, no_quotes("w"), typed_codebook(), "w", 3, ALPHA, LOADED_AT)
    comparison, adjusted = analysis.engagement_comparison, analysis.engagement_adjusted
    assert not comparison["significant"].any()
    assert (adjusted["p_value"] < ALPHA).all() and (adjusted["estimate"] > 0).all()  # the set-up
    table = findings(analysis, NAMES)
    assert supported(table, 1) is False
    assert "remains statistically significant in every area" not in statement(table, 1)


# --- finding 2 ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", SCENARIOS)
def test_finding_2_follows_the_perceived_impact_table(waves, name):
    analysis, table, _, _ = waves[name]
    perceived = analysis.perceived_impact
    reported = perceived[~perceived["suppressed"]]
    text = statement(table, 2)
    if reported.empty:
        assert supported(table, 2) is None
        assert TOO_FEW in text
        return
    mean = float(reported["pct_improved"].mean())
    assert supported(table, 2) is (mean > 50)
    assert ("not a majority" in text) == (mean <= 50)
    assert ("not a majority" in headline(table, 2)) == (mean <= 50)
    assert re.search(r"On average (\d+) %", headline(table, 2)).group(1) == str(round(mean))
    assert re.search(r"on average (\d+) %", plain(table, 2)).group(1) == str(round(mean))
    for r in reported.itertuples():
        assert f"{NAMES(r.area)} {r.n_improved} of {r.n_answered} ({r.pct_improved:.0f} %)" in plain(table, 2)
        assert f"{NAMES(r.area)} {r.ci_low:.0f}–{r.ci_high:.0f} %" in how(table, 2)


def test_finding_2_not_a_majority(waves):
    analysis, table, _, _ = waves["no_effect"]
    assert supported(table, 2) is False
    assert "not a majority" in statement(table, 2)
    # 30 %, 25 %, 35 % of 60 users: 18, 15 and 21 of 60 -> mean 30 %
    assert headline(table, 2) == ("On average 30 % of Twitter users said Twitter had improved their engagement with "
                                  "organisation, executive team and colleagues: not a majority")
    assert analysis.perceived_impact["n_improved"].tolist() == [18, 15, 21]


def test_finding_2_study_figures(waves):
    # STUDY.md: 20, 21 and 19 of 27 users -> 74, 78, 70 %, mean 74 %
    analysis, table, _, _ = waves["study_54"]
    assert analysis.perceived_impact["n_improved"].tolist() == [20, 21, 19]
    assert headline(table, 2).startswith("On average 74 % of Twitter users said Twitter had improved their engagement")
    assert "organisation 20 of 27 (74 %); executive team 21 of 27 (78 %); colleagues 19 of 27 (70 %); " \
           "on average 74 %." in statement(table, 2)
    assert "not a majority" not in statement(table, 2)


# --- finding 3 ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", SCENARIOS)
def test_finding_3_follows_the_channel_table(waves, name):
    analysis, table, _, _ = waves[name]
    users = analysis.channel_impact[analysis.channel_impact["respondent_group"] == "users"]
    twitter = users[users["channel"] == "twitter"].iloc[0]
    text = statement(table, 3)
    if twitter["suppressed"]:
        assert supported(table, 3) is None
        assert TOO_FEW in text
        assert not re.search(r"ranked \d", text)
        return
    rank = int(twitter["rank"])
    hidden = users["suppressed"].any()
    if hidden:
        assert supported(table, 3) is (None if twitter["mean_score"] < 5 else False)
    else:
        assert supported(table, 3) is (rank <= 2 and len(users) >= 3)
    match = re.search(r"Twitter ranked (?:jointly )?(\d+)(st|nd|rd|th) of (\d+) (?:reported )?channels", text)
    assert match is not None, text
    assert match.group(1) + match.group(2) == ordinal(rank)
    assert int(match.group(3)) == int((~users["suppressed"]).sum())
    assert f"({twitter['mean_score']:.2f} out of 5)" in text
    assert f"{ordinal(rank)} of {int((~users['suppressed']).sum())} communication channels" in headline(table, 3)


def test_finding_3_low_rank(waves):
    analysis, table, _, _ = waves["no_effect"]
    assert "Twitter ranked 6th of 6 channels" in statement(table, 3)
    assert supported(table, 3) is False


def test_finding_3_tied_first_is_not_behind_anyone():
    """Twitter and face-to-face share rank 1 (RANK() semantics): the statement must not say that
    Twitter, ranked 1st, is "behind" another channel."""
    f2f = [5, 4, 5, 4, 5, 4]
    twitter = [4, 5, 4, 5, 4, 5]  # same mean, 4.5
    n = 12
    responses = pd.DataFrame({
        "wave": pd.array(["w"] * n, dtype="string"),
        "respondent_key": pd.array([f"k{i}" for i in range(n)], dtype="string"),
        "submitted_at": pd.Series([pd.Timestamp("2019-03-04")] * n).astype("datetime64[us]"),
        "locality": pd.array(["north"] * n, dtype="string"),
        "staff_group": pd.array(["nursing"] * n, dtype="string"),
        "uses_twitter": np.array([True] * 6 + [False] * 6),
        "engagement_organisation": pd.array([4] * n, dtype="Int8"),
        "channel_face_to_face_senior": pd.array(f2f + [4] * 6, dtype="Int8"),
        "channel_intranet": pd.array([2] * n, dtype="Int8"),
        "channel_twitter": pd.array(twitter + [None] * 6, dtype="Int8"),
    })
    analysis = analyse_wave(responses, no_quotes("w"), typed_codebook(), "w", 3, ALPHA, LOADED_AT)
    ranks = analysis.channel_impact.query("respondent_group == 'users'").set_index("channel")["rank"]
    assert ranks["twitter"] == ranks["face_to_face_senior"] == 1
    table = findings(analysis, NAMES)
    text = statement(table, 3)
    assert supported(table, 3) is True
    assert "Twitter ranked jointly 1st of 3 channels" in text
    assert "level with face to face senior" in text
    assert "behind" not in text, text


# --- finding 4 ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", SCENARIOS)
def test_finding_4_golden_thread(waves, name):
    analysis, table, quotes, book = waves[name]
    if quotes.empty:
        assert supported(table, 4) is None
        assert "No interviews" in statement(table, 4)
        return
    golden = set(book.loc[book["golden_thread"].notna(), "theme"])
    coded = bool(quotes["theme"].isin(golden).any())
    assert supported(table, 4) is coded
    text = statement(table, 4)
    n_interviews = quotes["interview_id"].nunique()
    if coded:
        threads = quotes.merge(book[["theme", "golden_thread"]], on="theme").dropna(subset=["golden_thread"])
        for thread, n in threads.groupby("golden_thread")["interview_id"].nunique().items():
            assert f"{NAMES(thread)} in {n} of {n_interviews} interviews" in text
    else:
        assert f"None of the {n_interviews} interviews" in text


# --- findings 5 and 6 --------------------------------------------------------------------------------

@pytest.mark.parametrize("name", SCENARIOS)
def test_finding_5_carries_the_barrier_figures(waves, name):
    analysis, table, _, _ = waves[name]
    reported = analysis.barriers[~analysis.barriers["suppressed"]]
    text = statement(table, 5)
    assert supported(table, 5) is None
    if reported.empty:
        assert TOO_FEW in text
    for r in reported.itertuples():
        assert f"{NAMES(r.barrier)} {r.n_selected} of {r.n_answered} ({r.pct_selected:.0f} %)" in plain(table, 5)
        assert f"{NAMES(r.barrier)} ({r.pct_selected:.0f} %)" in headline(table, 5)
        assert f"{NAMES(r.barrier)} {r.ci_low:.0f}–{r.ci_high:.0f} %" in how(table, 5)


def test_finding_5_study_figures(waves):
    # STUDY.md: no value 10 of 27 non-users; the other barriers 7 of the 24 who answered
    text = statement(waves["study_54"][1], 5)
    assert "no value 10 of 27 (37 %)" in text
    for barrier in ("time", "never considered", "confidence"):
        assert f"{barrier} 7 of 24 (29 %)" in text
    assert "Each figure counts the non-users who answered that item (24–27 of the 27)" in text


@pytest.mark.parametrize("name", SCENARIOS)
def test_finding_6_is_descriptive(waves, name):
    analysis, table, quotes, _ = waves[name]
    assert supported(table, 6) is None
    if quotes.empty:
        assert "No interviews" in statement(table, 6)


def test_finding_6_lists_leadership_themes(waves):
    """The three leadership themes of the codebook, each with its interview count worked out here from the
    quotes themselves (not from interview_themes), in order of that count; no other theme."""
    analysis, table, quotes, book = waves["study_54"]
    leadership = ["permission_unclear", "leading_by_example", "executive_authenticity"]
    counts = quotes[quotes["theme"].isin(leadership)].groupby("theme")["interview_id"].nunique()
    assert sorted(counts.index) == sorted(leadership)  # the generator raised all three in this wave
    labels = book.set_index("theme")["label"].str.lower()
    text = statement(table, 6)
    n_interviews = quotes["interview_id"].nunique()
    shown = [f"{labels[t]} ({counts[t]} of {n_interviews} interviews)" for t in leadership]
    positions = [text.index(s) for s in shown]  # ValueError when one is missing or miscounted
    ordered = sorted(leadership, key=lambda t: (-counts[t], labels[t]))
    assert [leadership[i] for i in sorted(range(3), key=positions.__getitem__)] == ordered
    others = set(book.loc[~book["theme"].isin(leadership), "theme"])
    assert not any(labels[t] in text for t in others)


# --- plain words first (issue 14) ------------------------------------------------------------------------

CAUSAL = re.compile(r"impact on|\bcaus|\bshould\b|\bleads? to\b|\bdrives?\b|because of|\bmust\b", re.IGNORECASE)
STATISTICS = ("Mann–Whitney", "rank-biserial", "bootstrap", "Holm", "HC3", "regression", "Wilcoxon", "Wilson",
              "p = ", "p < ", "95 % CI", "t-interval")


@pytest.mark.parametrize("name", SCENARIOS)
def test_headlines_are_plain_and_claim_no_cause(waves, name):
    _, table, _, _ = waves[name]
    for number in range(1, 7):
        line = headline(table, number)
        assert not CAUSAL.search(line), line
        assert not any(s in line for s in STATISTICS), line
        assert not any(s in plain(table, number) for s in STATISTICS), plain(table, number)
    assert "true to their persona" not in " ".join(table["headline"])


@pytest.mark.parametrize("name", ["study_54", "study_300", "partial"])
def test_the_statistics_are_in_how_we_know(waves, name):
    _, table, _, _ = waves[name]
    assert all(s in how(table, 1) for s in ("Mann–Whitney", "rank-biserial", "bootstrap", "Holm", "HC3"))
    assert "Wilson" in how(table, 2) and "Wilson" in how(table, 5)
    if supported(table, 3) is not None and "behind" in plain(table, 3):
        assert "Wilcoxon" in how(table, 3)


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_theme_the_interviews_raised_is_reported(waves, name):
    """Between them, findings 4 and 6 name every theme raised, each with its number of interviews
    (counted here from the quotes), and each once."""
    analysis, table, quotes, book = waves[name]
    counts = quotes.groupby("theme")["interview_id"].nunique()
    text = (plain(table, 4) + " " + plain(table, 6)).lower()
    labels = book.set_index("theme")["label"].str.lower()
    for theme, n in counts.items():
        found = re.findall(rf"{re.escape(labels[theme])} \((\d+)(?: of \d+ interviews)?\)", text)
        assert found == [str(n)], (theme, found)
    for theme in set(book["theme"]) - set(counts.index):
        assert labels[theme] not in plain(table, 6).lower()


def test_a_theme_the_codebook_adds_is_reported_too():
    """A theme with no golden thread and nothing to do with leaders (not in any fixed list) still appears."""
    raw = generate_survey(54, 20190301, STUDY_PROFILE)
    book = typed_codebook()
    extra = pd.DataFrame({"theme": ["night_shift"], "label": ["Reaching night-shift staff"],
                          "description": ["x"], "golden_thread": [None]}).astype("string")
    book = pd.concat([book, extra], ignore_index=True)
    quotes = typed_quotes(generate_interviews(raw, 20190301), "2019-03")
    added = quotes.iloc[:2].assign(theme="night_shift", segment_id=["s-x1", "s-x2"]).astype(quotes.dtypes.to_dict())
    quotes = pd.concat([quotes, added], ignore_index=True)
    analysis = analyse_wave(typed_survey(raw, "2019-03"), quotes, book, "2019-03", MIN_GROUP_SIZE, ALPHA, LOADED_AT)
    n = added["interview_id"].nunique()
    assert f"reaching night-shift staff ({n})" in statement(findings(analysis, NAMES), 4)


def test_finding_4_is_not_asserted_as_a_heading(waves):
    """Supported by the study's rule, yet the headline only reports what interviewees described."""
    _, table, _, _ = waves["study_54"]
    assert supported(table, 4) is True
    assert headline(table, 4).startswith("Interviewees described examples touching")
    assert "not how often they happen or that Twitter brought them about" in plain(table, 4)


# --- equal Holm-adjusted p-values are explained only when they occur ------------------------------------

def test_holm_values_that_differ_get_no_explanation():
    from engagement_pipeline.reporting.findings import holm_sentence

    text = holm_sentence(["a", "b", "c"], [0.001, 0.01, 0.04], [0.003, 0.02, 0.04], 0.05, "areas")
    assert text == "Holm-adjusted over the 3 areas: a p = 0.003; b p = 0.020; c p = 0.040"


def test_holm_values_raised_by_the_step_down_are_said_to_be_exactly_equal():
    from statsmodels.stats.multitest import multipletests

    from engagement_pipeline.reporting.findings import holm_sentence

    raw = [0.0020, 0.0012, 0.0030]  # b x 3 = 0.0036, a x 2 = 0.0040, c x 1 = 0.0030 -> raised to 0.0040
    adjusted = multipletests(raw, method="holm")[1].tolist()
    assert adjusted[0] == adjusted[2] != adjusted[1]  # the set-up
    text = holm_sentence(["a", "b", "c"], raw, adjusted, 0.05, "areas")
    assert text.startswith("Holm-adjusted over the 3 areas, p = 0.004 in each. ")
    assert "Before rounding they are 0.004 (a and c) and 0.0036 (b)" in text
    assert "The values for a and c are exactly equal, as Holm's method intends" in text
    assert "by 3, the next by 2" in text


def test_holm_values_equal_only_once_rounded_are_not_called_exactly_equal():
    from engagement_pipeline.reporting.findings import holm_sentence

    text = holm_sentence(["a", "b"], [0.0018, 0.0044], [0.0036, 0.0044], 0.05, "areas")
    assert text == "Holm-adjusted over the 2 areas, p = 0.004 in each. Before rounding they are 0.0036 (a) and 0.0044 (b)"
    text = holm_sentence(["a", "b"], [0.0011, 0.0046], [0.0022, 0.0046], 0.05, "areas")
    assert "exactly equal" not in text and "p = 0.002; b p = 0.005" in text
    text = holm_sentence(["a", "b"], [0.00001, 0.00002], [0.00002, 0.00002], 0.05, "areas")
    assert text == "Holm-adjusted over the 2 areas, p < 0.001 in each"
