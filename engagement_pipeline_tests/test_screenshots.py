"""scripts/screenshots.py renders each published report.html to a PNG with headless Chromium
(issue 14, "Done when"): one per bundled wave and one for the trends, each a real page."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest
from PIL import Image, ImageStat

from .conftest import REPO

SCRIPT = REPO / "scripts" / "screenshots.py"
_spec = importlib.util.spec_from_file_location("screenshots_script", SCRIPT)
screenshots = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(screenshots)

pytestmark = pytest.mark.skipif(screenshots.find_chromium() is None,
                                reason="Chromium is not installed (Debian package 'chromium'); no screenshots")


@pytest.fixture(scope="module")
def shots(bundled_run, tmp_path_factory):
    target = tmp_path_factory.mktemp("screenshots")
    done = subprocess.run([sys.executable, str(SCRIPT), str(bundled_run.outputs), "--to", str(target)],
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    return target, done.stdout.splitlines()


def test_one_screenshot_per_wave_and_the_trends(shots):
    target, printed = shots
    names = ["2019-03", "2020-03", "trends"]
    assert printed == [str(target / f"{name}.png") for name in names]
    assert sorted(p.name for p in target.iterdir()) == [f"{name}.png" for name in names]


@pytest.mark.parametrize("name", ["2019-03", "2020-03", "trends"])
def test_each_screenshot_shows_a_page(shots, name):
    target, _ = shots
    with Image.open(target / f"{name}.png") as image:
        image.load()
        rgb = image.convert("RGB")
    assert rgb.width == 1200
    # a report with its charts is far taller than one screen, and the empty window below it is cut
    assert 1000 < rgb.height < 14000
    low, high = zip(*rgb.getextrema())
    assert max(high) - min(low) > 200  # not one colour: dark text on a light page
    # the charts are in it: a noticeable share of the page is neither white nor near-white
    grey = rgb.convert("L")
    inked = sum(count for level, count in enumerate(grey.histogram()) if level < 200)
    assert inked / (grey.width * grey.height) > 0.01
    assert ImageStat.Stat(grey).stddev[0] > 10


def test_no_reports_is_an_error(tmp_path):
    done = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path)], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 1 and "no report.html" in done.stderr
