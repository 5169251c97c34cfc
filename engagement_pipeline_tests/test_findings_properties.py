"""For random small waves, no finding says "significant", "majority", "highest" or a rank unless the
wave's stored tables support it (docs/data-contract.md §5 wording rules; issue 12)."""

from __future__ import annotations

import re
import warnings

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engagement_pipeline.analysis.analyse import analyse_wave
from engagement_pipeline.reporting.findings import findings
from engagement_pipeline.reporting.report import methods
from engagement_pipeline.reporting.wording import Names

from .test_findings_wording import no_quotes
from .test_statistics import WAVE, typed_frame
from .wave_builders import LOADED_AT, _cheap_gc_collect, typed_codebook  # noqa: F401

NAMES = Names()
CODEBOOK = typed_codebook()


@st.composite
def waves(draw):
    n = draw(st.integers(10, 60))
    uses = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    # users lean higher, lower or the same, so every verdict occurs
    shift = draw(st.sampled_from([-2, 0, 0, 1, 2]))

    def scores(blank_share: float):
        cells = []
        for user in uses:
            if draw(st.floats(0, 1)) < blank_share:
                cells.append(None)
            else:
                cells.append(min(5, max(1, draw(st.integers(1, 5)) + (shift if user else 0))))
        return cells

    blank = draw(st.sampled_from([0.0, 0.1, 0.5]))
    channel = {c: scores(draw(st.sampled_from([0.0, 0.3, 0.8]))) for c in ("face_to_face_senior", "intranet", "email_bulletin")}
    channel["twitter"] = [s if user else None for s, user in zip(scores(blank), uses)]
    improved = {a: [draw(st.booleans()) if user and draw(st.floats(0, 1)) >= blank else None for user in uses]
                for a in ("organisation", "colleagues")}
    frame = typed_frame(uses, engagement={"organisation": scores(blank), "colleagues": scores(blank)},
                        improved=improved, channel=channel,
                        locality=[draw(st.sampled_from(["north", "south"])) for _ in uses])
    return frame, draw(st.integers(3, 11))


def _figure(text: str) -> float:
    return float(text.replace(" %", ""))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=waves())
def test_no_statement_claims_what_the_tables_do_not_support(case):
    frame, k = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = analyse_wave(frame, no_quotes(WAVE), CODEBOOK, WAVE, k, 0.05, LOADED_AT)
    table = findings(a, NAMES).set_index("finding")
    text = {i: str(table.loc[i, "statement"]) for i in (1, 2, 3)}
    headline = {i: str(table.loc[i, "headline"]) for i in range(1, 7)}
    verdict = {i: (None if pd.isna(table.loc[i, "supported"]) else bool(table.loc[i, "supported"])) for i in (1, 2, 3)}
    for statement in [*table["statement"], *table["headline"], *methods(a, NAMES)]:
        assert "nan" not in statement.lower().split() and "+nan" not in statement and "<NA>" not in statement
    for line in headline.values():
        assert not re.search(r"impact on|\bcaus|\bshould\b", line, re.IGNORECASE), line
        assert not re.search(r"Mann|Holm|Wilson|Wilcoxon|rank-biserial|p [=<] ", line), line

    # finding 1: a difference only as the comparison table has it
    reported = a.engagement_comparison[~a.engagement_comparison["suppressed"]]
    ahead = (reported["significant"].astype(bool) & (reported["rank_biserial"] > 0)
             & (reported["mean_users"] > reported["mean_non_users"]))
    assert ("rated their engagement higher than non-users in" in text[1]) == (verdict[1] is True)
    assert ("higher than non-users did: on average" in headline[1]) == (verdict[1] is True)
    if "Twitter users rated their engagement with" in headline[1]:  # users ahead somewhere: significant there
        assert (reported["significant"].astype(bool) & (reported["mean_users"] > reported["mean_non_users"])).any()
    if "No clear difference" in headline[1]:
        assert not (reported["significant"].astype(bool) & (reported["mean_users"] != reported["mean_non_users"])
                    & ((reported["rank_biserial"] > 0) == (reported["mean_users"] > reported["mean_non_users"]))).any()
    assert verdict[1] is (None if reported.empty else bool(ahead.all()))
    if not reported["significant"].astype(bool).any():
        assert "scored significantly higher" not in text[1]
    for match in re.finditer(r"Non-users scored significantly higher than users for ([^.]+)\.", text[1]):
        for r in reported.itertuples():
            if NAMES(r.area) in match.group(1).replace(" and ", ", ").split(", "):
                assert r.significant and r.rank_biserial < 0 and r.mean_users < r.mean_non_users
    if "remains statistically significant" in text[1]:
        adjusted = a.engagement_adjusted.dropna(subset=["estimate"])
        assert verdict[1] is True and (adjusted["significant"].astype(bool) & (adjusted["estimate"] > 0)).all()

    # finding 2: a majority only above 50 %
    perceived = a.perceived_impact[~a.perceived_impact["suppressed"]]
    if perceived.empty:
        assert verdict[2] is None
    else:
        mean = float(perceived["pct_improved"].mean())
        assert verdict[2] is (mean > 50)
        assert ("not a majority" in text[2]) == (mean <= 50)
        shown = _figure(re.search(r"on average ([\d.]+ %)", text[2]).group(1))
        assert (shown > 50) == (mean > 50)
        assert _figure(re.search(r"On average ([\d.]+ %)", headline[2]).group(1)) == shown
        assert ("not a majority" in headline[2]) == (mean <= 50)
        assert f"{float(perceived['ci_low'].min()):.0f}" in text[2] or "." in text[2]
    assert "majority" not in text[2].replace("not a majority", "").replace("a majority is not established", "")

    # finding 3: a rank only as channel_impact has it
    users = a.channel_impact[a.channel_impact["respondent_group"] == "users"]
    twitter = users[users["channel"] == "twitter"].iloc[0]
    shown = users[~users["suppressed"]]
    match = re.search(r"Twitter ranked (?:jointly )?(\d+)(?:st|nd|rd|th) of (\d+) ", text[3])
    in_headline = re.search(r"put Twitter (?:jointly )?(\d+)(?:st|nd|rd|th) of (\d+) ", headline[3])
    assert (match is None) == (in_headline is None)
    if match:
        assert match.groups() == in_headline.groups()
    if twitter["suppressed"]:
        assert match is None and verdict[3] is None
    else:
        assert match is not None
        assert int(match.group(1)) == int(twitter["rank"]) and int(match.group(2)) == len(shown)
        if verdict[3] is True:
            assert len(shown) >= 3 and not users["suppressed"].any() and int(twitter["rank"]) <= 2
        if users["suppressed"].any() and twitter["mean_score"] < 5:
            assert verdict[3] is None
    non_users = a.channel_impact[(a.channel_impact["respondent_group"] == "non_users") & ~a.channel_impact["suppressed"]]
    found = re.search(r"Non-users rated (.+?)(?: jointly)? highest", text[3])
    if found:
        named = found.group(1).replace(" and ", ", ").split(", ")
        top = non_users[non_users["rank"] == non_users["rank"].min()]
        assert sorted(named) == sorted(NAMES(c) for c in top["channel"])
    comparison = a.channel_comparison.set_index("channel")
    for channel, said in re.findall(r"twitter minus (.+?) averaged [-+\d.]+ points: (a|no) statistically significant",
                                    text[3]):
        row = comparison.loc[channel.replace(" ", "_")]
        assert not row["suppressed"] and bool(row["significant"]) == (said == "a") == (row["p_holm"] < 0.05)
