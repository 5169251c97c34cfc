"""Building typed waves for the analysis and report tests, straight from the synthetic generator."""

from __future__ import annotations

import gc
from datetime import datetime

import pandas as pd
import pytest

from engagement_pipeline.reporting.wording import Names
from engagement_pipeline.synthetic import codebook

MIN_GROUP_SIZE = 11
ALPHA = 0.05
LOADED_AT = datetime(2019, 3, 31, 12, 0)
TOO_FEW = "too few responses to report"
KEY = b"0123456789abcdef0123456789abcdef"
NAMES = Names()


@pytest.fixture(autouse=True, scope="module")
def _cheap_gc_collect():
    """statsmodels' Holm step calls gc.collect(); freezing existing objects keeps it quick."""
    gc.freeze()
    yield
    gc.unfreeze()


def typed_codebook() -> pd.DataFrame:
    raw = codebook()
    return pd.DataFrame({
        "theme": raw["theme"].astype("string"),
        "label": raw["label"].astype("string"),
        "description": raw["description"].replace("", None).astype("string"),
        "golden_thread": raw["golden_thread"].replace("", None).astype("string"),
    })


def typed_quotes(raw: pd.DataFrame, wave: str) -> pd.DataFrame:
    return pd.DataFrame({
        "wave": pd.Series(wave, index=raw.index, dtype="string"),
        "interview_id": raw["interview_id"].astype("string"),
        "segment_id": raw["segment_id"].astype("string"),
        "theme": raw["theme"].astype("string"),
        "quote": raw["quote"].astype("string"),
        "respondent_key": raw["respondent_id"].astype("string"),
    }).reset_index(drop=True)
