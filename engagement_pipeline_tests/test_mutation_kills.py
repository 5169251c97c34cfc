"""Tests for what the mutation run (scripts/mutation.py, docs/testing.md) found unguarded.

``analysis/engagement_adjusted.py``: every kind of row (suppressed, not identified, no error left,
estimated) followed by the next area and carrying its wave and flags; the suppression boundary on
either group; Holm (not Holm–Šidák) over the estimated areas and ``significant`` as ``p_holm <
alpha``; the verdicts behind ``models_agree`` at their boundary; the proportional-odds check when
only one Twitter group is left. Oracles: statsmodels, Holm written out in test_statistics.py, and
counts worked out here.

``defs/checks.py``: the check specs and steps, which Dagster only sees as built at import.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from statsmodels.regression.linear_model import OLS
from statsmodels.tools.tools import add_constant

from engagement_pipeline.analysis.engagement_adjusted import engagement_adjusted
from engagement_pipeline.warehouse.registry import TABLES

from .test_statistics import WAVE, holm, typed_frame


def adjusted(frame: pd.DataFrame, min_group_size: int, alpha: float = 0.05) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return engagement_adjusted(frame, WAVE, min_group_size, alpha)


def statsmodels_hc3(frame: pd.DataFrame, area: str):
    """statsmodels' OLS with HC3 errors on every respondent who answered ``area``."""
    answered = frame.loc[frame[f"engagement_{area}"].notna()]
    design = add_constant(pd.concat([answered["uses_twitter"].astype(float),
                                     pd.get_dummies(answered[["staff_group", "locality"]].astype(str),
                                                    drop_first=True, dtype=float)], axis=1), has_constant="add")
    return OLS(answered[f"engagement_{area}"].astype(float).to_numpy(), design).fit(cov_type="HC3")


# --- every kind of row, in area order ----------------------------------------------------------------

def four_kinds() -> pd.DataFrame:
    """24 respondents (users and non-users alternate; north/south and nursing/medical mixed), four
    areas in this column order, at a minimum group size of 1:

    - ``a``: only users answered -> suppressed (no non-user);
    - ``b``: users in the north and non-users in the south only -> Twitter use is locality: not identified;
    - ``c``: three respondents, each in a cell of their own (user north, non-user north, user south):
      the model is saturated, every leverage is 1 and no residual is left for the error -> NULLs;
    - ``d``: everybody -> estimated.
    """
    rng = np.random.default_rng(11)
    n = 24
    uses = [i % 2 == 0 for i in range(n)]
    locality = ["north" if (i // 2) % 2 == 0 else "south" for i in range(n)]
    staff = ["nursing" if (i // 4) % 2 == 0 else "medical" for i in range(n)]
    score = [int(s) for s in rng.integers(1, 6, n)]
    a = [s if u else None for s, u in zip(score, uses)]
    b = [s if (u and loc == "north") or (not u and loc == "south") else None for s, u, loc in zip(score, uses, locality)]
    c = [None] * n
    firsts = {}
    for i, (u, loc) in enumerate(zip(uses, locality)):
        firsts.setdefault((u, loc), i)
    for key in ((True, "north"), (False, "north"), (True, "south")):
        c[firsts[key]] = score[firsts[key]]
    # c's three respondents share one staff group, so the staff column is constant there
    for key in ((True, "north"), (False, "north"), (True, "south")):
        staff[firsts[key]] = "nursing"
    return typed_frame(uses, locality=locality, staff_group=staff,
                       engagement={"a": a, "b": b, "c": c, "d": score})


def test_each_kind_of_row_is_followed_by_the_next_area_and_carries_its_wave_and_flags():
    frame = four_kinds()
    table = adjusted(frame, 1)
    assert table["area"].tolist() == ["a", "b", "c", "d"]
    assert table["wave"].tolist() == [WAVE] * 4
    assert [bool(s) for s in table["suppressed"]] == [True, False, False, False]
    assert pd.isna(table.loc[0, "n"]) and table["n"].iloc[1:].tolist() == [12, 3, 24]
    for i in range(3):
        assert table.loc[i, ["estimate", "ci_low", "ci_high", "p_value", "p_holm", "significant"]].isna().all(), i
        assert table.loc[i, ["odds_ratio", "odds_ratio_ci_low", "odds_ratio_ci_high", "odds_ratio_p_value",
                             "odds_ratio_p_holm", "models_agree"]].isna().all(), i
    fit = statsmodels_hc3(frame, "d")
    row = table.loc[3]
    assert row["estimate"] == pytest.approx(fit.params["uses_twitter"], rel=1e-9)
    assert row["p_value"] == pytest.approx(fit.pvalues["uses_twitter"], rel=1e-7)
    # the only estimated area: Holm over one p-value leaves it as it is
    assert row["p_holm"] == pytest.approx(row["p_value"], rel=1e-12)


def test_a_wave_without_areas_gives_an_empty_table_with_every_column():
    table = adjusted(typed_frame([True, False] * 6), 1)
    assert len(table) == 0 and list(table.columns) == TABLES["engagement_adjusted"].column_names


# --- the suppression boundary, on either group -------------------------------------------------------

def two_localities(n_users: int, n_non_users: int, seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = n_users + n_non_users
    return typed_frame([True] * n_users + [False] * n_non_users,
                       locality=["north" if i % 2 else "south" for i in range(n)],
                       staff_group=["nursing" if i % 3 else "medical" for i in range(n)],
                       engagement={"organisation": [int(s) for s in rng.integers(1, 6, n)]})


@pytest.mark.parametrize(("n_users", "n_non_users"), [(12, 6), (6, 12)])
def test_a_group_of_exactly_the_minimum_is_reported_and_one_fewer_is_suppressed(n_users, n_non_users):
    frame = two_localities(n_users, n_non_users)
    at = adjusted(frame, 6).iloc[0]
    assert not at["suppressed"] and at["n"] == n_users + n_non_users
    assert at["estimate"] == pytest.approx(statsmodels_hc3(frame, "organisation").params["uses_twitter"], rel=1e-9)
    above = adjusted(frame, 7).iloc[0]  # the smaller group, either one, is below 7
    assert above["suppressed"] and pd.isna(above["n"]) and pd.isna(above["estimate"])


# --- Holm over the estimated areas, and significance at alpha ----------------------------------------

def three_areas(seed: int = 2) -> pd.DataFrame:
    """60 respondents, three areas with users 0.5, 0.3 and 0.1 points higher (p-values apart)."""
    rng = np.random.default_rng(seed)
    n = 60
    uses = rng.integers(0, 2, n).astype(bool)
    locality = rng.choice(["north", "south", "east"], n)
    staff = rng.choice(["nursing", "medical"], n)
    engagement = {area: [int(s) for s in np.clip(np.round(3 + shift * uses + rng.normal(0, 1, n)), 1, 5)]
                  for area, shift in (("organisation", 0.5), ("colleagues", 0.3), ("team", 0.1))}
    return typed_frame(list(uses), locality=list(locality), staff_group=list(staff), engagement=engagement)


def test_p_holm_is_holms_step_down_over_the_estimated_areas():
    frame = three_areas()
    table = adjusted(frame, 11).set_index("area")
    p_values = [statsmodels_hc3(frame, area).pvalues["uses_twitter"] for area in table.index]
    assert table["p_value"].tolist() == pytest.approx(p_values, rel=1e-7)
    expected = holm(p_values)
    assert table["p_holm"].tolist() == pytest.approx(expected, rel=1e-7)
    # on this input Holm–Šidák (statsmodels' default method) gives other numbers: the test tells them apart
    from statsmodels.stats.multitest import multipletests

    assert not np.allclose(multipletests(p_values, method="hs")[1], expected, rtol=1e-5)


def test_significant_is_p_holm_strictly_below_alpha():
    frame = three_areas()
    p_holm = adjusted(frame, 11).set_index("area")["p_holm"].astype(float)
    smallest = float(p_holm.min())
    at = adjusted(frame, 11, smallest).set_index("area")
    above = adjusted(frame, 11, float(np.nextafter(smallest, 1.0))).set_index("area")
    area = p_holm.idxmin()
    assert (bool(at.loc[area, "significant"]), bool(above.loc[area, "significant"])) == (False, True)
    for table, alpha in ((at, smallest), (above, float(np.nextafter(smallest, 1.0)))):
        assert [bool(s) for s in table["significant"]] == [p < alpha for p in p_holm], alpha


# --- the two models' verdicts behind models_agree ----------------------------------------------------

def verdict(significant: bool, effect: float) -> int:
    return (1 if effect > 0 else -1) if significant else 0


@pytest.mark.parametrize("users_higher", [True, False])
def test_models_agree_compares_the_two_verdicts_at_alpha(users_higher):
    """Area d of four_kinds: OLS p 0.314 and ordinal p 0.302 (one area: Holm changes neither), the
    same direction. Alphas above both, between them, at each (p < alpha is strict) and below both."""
    frame = four_kinds()
    if not users_higher:
        frame = frame.assign(uses_twitter=~frame["uses_twitter"])
    base = adjusted(frame, 1).iloc[3]
    ols, ordinal = float(base["p_holm"]), float(base["odds_ratio_p_holm"])
    assert ordinal < ols < 0.32 and 0.30 < ordinal  # the input is what the cases below assume
    assert (base["estimate"] > 0) == (np.log(base["odds_ratio"]) > 0) == users_higher
    cases = {0.5: True, 0.31: False, ols: False, ordinal: True, 0.1: True}
    for alpha, agree in cases.items():
        row = adjusted(frame, 1, alpha).iloc[3]
        assert bool(row["significant"]) == (ols < alpha), alpha
        by_hand = verdict(ols < alpha, base["estimate"]) == verdict(ordinal < alpha, np.log(base["odds_ratio"]))
        assert bool(row["models_agree"]) is agree is by_hand, alpha


# --- defs/checks.py: the specs and steps, built at test time ------------------------------------------
# CHECKS is built when the module is imported, before a mutant is switched on, so these call the
# builders themselves (test_quarantine_check.py reads CHECKS as Dagster sees it).

def test_each_table_is_checked_in_the_step_of_the_asset_that_stages_it():
    from engagement_pipeline.defs import checks

    ingested = {"survey_responses": ["responses", "quarantine", "load_log"],
                "interview_segments": ["interview_quotes"], "codebook": ["codebook"]}
    expected = {step: [t for t in TABLES if t in tables] for step, tables in ingested.items()}
    expected["wave_analysis"] = [t for t in TABLES if not any(t in v for v in ingested.values())]
    assert checks._steps() == expected


def test_a_schema_check_spec_is_blocking_per_wave_on_the_staging_asset_and_says_what_it_checks():
    from dagster import AssetKey

    from engagement_pipeline.defs import checks
    from engagement_pipeline.defs.partitions import waves_partitions

    for table, asset in (("responses", "survey_responses"), ("interview_quotes", "interview_segments"),
                         ("barriers", "barriers")):
        spec = checks._schema_spec(table)
        assert (spec.name, spec.asset_key, spec.blocking) == (f"{table}_matches_schema", AssetKey(asset), True)
        assert spec.partitions_def is waves_partitions
        assert spec.description == (f"Staged `{table}` rows of the wave satisfy the table registry's pandera "
                                    "schema (types, nullability, value rules, key).")


def test_the_quarantine_check_spec_is_blocking_per_wave_and_names_its_setting_and_default():
    from dagster import AssetKey

    from engagement_pipeline.defs import checks
    from engagement_pipeline.defs.partitions import waves_partitions
    from engagement_pipeline.settings import DEFAULT_MAX_QUARANTINE_FRACTION

    spec = checks._quarantine_spec("interview_segments")
    assert (spec.name, spec.asset_key, spec.blocking) == ("quarantine_fraction", AssetKey("interview_segments"), True)
    assert spec.partitions_def is waves_partitions
    default = f"(default {100 * DEFAULT_MAX_QUARANTINE_FRACTION:g} %)"
    assert spec.description.startswith("No file of the wave has more than ENGAGEMENT_MAX_QUARANTINE_FRACTION "
                                       f"{default} of its rows quarantined for errors"), spec.description


def test_building_a_check_step_silences_only_dagsters_preview_warning(monkeypatch):
    """Partitioned check specs are a Dagster preview (its warning is expected); any other warning
    raised while the specs are built still reaches the caller."""
    from engagement_pipeline.defs import checks

    real = checks._schema_spec

    def warns(table):
        warnings.warn(f"something else about {table}", UserWarning, stacklevel=1)
        return real(table)

    monkeypatch.setattr(checks, "_schema_spec", warns)
    with pytest.warns(UserWarning, match="something else about codebook"):
        checks.checks_for("codebook", ["codebook"])


# --- the proportional-odds check when only one Twitter group is left -----------------------------------

def test_the_ordinal_check_is_null_when_setting_aside_lone_respondents_leaves_one_twitter_group():
    """The only user is alone in the east: the check sets aside respondents alone in their locality
    or staff group, which leaves non-users only, so there is no odds ratio to give (and the OLS
    coefficient rests on that one user: not estimable either). The area is reported, not suppressed."""
    uses = [False] * 10 + [True]
    frame = typed_frame(uses, locality=["north", "south"] * 5 + ["east"],
                        engagement={"organisation": [1, 2, 3, 4, 5, 2, 3, 4, 3, 2, 5]})
    row = adjusted(frame, 1).iloc[0]
    assert not row["suppressed"] and row["n"] == 11
    assert row[["odds_ratio", "odds_ratio_ci_low", "odds_ratio_ci_high", "odds_ratio_p_value", "odds_ratio_p_holm",
                "models_agree"]].isna().all()
    assert row[["estimate", "ci_low", "ci_high", "p_value", "p_holm", "significant"]].isna().all()
