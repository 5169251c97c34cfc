"""The plain-script baseline: the contract's core tables from every wave, with pandas + DuckDB + scipy.

    python benchmarks/baseline.py --data-dir data --out /tmp/baseline.duckdb

What an analyst would write in an afternoon to get the same figures as the pipeline, with no
Dagster, no pandera, no charts or reports, no incremental mode (every call recomputes every wave):

* reads ``<data>/raw/waves/<wave>/survey_responses.csv`` (canonical layout) of every wave into
  DuckDB and types it there in one SQL statement: ids hashed, names and e-mails dropped, the
  obvious identifiers in comments blanked with a few regular expressions;
* per wave, in pandas / scipy / statsmodels: ``waves``, ``engagement_comparison`` (Mann-Whitney U,
  rank-biserial, a bootstrap interval of the rank-biserial with as many resamples as the pipeline,
  Holm over areas), ``engagement_adjusted`` (statsmodels OLS with HC3 errors),
  ``perceived_impact`` and ``barriers`` (Wilson intervals), ``channel_impact`` (t-intervals,
  ``RANK()``-style ranks) and ``engagement_by_group`` (means by locality and staff group);
* writes them all into one DuckDB file.

Figures below the minimum group size (11, the contract's default) are left out as the contract's
primary suppression says; the pipeline's complementary suppression, quarantine, the
proportional-odds check, channel_comparison, item_response and interviews are not done here.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.regression.linear_model import OLS
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

MIN_GROUP_SIZE = 11
ALPHA = 0.05
#: As many resamples as the pipeline draws (engagement_pipeline.analysis.engagement_comparison).
BOOTSTRAP_RESAMPLES = 4000
SEED = 12345
LIKERT_FAMILIES = ("engagement", "channel")
YES_NO_FAMILIES = ("improved", "barrier")


# --- loading -----------------------------------------------------------------------------------

def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _typed_select(columns: list[str]) -> str:
    """One SELECT that types a raw wave as the contract's ``responses`` table."""
    parts = ["sha256(trim(respondent_id)) AS respondent_key",
             "CAST(submitted_at AS TIMESTAMP) AS submitted_at",
             "trim(locality) AS locality", "trim(staff_group) AS staff_group",
             "lower(trim(uses_twitter)) = 'yes' AS uses_twitter"]
    for column in columns:
        family = column.split("_", 1)[0]
        if family in LIKERT_FAMILIES:
            parts.append(f"CAST(NULLIF(trim({_q(column)}), '') AS TINYINT) AS {_q(column)}")
        elif family in YES_NO_FAMILIES:
            parts.append(f"CASE lower(trim({_q(column)})) WHEN 'yes' THEN true WHEN 'no' THEN false END "
                         f"AS {_q(column)}")
    if "comment" in columns:
        # e-mail addresses, @handles and long digit runs (phone or NHS numbers) blanked
        parts.append("NULLIF(regexp_replace(regexp_replace(regexp_replace(trim(comment), "
                     r"'[\w.%+''-]+@[\w-]+(\.[\w-]+)*', '[email]', 'g'), "
                     r"'@\w+', '[handle]', 'g'), "
                     r"'\+?\d[\d ()-]{8,}\d', '[number]', 'g'), '') AS comment")
    return ", ".join(parts)


def load_waves(con: duckdb.DuckDBPyConnection, data_dir: Path) -> list[str]:
    """Every wave's survey CSV, typed, into the ``responses`` table; the waves' names, in order."""
    waves = sorted(p.parent.name for p in (Path(data_dir) / "raw" / "waves").glob("*/survey_responses.csv"))
    for i, wave in enumerate(waves):
        csv = Path(data_dir) / "raw" / "waves" / wave / "survey_responses.csv"
        columns = [c for (c,) in con.execute("SELECT column_name FROM (DESCRIBE SELECT * FROM "
                                              "read_csv(?, header = true, all_varchar = true))",
                                              [str(csv)]).fetchall()]
        select = (f"SELECT ? AS wave, {_typed_select(columns)} "
                  "FROM read_csv(?, header = true, all_varchar = true)")
        if i == 0:
            con.execute(f"CREATE TABLE responses AS {select}", [wave, str(csv)])
        else:
            con.execute(f"INSERT INTO responses BY NAME {select}", [wave, str(csv)])
    return waves


def items(frame: pd.DataFrame, family: str) -> list[str]:
    return [c[len(family) + 1:] for c in frame.columns if c.startswith(f"{family}_")]


# --- statistics ----------------------------------------------------------------------------------

def bootstrap_rank_biserial(users: np.ndarray, non_users: np.ndarray, rng: np.random.Generator,
                            resamples: int = BOOTSTRAP_RESAMPLES) -> tuple[float, float]:
    """Percentile 95 % interval of the rank-biserial, resampling each group with replacement.

    Scores are 1-5, so drawing n scores with replacement is a multinomial draw of the five counts:
    the same resampling distribution as drawing rows, without 4,000 copies of a large wave.
    """
    n1, n2 = len(users), len(non_users)
    p1 = np.bincount(users.astype(int), minlength=6)[1:] / n1
    p2 = np.bincount(non_users.astype(int), minlength=6)[1:] / n2
    a = rng.multinomial(n1, p1, size=resamples)
    b = rng.multinomial(n2, p2, size=resamples)
    below = np.cumsum(b, axis=1) - b  # non-users scoring below each level
    u = (a * (below + b / 2)).sum(axis=1)
    low, high = np.percentile(2 * u / (n1 * n2) - 1, [2.5, 97.5])
    return float(low), float(high)


def holm(frame: pd.DataFrame, p: str = "p_value") -> pd.DataFrame:
    frame["p_holm"] = np.nan
    frame["significant"] = None
    tested = frame[p].notna()
    if tested.any():
        frame.loc[tested, "p_holm"] = multipletests(frame.loc[tested, p].astype(float), method="holm")[1]
        frame.loc[tested, "significant"] = frame.loc[tested, "p_holm"] < ALPHA
    return frame


def engagement_comparison(df: pd.DataFrame, wave: str, rng: np.random.Generator) -> pd.DataFrame:
    users = df["uses_twitter"].to_numpy(bool)
    rows = []
    for area in items(df, "engagement"):
        score = df[f"engagement_{area}"]
        x, y = score[users].dropna().to_numpy(float), score[~users].dropna().to_numpy(float)
        row = {"wave": wave, "area": area, "n_users": len(x), "n_non_users": len(y)}
        if min(len(x), len(y)) < MIN_GROUP_SIZE:
            rows.append({**row, "suppressed": True})
            continue
        test = stats.mannwhitneyu(x, y, alternative="two-sided")
        low, high = bootstrap_rank_biserial(x, y, rng)
        rows.append({**row, "mean_users": x.mean(), "mean_non_users": y.mean(),
                     "median_users": np.median(x), "median_non_users": np.median(y),
                     "u_statistic": float(test.statistic), "p_value": float(test.pvalue),
                     "rank_biserial": 2 * test.statistic / (len(x) * len(y)) - 1,
                     "rank_biserial_ci_low": low, "rank_biserial_ci_high": high, "suppressed": False})
    columns = ["wave", "area", "n_users", "n_non_users", "mean_users", "mean_non_users", "median_users",
               "median_non_users", "u_statistic", "p_value", "rank_biserial", "rank_biserial_ci_low",
               "rank_biserial_ci_high", "suppressed"]
    return holm(pd.DataFrame(rows, columns=columns))


def engagement_adjusted(df: pd.DataFrame, wave: str) -> pd.DataFrame:
    """Twitter-use coefficient of score ~ uses_twitter + staff group + locality, OLS with HC3 errors.

    The design is built with ``pd.get_dummies``: the formula API's patsy codes string columns one
    cell at a time (17 of 21 s of a 200,000-row wave), and dummies are the same model.
    """
    design = pd.get_dummies(df[["staff_group", "locality"]], drop_first=True, dtype=float)
    design.insert(0, "uses_twitter", df["uses_twitter"].astype(float))
    design.insert(0, "const", 1.0)
    rows = []
    for area in items(df, "engagement"):
        score = df[f"engagement_{area}"]
        answered = score.notna().to_numpy()
        n_users = int(df["uses_twitter"].to_numpy(bool)[answered].sum())
        row = {"wave": wave, "area": area, "n": int(answered.sum())}
        if min(n_users, row["n"] - n_users) < MIN_GROUP_SIZE:
            rows.append({**row, "n": None, "suppressed": True})
            continue
        try:
            fit = OLS(score[answered].astype(float), design[answered]).fit(cov_type="HC3")
            low, high = fit.conf_int().loc["uses_twitter"]
            rows.append({**row, "estimate": fit.params["uses_twitter"], "ci_low": low, "ci_high": high,
                         "p_value": fit.pvalues["uses_twitter"], "suppressed": False})
        except (np.linalg.LinAlgError, ValueError):
            rows.append({**row, "suppressed": False})
    frame = pd.DataFrame(rows, columns=["wave", "area", "n", "estimate", "ci_low", "ci_high", "p_value", "suppressed"])
    frame.loc[~np.isfinite(frame["p_value"].astype(float)), ["estimate", "ci_low", "ci_high", "p_value"]] = np.nan
    return holm(frame)


def yes_share(group: pd.DataFrame, family: str, wave: str, item: str, selected: str, pct: str) -> pd.DataFrame:
    """Share answering yes per item of a yes/no family, with its Wilson 95 % interval (0-100)."""
    rows = []
    for name in items(group, family):
        answers = group[f"{family}_{name}"].dropna().astype(bool)
        n, k = len(answers), int(answers.sum())
        if n < MIN_GROUP_SIZE:
            rows.append({"wave": wave, item: name, "n_answered": n, "suppressed": True})
            continue
        low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
        rows.append({"wave": wave, item: name, "n_answered": n, selected: k, pct: 100 * k / n,
                     "ci_low": 100 * low, "ci_high": 100 * high, "suppressed": False})
    return pd.DataFrame(rows, columns=["wave", item, "n_answered", selected, pct, "ci_low", "ci_high", "suppressed"])


def channel_impact(df: pd.DataFrame, wave: str) -> pd.DataFrame:
    users = df["uses_twitter"].to_numpy(bool)
    rows = []
    for group, members in (("users", users), ("non_users", ~users)):
        for channel in items(df, "channel"):
            if channel == "twitter" and group == "non_users":
                continue
            scores = df.loc[members, f"channel_{channel}"].dropna().astype(float)
            n = len(scores)
            row = {"wave": wave, "channel": channel, "respondent_group": group}
            if n < MIN_GROUP_SIZE:
                rows.append({**row, "suppressed": True})
                continue
            low, high = stats.t.interval(0.95, n - 1, loc=scores.mean(), scale=stats.sem(scores))
            rows.append({**row, "n": n, "mean_score": scores.mean(), "ci_low": low, "ci_high": high,
                         "suppressed": False})
    frame = pd.DataFrame(rows, columns=["wave", "channel", "respondent_group", "n", "mean_score", "ci_low",
                                        "ci_high", "suppressed"])
    frame["rank"] = frame.groupby("respondent_group")["mean_score"].rank(method="min", ascending=False).astype("Int64")
    return frame


def engagement_by_group(df: pd.DataFrame, wave: str) -> pd.DataFrame:
    areas = [f"engagement_{a}" for a in items(df, "engagement")]
    group = pd.Series(np.where(df["uses_twitter"].to_numpy(bool), "users", "non_users"), index=df.index,
                      name="respondent_group")
    parts = []
    for dimension in ("locality", "staff_group"):
        by_group = df.groupby([df[dimension], group])[areas].agg(["count", "mean"])
        overall = df.groupby(dimension)[areas].agg(["count", "mean"])
        overall.index = pd.MultiIndex.from_arrays([overall.index, ["all"] * len(overall)],
                                                  names=[dimension, "respondent_group"])
        both = pd.concat([by_group, overall]).stack(level=0, future_stack=True)
        both.index.names = ["category", "respondent_group", "area"]
        parts.append(both.reset_index().assign(dimension=dimension))
    frame = pd.concat(parts, ignore_index=True).rename(columns={"count": "n", "mean": "mean_score"})
    frame["area"] = frame["area"].str.removeprefix("engagement_")
    frame["suppressed"] = frame["n"] < MIN_GROUP_SIZE
    frame["n"] = frame["n"].astype("Int64").mask(frame["suppressed"])
    frame["mean_score"] = frame["mean_score"].mask(frame["suppressed"])
    frame["wave"] = wave
    return frame[["wave", "dimension", "category", "area", "respondent_group", "n", "mean_score", "suppressed"]]


def wave_tables(df: pd.DataFrame, wave: str, rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """Every table of one wave from its typed responses."""
    users = df["uses_twitter"].to_numpy(bool)
    perceived = yes_share(df.loc[users], "improved", wave, "area", "n_improved", "pct_improved")
    n, n_users = len(df), int(users.sum())
    waves = pd.DataFrame([{"wave": wave, "n_respondents": n, "n_users": n_users, "n_non_users": n - n_users,
                           "pct_users": 100 * n_users / n if n >= MIN_GROUP_SIZE else None,
                           "mean_pct_improved": perceived["pct_improved"].mean()}])
    return {
        "waves": waves,
        "engagement_comparison": engagement_comparison(df, wave, rng),
        "engagement_adjusted": engagement_adjusted(df, wave),
        "perceived_impact": perceived,
        "channel_impact": channel_impact(df, wave),
        "barriers": yes_share(df.loc[~users], "barrier", wave, "barrier", "n_selected", "pct_selected"),
        "engagement_by_group": engagement_by_group(df, wave),
    }


def main(data_dir: str | Path, out_path: str | Path) -> dict[str, int]:
    """Compute every wave's tables from ``data_dir`` into a new DuckDB file ``out_path``; rows per table."""
    out_path = Path(out_path)
    out_path.unlink(missing_ok=True)
    Path(f"{out_path}.wal").unlink(missing_ok=True)
    rng = np.random.default_rng(SEED)
    with duckdb.connect(str(out_path)) as con:
        waves = load_waves(con, data_dir)
        if not waves:
            raise SystemExit(f"no survey_responses.csv under {Path(data_dir) / 'raw' / 'waves'}")
        # the statistics need neither the keys, the times nor the comments
        wanted = ", ".join(_q(c) for (c,) in con.execute("SELECT column_name FROM (DESCRIBE responses)").fetchall()
                           if c not in ("respondent_key", "submitted_at", "comment"))
        tables: dict[str, list[pd.DataFrame]] = {}
        for wave in waves:
            df = con.execute(f"SELECT {wanted} FROM responses WHERE wave = ?", [wave]).df()
            for name, frame in wave_tables(df, wave, rng).items():
                tables.setdefault(name, []).append(frame)
        counts = {"responses": con.execute("SELECT count(*) FROM responses").fetchall()[0][0]}
        for name, frames in tables.items():
            frame = pd.concat(frames, ignore_index=True)
            con.register("frame", frame)
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM frame")
            con.unregister("frame")
            counts[name] = len(frame)
    return counts


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    started = time.perf_counter()
    counts = main(args.data_dir, args.out)
    print(f"baseline: {len(counts)} tables, {counts['responses']:,} responses, to {args.out} in "
          f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
