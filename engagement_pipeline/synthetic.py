"""Seeded synthetic survey waves in the data contract's file format.

What belongs here: drawing fake-but-plausible survey waves, interview segments and the interview
codebook, and writing them as the raw input files a wave folder holds (docs/data-contract.md sections 1
and 2). The study's raw data is not public, so the bundled waves are generated here, calibrated to
the published figures in STUDY.md. What does not belong here: validation, scrubbing, statistics or
anything else the pipeline does with the files (and no dagster).

Counts are exact rather than random: a share ``p`` of ``n`` respondents becomes a largest-remainder
count, and only *who* gets which answer is drawn from the seeded generator. Group means and
percentages are therefore fixed by the profile and ``n``; the seed only changes the order.
Generation is vectorised, so million-respondent waves take seconds.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import synthetic_text as text
from .contract import (CODEBOOK_COLUMNS, CODEBOOK_FILE, INSTRUMENT_FILE, INTERVIEWS_FILE, SURVEY_FILES,
                       SYNTHETIC_MARKER, is_valid_wave_name, wave_name_problem)

BARRIERS = ("no_value", "time", "never_considered", "confidence")
OTHER_BARRIERS = BARRIERS[1:]
COMMENT_RATE = 0.15
RESPONSE_WINDOW_DAYS = 21
INTERVIEW_COLUMNS = ("interview_id", "segment_id", "respondent_id", "theme", "quote")
SEGMENTS_PER_INTERVIEW = (2, 5)

BUNDLED_WAVES = (
    # wave, n, seed, id_start: wave 2 re-surveys ids 15..54 (40 people) plus 22 new managers
    ("2019-03", 54, 20190301, 1),
    ("2020-03", 62, 20200301, 15),
)

_YES_NO = np.array(["", "no", "yes"], dtype=object)  # codes 0 = blank, 1 = no, 2 = yes
_LIKERT = np.array(["", "1", "2", "3", "4", "5"], dtype=object)  # codes 0 = blank, 1..5
_SCORES = np.arange(1, 6, dtype=np.int8)
_IDENTITY = ["respondent_id", "respondent_name", "respondent_email"]


@dataclass(frozen=True)
class WaveProfile:
    """Proportions and Likert distributions a wave is drawn from.

    Shares are of the group named; Likert vectors are probabilities of scores 1..5.
    Areas come from ``engagement_users`` and channels from ``channels_users``.
    """

    pct_users: float
    improved: dict[str, float]
    barrier_no_value: float
    barrier_other: float
    barrier_blank: float
    engagement_users: dict[str, list[float]]
    engagement_non_users: dict[str, list[float]]
    channels_users: dict[str, list[float]]
    channels_non_users: dict[str, list[float]]
    engagement_blank: float = 0.0

    def __post_init__(self) -> None:
        shares = {name: getattr(self, name) for name in (
            "pct_users", "barrier_no_value", "barrier_other", "barrier_blank", "engagement_blank")}
        shares.update({f"improved[{area}]": p for area, p in self.improved.items()})
        for name, value in shares.items():
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be a share in [0, 1], got {value}")
        areas = list(self.engagement_users)
        if list(self.engagement_non_users) != areas or not set(self.improved) <= set(areas):
            raise ValueError("engagement_non_users and improved must use engagement_users' areas")
        if "twitter" not in self.channels_users:
            raise ValueError("channels_users must include 'twitter'")
        if list(self.channels_non_users) != [c for c in self.channels_users if c != "twitter"]:
            raise ValueError("channels_non_users must be channels_users without 'twitter'")
        for group in (self.engagement_users, self.engagement_non_users,
                      self.channels_users, self.channels_non_users):
            for item, probs in group.items():
                p = np.asarray(probs, dtype=float)
                if p.shape != (5,) or (p < 0).any() or not np.isclose(p.sum(), 1.0):
                    raise ValueError(f"{item}: need 5 non-negative probabilities summing to 1")

    @property
    def areas(self) -> list[str]:
        """Engagement areas, in column order."""
        return list(self.engagement_users)

    @property
    def channels(self) -> list[str]:
        """Channels, in column order (``twitter`` included)."""
        return list(self.channels_users)

    def columns(self) -> list[str]:
        """The survey file's columns for this profile, in order."""
        return [
            "respondent_id", "respondent_name", "respondent_email", "submitted_at",
            "locality", "staff_group", "uses_twitter",
            *(f"engagement_{a}" for a in self.areas),
            *(f"improved_{a}" for a in self.improved),
            *(f"channel_{c}" for c in self.channels),
            *(f"barrier_{b}" for b in BARRIERS),
            "comment",
        ]


STUDY_PROFILE = WaveProfile(
    # n = 54: 27 users / 27 non-users; improved 20, 21, 19 of 27; no value 10 of 27;
    # 3 of 27 non-users skip the other barriers, each ticked by 7 of the 24 who answer.
    pct_users=0.50,
    improved={"organisation": 0.74, "executive_team": 0.78, "colleagues": 0.70},
    barrier_no_value=0.37,
    barrier_other=0.29,
    barrier_blank=0.11,
    engagement_users={
        "organisation": [0.00, 0.04, 0.17, 0.52, 0.27],
        "executive_team": [0.00, 0.06, 0.22, 0.46, 0.26],
        "colleagues": [0.00, 0.02, 0.15, 0.53, 0.30],
    },
    engagement_non_users={
        "organisation": [0.04, 0.19, 0.44, 0.30, 0.03],
        "executive_team": [0.05, 0.22, 0.44, 0.26, 0.03],
        "colleagues": [0.02, 0.15, 0.46, 0.33, 0.04],
    },
    channels_users={
        "face_to_face_senior": [0.00, 0.00, 0.11, 0.445, 0.445],
        "team_briefing": [0.00, 0.07, 0.30, 0.45, 0.18],
        "email_bulletin": [0.07, 0.22, 0.41, 0.26, 0.04],
        "intranet": [0.15, 0.30, 0.33, 0.18, 0.04],
        "newsletter": [0.10, 0.26, 0.38, 0.22, 0.04],
        "twitter": [0.00, 0.04, 0.11, 0.44, 0.41],
    },
    channels_non_users={
        "face_to_face_senior": [0.00, 0.04, 0.15, 0.48, 0.33],
        "team_briefing": [0.02, 0.08, 0.30, 0.44, 0.16],
        "email_bulletin": [0.06, 0.20, 0.40, 0.28, 0.06],
        "intranet": [0.12, 0.28, 0.36, 0.20, 0.04],
        "newsletter": [0.08, 0.24, 0.40, 0.24, 0.04],
    },
)

YEAR_ON_PROFILE = WaveProfile(
    # A year later: take-up has grown to ~60 %, later adopters are a little less keen, so the
    # users/non-users gap narrows; a few engagement items are left blank.
    pct_users=0.60,
    improved={"organisation": 0.78, "executive_team": 0.81, "colleagues": 0.76},
    barrier_no_value=0.32,
    barrier_other=0.26,
    barrier_blank=0.08,
    engagement_users={
        "organisation": [0.00, 0.05, 0.20, 0.50, 0.25],
        "executive_team": [0.00, 0.07, 0.23, 0.46, 0.24],
        "colleagues": [0.00, 0.03, 0.17, 0.52, 0.28],
    },
    engagement_non_users={
        "organisation": [0.03, 0.15, 0.42, 0.34, 0.06],
        "executive_team": [0.04, 0.18, 0.42, 0.31, 0.05],
        "colleagues": [0.02, 0.12, 0.42, 0.37, 0.07],
    },
    channels_users={
        "face_to_face_senior": [0.00, 0.00, 0.12, 0.44, 0.44],
        "team_briefing": [0.00, 0.08, 0.30, 0.44, 0.18],
        "email_bulletin": [0.08, 0.24, 0.40, 0.24, 0.04],
        "intranet": [0.16, 0.30, 0.32, 0.18, 0.04],
        "newsletter": [0.12, 0.28, 0.36, 0.20, 0.04],
        "twitter": [0.00, 0.03, 0.12, 0.45, 0.40],
    },
    channels_non_users={
        "face_to_face_senior": [0.00, 0.04, 0.16, 0.46, 0.34],
        "team_briefing": [0.02, 0.08, 0.30, 0.44, 0.16],
        "email_bulletin": [0.06, 0.20, 0.40, 0.28, 0.06],
        "intranet": [0.12, 0.28, 0.36, 0.20, 0.04],
        "newsletter": [0.08, 0.24, 0.40, 0.24, 0.04],
    },
    engagement_blank=0.03,
)


# --- exact counts --------------------------------------------------------------------------------

def _allocate(n: int, weights: Sequence[float]) -> np.ndarray:
    """Split ``n`` into integer counts proportional to ``weights`` (largest remainder).

    Ties in the remainders go to the earlier category, so a two-way split rounds halves up.
    """
    w = np.asarray(weights, dtype=float)
    quotas = n * w / w.sum()
    counts = np.floor(quotas + 1e-9).astype(np.int64)  # 1e-9: 0.1 * 30 is 2.9999999999999996
    remainders = quotas - counts
    order = np.argsort(-remainders, kind="stable")
    counts[order[: n - counts.sum()]] += 1
    return counts


def _share(p: float, n: int) -> int:
    """Exact count for a share ``p`` of ``n`` (round half up)."""
    return int(_allocate(n, [p, 1.0 - p])[0])


# --- column builders -----------------------------------------------------------------------------

def _yes_no(n: int, rows: np.ndarray, k_yes: int, rng: np.random.Generator) -> np.ndarray:
    """Codes for one yes/no item: ``rows`` answer, ``k_yes`` of them (at random) say yes."""
    codes = np.zeros(n, dtype=np.int8)
    codes[rows] = 1
    codes[rng.permutation(rows)[:k_yes]] = 2
    return codes


def _likert(codes: np.ndarray, rows: np.ndarray, probs: Sequence[float], blank: float,
            rng: np.random.Generator, latent: np.ndarray | None = None) -> None:
    """Fill ``codes[rows]`` with exact counts of scores 1..5 (and exact blanks), in random order.

    With ``latent`` the scores follow a noisy ranking of it, so items sharing a latent trait
    correlate within a person; the counts stay exact either way.
    """
    shuffled = rng.permutation(rows)
    answered = shuffled[_share(blank, len(rows)):]
    scores = np.repeat(_SCORES, _allocate(len(answered), probs))  # ascending
    if latent is not None:
        key = latent[answered] + rng.standard_normal(len(answered))
        answered = answered[np.argsort(key, kind="stable")]
    codes[answered] = scores


def _labels(weights: Mapping[str, float], n: int, rng: np.random.Generator) -> np.ndarray:
    """Exact counts of each label, shuffled."""
    names = np.array(list(weights), dtype=object)
    return rng.permutation(np.repeat(names, _allocate(n, list(weights.values()))))


def _identities(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """respondent_id, name and e-mail as a fixed function of the id number (stable across waves).

    Names repeat every ``len(FIRST_NAMES) * len(LAST_NAMES)`` ids; e-mails get a cycle number
    after the first cycle, so they stay unique. Built from small lookup tables for speed.
    """
    n_first, n_last = len(text.FIRST_NAMES), len(text.LAST_NAMES)
    period = n_first * n_last  # coprime lengths: (id*7 % n_first, id*11 % n_last) is unique
    pairs = [(text.FIRST_NAMES[r * 7 % n_first], text.LAST_NAMES[r * 11 % n_last])
             for r in range(period)]
    names = np.array([f"{f} {s}" for f, s in pairs], dtype=object)
    locals_ = np.array([f"{_email_part(f)}.{_email_part(s)}" for f, s in pairs], dtype=object)
    cycles, cycle = np.unique(ids // period, return_inverse=True)
    domains = np.array([f"{c or ''}@{text.EMAIL_DOMAIN}" for c in cycles.tolist()], dtype=object)

    highs, high = np.unique(ids // 1000, return_inverse=True)
    prefixes = np.array([f"MGR-{h:03d}" for h in highs.tolist()], dtype=object)
    lows = np.array([f"{i:03d}" for i in range(1000)], dtype=object)
    respondent_id = prefixes[high] + lows[ids % 1000]  # == f"MGR-{id:06d}"
    return respondent_id, names[ids % period], locals_[ids % period] + domains[cycle]


def _email_part(name: str) -> str:
    """Lower-case letters only (O'Brien -> obrien)."""
    return re.sub(r"[^a-z]", "", name.lower())


def _submitted_at(n: int, wave_date: str, rng: np.random.Generator) -> np.ndarray:
    """ISO date-times between 07:00 and 21:00 on one of the 21 days from ``wave_date``."""
    start = dt.date.fromisoformat(str(wave_date)[:10])
    days = np.array([f"{start + dt.timedelta(days=d)}T" for d in range(RESPONSE_WINDOW_DAYS)],
                    dtype=object)
    first, last = 7 * 3_600, 21 * 3_600
    times = np.array([f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"
                      for s in range(first, last)], dtype=object)
    return days[rng.integers(0, len(days), n)] + times[rng.integers(0, len(times), n)]


def _comments(is_user: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """About 15 % short comments; each sensitive comment appears once when there is room."""
    n = len(is_user)
    out = np.full(n, "", dtype=object)
    rows = rng.permutation(n)[: _share(COMMENT_RATE, n)]
    sensitive, rest = rows[: len(text.SENSITIVE_COMMENTS)], rows[len(text.SENSITIVE_COMMENTS):]
    out[sensitive] = np.array(text.SENSITIVE_COMMENTS, dtype=object)[: len(sensitive)]
    for flag, own in ((True, text.USER_COMMENTS), (False, text.NON_USER_COMMENTS)):
        pool = np.array(text.GENERAL_COMMENTS + own, dtype=object)
        mine = rest[is_user[rest] == flag]
        out[mine] = pool[rng.integers(0, len(pool), len(mine))]
    return out


# --- public API ----------------------------------------------------------------------------------

def generate_survey(n: int, seed: int, profile: WaveProfile = STUDY_PROFILE, *,
                    id_start: int = 1, wave_date: str = "2019-03-01") -> pd.DataFrame:
    """One wave of survey responses, every cell a string exactly as written to the CSV.

    Rows are in respondent_id order (``MGR-<id_start>`` onwards); blanks are ``""``.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    if id_start < 0:
        raise ValueError("id_start must be non-negative")
    rng = np.random.default_rng(seed)
    n_users = _share(profile.pct_users, n)
    is_user = np.zeros(n, dtype=bool)
    is_user[rng.permutation(n)[:n_users]] = True
    users, non_users = np.flatnonzero(is_user), np.flatnonzero(~is_user)
    n_non = len(non_users)

    respondent_id, name, email = _identities(np.arange(id_start, id_start + n, dtype=np.int64))
    cols: dict[str, np.ndarray] = {
        "respondent_id": respondent_id,
        "respondent_name": name,
        "respondent_email": email,
        "submitted_at": _submitted_at(n, wave_date, rng),
        "locality": _labels(text.LOCALITIES, n, rng),
        "staff_group": _labels(text.STAFF_GROUPS, n, rng),
        "uses_twitter": np.where(is_user, "yes", "no").astype(object),
    }

    latent = rng.standard_normal(n)  # one "engagement" trait per person links the three areas
    for area in profile.areas:
        codes = np.zeros(n, dtype=np.int8)
        _likert(codes, users, profile.engagement_users[area], profile.engagement_blank, rng, latent)
        _likert(codes, non_users, profile.engagement_non_users[area], profile.engagement_blank,
                rng, latent)
        cols[f"engagement_{area}"] = _LIKERT[codes]

    for area, p in profile.improved.items():
        cols[f"improved_{area}"] = _YES_NO[_yes_no(n, users, _share(p, n_users), rng)]

    for channel in profile.channels:
        codes = np.zeros(n, dtype=np.int8)
        _likert(codes, users, profile.channels_users[channel], 0.0, rng)
        if channel in profile.channels_non_users:
            _likert(codes, non_users, profile.channels_non_users[channel], 0.0, rng)
        cols[f"channel_{channel}"] = _LIKERT[codes]

    cols["barrier_no_value"] = _YES_NO[
        _yes_no(n, non_users, _share(profile.barrier_no_value, n_non), rng)]
    answering = rng.permutation(non_users)[_share(profile.barrier_blank, n_non):]
    k_other = _share(profile.barrier_other, len(answering))
    for barrier in OTHER_BARRIERS:
        cols[f"barrier_{barrier}"] = _YES_NO[_yes_no(n, answering, k_other, rng)]

    cols["comment"] = _comments(is_user, rng)
    return pd.DataFrame({c: cols[c] for c in profile.columns()})


def codebook() -> pd.DataFrame:
    """The interview codebook: 10 themes with label, description and golden thread."""
    return pd.DataFrame(list(text.CODEBOOK), columns=list(CODEBOOK_COLUMNS))


def generate_interviews(survey: pd.DataFrame, seed: int, n_interviews: int = 10) -> pd.DataFrame:
    """Coded interview segments with Twitter users picked from ``survey``.

    Each interview has 2-5 segments and at least one on a golden-thread theme; with five or more
    interviews every codebook theme appears. A quote may carry a second code (same segment_id,
    two rows).
    """
    rng = np.random.default_rng(seed)
    user_ids = survey.loc[survey["uses_twitter"].eq("yes"), "respondent_id"].to_numpy()
    m = min(n_interviews, len(user_ids))
    if m <= 0:
        return pd.DataFrame(columns=list(INTERVIEW_COLUMNS), dtype=str)

    themes = [row[0] for row in text.CODEBOOK]
    golden = [row[0] for row in text.CODEBOOK if row[3]]
    lo, hi = SEGMENTS_PER_INTERVIEW
    sizes = rng.integers(lo, hi + 1, m)
    # one golden-thread segment per interview, cycling through the threads' themes ...
    openers = [golden[i % len(golden)] for i in range(m)]
    openers = [openers[i] for i in rng.permutation(m)]
    # ... and the other slots cover every theme not yet used before repeating any
    n_rest = int(sizes.sum()) - m
    missing = [t for t in themes if t not in openers]
    rest = list(rng.permutation(missing))[:n_rest]
    rest += list(rng.choice(themes, n_rest - len(rest)))
    rest = [rest[i] for i in rng.permutation(n_rest)]

    decks: dict[str, list[tuple[str, str | None]]] = {}

    def draw(theme: str) -> tuple[str, str | None]:
        """Next quote for a theme; each theme's pool is used up before any quote repeats."""
        if not decks.get(theme):
            pool = text.QUOTES[theme]
            decks[theme] = [pool[i] for i in rng.permutation(len(pool))]
        return decks[theme].pop()

    rows, start = [], 0
    for i, (respondent_id, size) in enumerate(zip(rng.choice(user_ids, m, replace=False), sizes)):
        slots = [openers[i], *rest[start:start + size - 1]]
        start += size - 1
        interview_id = f"INT-{i + 1:02d}"
        for j, k in enumerate(rng.permutation(len(slots)), start=1):
            theme = str(slots[k])
            quote, also = draw(theme)
            segment_id = f"{interview_id}-S{j:02d}"
            codes = (theme, also) if also and also != theme else (theme,)
            for code in codes:
                rows.append((interview_id, segment_id, str(respondent_id), code, quote))
    return pd.DataFrame(rows, columns=list(INTERVIEW_COLUMNS))


def _wave_date(wave: str) -> str:
    """First of the month for a ``YYYY-MM`` wave name, else today."""
    if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", wave):
        return f"{wave}-01"
    return dt.date.today().isoformat()


def _wave_folder(data_dir: Path, wave: str) -> Path:
    if not is_valid_wave_name(wave):
        raise ValueError(f"invalid {wave_name_problem(wave)}")
    folder = Path(data_dir) / "raw" / "waves" / wave
    folder.mkdir(parents=True, exist_ok=True)
    return folder


INTERVIEW_FORMATS = ("csv", "qdpx")
QDPX_FILE = "interviews.qdpx"


def _write_files(folder: Path, survey: pd.DataFrame, interviews: pd.DataFrame, interview_format: str = "csv",
                 survey_format: str = "canonical", seed: int = 0) -> None:
    """Write one wave's files; survey and interview files of an earlier run are removed first.

    ``survey_format`` other than ``canonical`` writes the survey as that tool exports it, with the
    wave's own instrument.yaml mapping it (display names taken from ``raw/instrument.yaml``);
    ``interview_format`` ``qdpx`` writes the coding as a REFI-QDA project, as QDA software exports it.
    """
    if interview_format not in INTERVIEW_FORMATS:
        raise ValueError(f"interview format must be one of {', '.join(INTERVIEW_FORMATS)}")
    from .synthetic_exports import write_export

    (folder / SYNTHETIC_MARKER).write_text(
        "The files in this folder are synthetic: made by engagement_pipeline's seeded generator, not by\n"
        "any survey. Reports made from this wave say so on every page and chart.\n", encoding="utf-8")
    (folder / INSTRUMENT_FILE).unlink(missing_ok=True)
    if survey_format == "canonical":
        write_export(survey, "canonical", folder, folder.name, seed)  # clears any earlier export
        (folder / INSTRUMENT_FILE).unlink(missing_ok=True)
        survey.to_csv(folder / SURVEY_FILES[0], index=False)  # as generated: "answered, ticked nothing" kept
    else:
        from .ingest.instrument import load_display_names

        names = load_display_names(folder.parent.parent / INSTRUMENT_FILE)
        write_export(survey, survey_format, folder, folder.name, seed, display_names=names)
    for stale in [folder / INTERVIEWS_FILE, *folder.glob("*.qdpx")]:
        stale.unlink(missing_ok=True)
    if not len(interviews):
        return
    if interview_format == "qdpx":
        from .synthetic_qdpx import write_qdpx

        write_qdpx(interviews, codebook(), folder / QDPX_FILE)
    else:
        interviews.to_csv(folder / INTERVIEWS_FILE, index=False)


def _write_codebook(data_dir: Path, *, overwrite: bool) -> None:
    path = Path(data_dir) / "raw" / CODEBOOK_FILE
    if overwrite or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        codebook().to_csv(path, index=False)


def write_wave(data_dir: Path, wave: str, n: int, seed: int,
               profile: WaveProfile = STUDY_PROFILE, *, id_start: int = 1,
               n_interviews: int = 10, interview_format: str = "csv", survey_format: str = "canonical") -> Path:
    """Write ``<data_dir>/raw/waves/<wave>/`` (survey and, if any, interviews) and return it.

    ``<data_dir>/raw/codebook.csv`` is written too when it does not exist yet. The wave's date is
    the first of the month for ``YYYY-MM`` names, otherwise today. Re-writing a wave replaces its
    files; an interview file from an earlier run is removed when no interviews are written.
    """
    folder = _wave_folder(data_dir, wave)
    survey = generate_survey(n, seed, profile, id_start=id_start, wave_date=_wave_date(wave))
    _write_files(folder, survey, generate_interviews(survey, seed, n_interviews), interview_format,
                 survey_format, seed)
    _write_codebook(data_dir, overwrite=False)
    return folder


def _carry_over_users(previous: pd.DataFrame, current: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Reassign identities among ``current``'s rows so that earlier users still use Twitter.

    Only who-is-who moves (id, name, e-mail), so every count and mean of ``current`` is kept.
    """
    rng = np.random.default_rng(seed)
    was_user = current["respondent_id"].isin(
        previous.loc[previous["uses_twitter"].eq("yes"), "respondent_id"]).to_numpy()
    is_user = current["uses_twitter"].eq("yes").to_numpy()
    if was_user.sum() > is_user.sum():
        raise ValueError("fewer users than returning users; cannot carry them over")
    people = np.concatenate([rng.permutation(np.flatnonzero(was_user)),
                             rng.permutation(np.flatnonzero(~was_user))])
    places = np.concatenate([rng.permutation(np.flatnonzero(is_user)),
                             rng.permutation(np.flatnonzero(~is_user))])
    out = current.copy()
    out.iloc[places, [out.columns.get_loc(c) for c in _IDENTITY]] = \
        current.iloc[people][_IDENTITY].to_numpy()
    return out.sort_values("respondent_id", ignore_index=True)


def write_bundled(data_dir: Path) -> None:
    """Write the two bundled waves (2019-03 as in STUDY.md, 2020-03 a year on) and the codebook.

    Wave 2020-03 re-surveys 40 of wave 2019-03's managers (same respondent_id, name and e-mail;
    everyone who used Twitter then still does) and adds 22 new ones.
    """
    (w1, n1, seed1, start1), (w2, n2, seed2, start2) = BUNDLED_WAVES
    first = generate_survey(n1, seed1, STUDY_PROFILE, id_start=start1, wave_date=_wave_date(w1))
    second = generate_survey(n2, seed2, YEAR_ON_PROFILE, id_start=start2,
                             wave_date=_wave_date(w2))
    second = _carry_over_users(first, second, seed2)
    # The year-on wave's interviews come as a QDA project, the way coders export them.
    for wave, survey, seed, interviews in ((w1, first, seed1, "csv"), (w2, second, seed2, "qdpx")):
        _write_files(_wave_folder(data_dir, wave), survey, generate_interviews(survey, seed), interviews)
    _write_codebook(data_dir, overwrite=True)


if __name__ == "__main__":
    write_bundled(Path("data"))
