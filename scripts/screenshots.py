#!/usr/bin/env python
"""Screenshots of the published reports, to look at them as a reader would.

Renders every ``reports/<wave>/report.html`` and ``reports/trends/report.html`` under an output
folder to a PNG with headless Chromium (the ``chromium`` Debian package), one file per report:

    python scripts/screenshots.py                       # outputs/ -> outputs/screenshots/
    python scripts/screenshots.py /tmp/out --to /tmp/shots --width 1000

Chromium only opens the local ``file://`` pages (the reports embed their charts), with its
background networking, component updates and sync switched off and a throw-away profile, so
nothing is downloaded. The window is tall enough for a whole report; the blank space below the
page is trimmed off (when Pillow is installed). Prints each PNG's path; exits 1 when Chromium is
missing, there is no report, or a page could not be rendered.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
#: The switches every render uses (besides the profile, the window size and the target PNG).
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--no-default-browser-check",
         "--hide-scrollbars", "--force-device-scale-factor=1", "--mute-audio")


def find_chromium(path: str | None = None) -> str | None:
    """``path``, else /usr/bin/chromium, else a ``chromium`` on PATH; None when there is none."""
    for candidate in (path, CHROMIUM, shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def reports(output: Path) -> list[tuple[str, Path]]:
    """(name, report.html) for every wave report in order, then the trends report."""
    folder = output / "reports"
    pages = sorted((p.parent.name, p) for p in folder.glob("*/report.html")
                   if not p.parent.name.startswith(".") and p.parent.name != "trends")
    trends = folder / "trends" / "report.html"
    return pages + ([("trends", trends)] if trends.is_file() else [])


def trim(png: Path, margin: int = 24) -> None:
    """Cut the rows below the page's last non-background row (the window is taller than the page)."""
    try:
        from PIL import Image, ImageChops
    except ImportError:  # the screenshot stays as rendered
        return
    with Image.open(png) as image:
        image = image.convert("RGB")
    background = Image.new("RGB", image.size, image.getpixel((image.width - 1, image.height - 1)))
    box = ImageChops.difference(image, background).getbbox()
    if box and box[3] + margin < image.height:
        image.crop((0, 0, image.width, box[3] + margin)).save(png)


def screenshot(chromium: str, page: Path, png: Path, width: int, height: int, timeout: float) -> None:
    png.parent.mkdir(parents=True, exist_ok=True)
    png.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="screenshots-profile-") as profile:
        command = [chromium, *FLAGS, f"--user-data-dir={profile}", f"--screenshot={png}",
                   f"--window-size={width},{height}", page.resolve().as_uri()]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    if not png.is_file() or png.stat().st_size == 0:
        raise RuntimeError(f"chromium wrote no screenshot of {page} (exit {done.returncode}):\n"
                           + done.stderr.strip()[-2000:])
    trim(png)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Render the published report.html files to PNG with headless Chromium.")
    parser.add_argument("output", nargs="?", default="outputs", type=Path,
                        help="the pipeline's output folder (default: outputs)")
    parser.add_argument("--to", type=Path, help="where to write the PNGs (default: <output>/screenshots)")
    parser.add_argument("--chromium", help=f"the Chromium binary (default: {CHROMIUM})")
    parser.add_argument("--width", type=int, default=1200, help="window width in pixels (default: 1200)")
    parser.add_argument("--height", type=int, default=14000,
                        help="window height in pixels, at least the longest report (default: 14000)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds allowed per page (default: 120)")
    args = parser.parse_args(argv)

    chromium = find_chromium(args.chromium)
    if chromium is None:
        print("screenshots: Chromium not found (install the 'chromium' Debian package or pass --chromium)",
              file=sys.stderr)
        return 1
    pages = reports(args.output)
    if not pages:
        print(f"screenshots: no report.html under {args.output / 'reports'}", file=sys.stderr)
        return 1
    target = args.to or args.output / "screenshots"
    failed = 0
    for name, page in pages:
        png = target / f"{name}.png"
        try:
            screenshot(chromium, page, png, args.width, args.height, args.timeout)
        except (RuntimeError, subprocess.TimeoutExpired) as error:
            print(f"screenshots: {name}: {error}", file=sys.stderr)
            failed += 1
            continue
        print(png)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
