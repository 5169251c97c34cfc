#!/usr/bin/env python
"""Mutation testing of the modules that guard the pipeline's promises (docs/testing.md).

Runs mutmut (``pip install -e '.[mutation]'``) on a copy of the working tree, so the checkout
never gets a ``mutants/`` folder and a run can go on while the tree is edited, then prints the
score per module: killed / total, and every mutant that was not killed with its diff.

    python scripts/mutation.py                      # every module of [tool.mutmut] only_mutate
    python scripts/mutation.py privacy checks       # some of them (names from MODULES below)
    python scripts/mutation.py --keep /tmp/mut ...  # keep the copy (``mutmut browse`` in it)

Slow (each mutant runs the tests that reach the mutated function), so not part of CI. The tests
for each module are narrowed to the fast ones listed in MODULES; they must be in [tool.mutmut]
pytest_add_cli_args_test_selection in pyproject.toml (a test of a file listed there whole counts).

mutmut 3 never mutates a decorated function, nested ones included, so the body of a Dagster
``@asset_check`` defined inside a factory (the quarantine gate in defs/checks.py) gets no mutant
from it. For those bodies this script applies the same kinds of mutation itself (comparison,
arithmetic and boolean operators, numbers, strings, keyword arguments, ``not``) one at a time and
runs the module's tests on each; they are reported as ``<module> (decorated)``.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TESTS = "engagement_pipeline_tests"

#: short name -> (module file, the fast tests that cover it)
MODULES: dict[str, tuple[str, tuple[str, ...]]] = {
    "privacy": ("engagement_pipeline/ingest/privacy.py",
                (f"{TESTS}/test_privacy.py", f"{TESTS}/test_privacy_edges.py")),
    # test_mutation_kills.py: only its tests of the check specs (the rest are statistics, and slow)
    "checks": ("engagement_pipeline/defs/checks.py",
               (f"{TESTS}/test_quarantine_check.py", *(f"{TESTS}/test_mutation_kills.py::{name}" for name in (
                   "test_each_table_is_checked_in_the_step_of_the_asset_that_stages_it",
                   "test_a_schema_check_spec_is_blocking_per_wave_on_the_staging_asset_and_says_what_it_checks",
                   "test_the_quarantine_check_spec_is_blocking_per_wave_and_names_its_setting_and_default",
                   "test_building_a_check_step_silences_only_dagsters_preview_warning")))),
    # test_publish_atomic.py without its test that runs the whole pipeline twice (30 s a mutant)
    "publish": ("engagement_pipeline/warehouse/publish.py",
                (f"{TESTS}/test_publish_edges.py", *(f"{TESTS}/test_publish_atomic.py::{name}" for name in (
                    "test_each_publish_swaps_in_a_new_file_and_a_held_reader_keeps_the_old_one",
                    "test_a_reader_during_publishes_sees_both_whole_states_and_nothing_else",
                    "test_failure_while_writing_leaves_the_published_file_untouched",
                    "test_staged_rows_never_reach_the_warehouse_and_old_stg_tables_are_dropped")))),
    "proportions": ("engagement_pipeline/analysis/proportions.py",
                    (f"{TESTS}/test_statistics.py", f"{TESTS}/test_statistics_corners.py",
                     f"{TESTS}/test_statistics_properties.py", f"{TESTS}/test_proportions_edges.py")),
    "engagement_comparison": ("engagement_pipeline/analysis/engagement_comparison.py",
                              (f"{TESTS}/test_statistics.py", f"{TESTS}/test_statistics_corners.py",
                               f"{TESTS}/test_statistics_properties.py", f"{TESTS}/test_comparison_edges.py")),
    "engagement_adjusted": ("engagement_pipeline/analysis/engagement_adjusted.py",
                            (f"{TESTS}/test_statistics.py", f"{TESTS}/test_statistics_corners.py",
                             f"{TESTS}/test_mutation_kills.py")),
    # test_disclosure.py without its exhaustive search (2.5 min a mutant)
    "disclosure": ("engagement_pipeline/analysis/disclosure.py",
                   tuple(f"{TESTS}/test_disclosure.py::{name}" for name in (
                       "test_the_issue_example_leaked_and_no_longer_does", "test_the_old_rule_would_leak_on_that_input",
                       "test_a_row_that_is_the_wave_figure_itself_stays_published", "TestTheRuleLineByLine"))),
}

KILLED = {"killed", "timeout", "caught by type check", "segfault"}
DOCS = REPO / "docs" / "testing.md"


def short_name(mutant: str) -> str:
    """``x_scrub__mutmut_9`` from mutmut's dotted key, ``decorated_16`` from this script's own."""
    if ":decorated_" in mutant:
        return mutant.split(":", 1)[1].split(" ", 1)[0]
    return mutant.rsplit(".", 1)[-1]


def named_equivalents(text: str) -> dict[str, set[str]]:
    """Module name (as in MODULES, ``<name> (decorated)`` for decorated bodies) -> the mutants that
    docs/testing.md's survivor tables name as equivalent.

    A table belongs to the module whose file is named in backticks on the last line before it that
    is not a table row (``decorated`` on that line: the decorated bodies). A row counts when its
    last cell starts with "equivalent"; each backticked mutant name in its first cell is taken,
    ``_N`` being short for the name before it with the number N.
    """
    found: dict[str, set[str]] = {}
    module = None
    for line in text.splitlines():
        if not line.startswith("|"):
            paths = re.findall(r"`([\w/]+\.py)`", line)
            named = [name for name, (file, _) in MODULES.items() for path in paths if file.endswith("/" + path)]
            if named:
                module = named[0] + (" (decorated)" if "decorated" in line else "")
            elif line.strip():
                module = None if line.startswith("#") else module
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if module is None or len(cells) < 2 or not cells[-1].startswith("equivalent"):
            continue
        previous = None
        for name in re.findall(r"`([^`]+)`", cells[0]):
            if re.fullmatch(r"_\d+", name) and previous:
                name = previous.rsplit("_", 1)[0] + name
            if re.fullmatch(r"(x_\w+__mutmut|decorated)_\d+", name):
                found.setdefault(module, set()).add(name)
                previous = name
    return found


def status_of(exit_code: int | None) -> str:
    from mutmut.stats import status_by_exit_code

    return status_by_exit_code[exit_code]


def copy_tree(target: Path) -> None:
    """The working tree as git sees it (tracked and untracked, not ignored), into ``target``."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=REPO, check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if not source.is_file():
            continue  # deleted in the working tree
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)


def narrow_config(work: Path, chosen: list[str]) -> None:
    """Make the copy's [tool.mutmut] mutate only ``chosen`` modules, with their tests."""
    pyproject = work / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    configured = tomllib.loads(text)["tool"]["mutmut"]
    files = [MODULES[name][0] for name in chosen]
    tests = sorted({test for name in chosen for test in MODULES[name][1]})
    tests = [test for test in tests if test.split("::")[0] == test or test.split("::")[0] not in tests]
    for name in chosen:
        module = MODULES[name][0]
        if module not in configured["only_mutate"]:
            raise SystemExit(f"{module} is not in [tool.mutmut] only_mutate")
        if not (REPO / module).exists():
            raise SystemExit(f"{module} does not exist (yet)")
    selection = set(configured["pytest_add_cli_args_test_selection"])
    unknown = {test for test in tests if test not in selection and test.split("::")[0] not in selection}
    if unknown:
        raise SystemExit(f"tests missing from [tool.mutmut] pytest_add_cli_args_test_selection: {sorted(unknown)}")

    def toml_list(values: list[str]) -> str:
        return "[" + ", ".join(json.dumps(v) for v in values) + "]"

    text = re.sub(r"(?ms)^only_mutate = \[.*?^\]", f"only_mutate = {toml_list(files)}", text)
    text = re.sub(r"(?ms)^pytest_add_cli_args_test_selection = \[.*?^\]",
                  f"pytest_add_cli_args_test_selection = {toml_list(tests)}", text)
    pyproject.write_text(text, encoding="utf-8")


def results(work: Path, chosen: list[str]) -> dict[str, dict[str, str]]:
    """module -> {mutant name: status}, from mutmut's .meta files."""
    out: dict[str, dict[str, str]] = {}
    for name in chosen:
        meta = work / "mutants" / (MODULES[name][0] + ".meta")
        codes = json.loads(meta.read_text())["exit_code_by_key"] if meta.exists() else {}
        out[name] = {mutant: status_of(code) for mutant, code in sorted(codes.items())}
    return out


# --- Mutants of decorated functions, which mutmut skips ---------------------------------------

_SWAP_COMPARE = {ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Eq: ast.NotEq,
                 ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is}
_SWAP_BINARY = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult}
_PLAIN_DECORATORS = {"staticmethod", "classmethod"}


def _decorated_functions(tree: ast.Module) -> list[ast.FunctionDef]:
    """Functions mutmut leaves alone: any decorated def except @staticmethod/@classmethod."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.decorator_list:
            names = {d.id for d in node.decorator_list if isinstance(d, ast.Name)}
            if not (len(node.decorator_list) == 1 and names & _PLAIN_DECORATORS):
                found.append(node)
    return found


def _edits(node: ast.AST) -> Iterator[Callable[[ast.AST], None]]:
    """In-place mutations of one node (each applied to a fresh copy of the tree)."""
    if isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            if type(op) in _SWAP_COMPARE:
                yield lambda n, i=i: n.ops.__setitem__(i, _SWAP_COMPARE[type(n.ops[i])]())
    elif isinstance(node, ast.BinOp) and type(node.op) in _SWAP_BINARY:
        yield lambda n: setattr(n, "op", _SWAP_BINARY[type(n.op)]())
    elif isinstance(node, ast.BoolOp):
        yield lambda n: setattr(n, "op", ast.Or() if isinstance(n.op, ast.And) else ast.And())
    elif isinstance(node, ast.Constant):
        if isinstance(node.value, bool):
            yield lambda n: setattr(n, "value", not n.value)
        elif isinstance(node.value, (int, float)):
            yield lambda n: setattr(n, "value", n.value + 1)
        elif isinstance(node.value, str) and node.value:
            yield lambda n: setattr(n, "value", f"XX{n.value}XX")
    elif isinstance(node, ast.Call):
        for i in range(len(node.keywords)):
            yield lambda n, i=i: n.keywords.pop(i)
    # ``not x`` / ``~x`` / ``-x`` -> ``x``: replaced in the parent
    for field, value in ast.iter_fields(node):
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            if isinstance(item, ast.UnaryOp) and isinstance(item.op, (ast.Not, ast.Invert, ast.USub)):
                if isinstance(value, list):
                    yield lambda n, f=field, i=i: getattr(n, f).__setitem__(i, getattr(n, f)[i].operand)
                else:
                    yield lambda n, f=field: setattr(n, f, getattr(n, f).operand)


def _candidates(tree: ast.Module) -> list[tuple[ast.AST, Callable[[ast.AST], None]]]:
    out = []
    for function in _decorated_functions(tree):
        body = function.body
        if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
            body = body[1:]  # the docstring
        for statement in body:
            for node in ast.walk(statement):
                out.extend((node, edit) for edit in _edits(node))
    return out


def decorated_mutants(source: str) -> Iterator[tuple[str, str]]:
    """(description, mutated module source) for every mutation inside a decorated function."""
    plain = ast.unparse(ast.parse(source))
    for index in range(len(_candidates(ast.parse(source)))):
        tree = ast.parse(source)
        _, edit = _candidates(tree)[index]
        edit(_candidates(tree)[index][0])
        mutated = ast.unparse(tree)
        changed = [line for line in difflib.ndiff(plain.splitlines(), mutated.splitlines()) if line[:1] in "+-"]
        if not changed:
            continue
        yield "  ->  ".join(" ".join(line[2:].split()) for line in changed[:2]), mutated


def run_decorated(work: Path, name: str, show: bool) -> dict[str, str]:
    """Mutate the decorated functions of MODULES[name] in ``work`` one at a time; mutant -> status."""
    module, tests = MODULES[name]
    path = work / module
    source = path.read_text(encoding="utf-8")
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(work)}
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    started = time.monotonic()
    clean = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True)
    if clean.returncode != 0:
        raise SystemExit(f"{name}: the tests fail without a mutant:\n{clean.stdout[-3000:]}")
    limit = 10 * (time.monotonic() - started) + 30
    statuses: dict[str, str] = {}
    plain = ast.unparse(ast.parse(source)).splitlines()
    try:
        for number, (description, mutated) in enumerate(decorated_mutants(source), start=1):
            key = f"{module}:decorated_{number} ({description})"
            path.write_text(mutated, encoding="utf-8")
            try:
                run = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, timeout=limit)
                statuses[key] = "killed" if run.returncode != 0 else "survived"
            except subprocess.TimeoutExpired:
                statuses[key] = "timeout"
            if statuses[key] == "survived" and show:
                diff = difflib.unified_diff(plain, mutated.splitlines(), lineterm="", n=1)
                statuses[key] += "\n" + "\n".join(list(diff)[2:])
    finally:
        path.write_text(source, encoding="utf-8")
    return statuses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", metavar="module",
                        help=f"any of {', '.join(MODULES)} (default: all)")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--max-children", type=int, default=max(1, (os.cpu_count() or 2) - 1))
    parser.add_argument("--no-diffs", action="store_true", help="do not print the survivors' diffs")
    parser.add_argument("--report", type=Path, metavar="FOLDER",
                        help="run nothing: print the results kept in FOLDER by an earlier --keep run again "
                             "(against docs/testing.md as it is now)")
    args = parser.parse_args(argv)
    chosen = args.modules or list(MODULES)
    unknown = [name for name in chosen if name not in MODULES]
    if unknown:
        parser.error(f"unknown module(s) {', '.join(unknown)}; choose from {', '.join(MODULES)}")
    if args.report:
        kept = json.loads((args.report / "decorated.json").read_text()) if (args.report / "decorated.json").exists() else {}
        chosen = [name for name in chosen if (args.report / "mutants" / (MODULES[name][0] + ".meta")).exists()]
        found = results(args.report, chosen)
        for name in chosen:
            if f"{name} (decorated)" in kept:
                found[f"{name} (decorated)"] = kept[f"{name} (decorated)"]
        report(args.report, found, show_diffs=not args.no_diffs)
        return 0

    work = args.keep or Path(tempfile.mkdtemp(prefix="mutation-"))
    if work.exists() and any(work.iterdir()):
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    try:
        copy_tree(work)
        narrow_config(work, chosen)
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        run = subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children", str(args.max_children)],
                             cwd=work, env=env, capture_output=True, text=True)
        found = results(work, chosen)
        if run.returncode != 0 and not any(found.values()):
            print(run.stdout[-4000:], run.stderr[-4000:], sep="\n", file=sys.stderr)
            return run.returncode
        for name in chosen:
            if _candidates(ast.parse((work / MODULES[name][0]).read_text(encoding="utf-8"))):
                found[f"{name} (decorated)"] = run_decorated(work, name, show=True)
        (work / "decorated.json").write_text(json.dumps({k: v for k, v in found.items() if "(decorated)" in k}))
        report(work, found, show_diffs=not args.no_diffs)
        return 0
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


def report(work: Path, found: dict[str, dict[str, str]], show_diffs: bool) -> None:
    """The score table and every survivor, each marked as named equivalent in docs/testing.md or not.

    score: killed / all mutants. without equiv.: killed / (all less the survivors that
    docs/testing.md names as equivalent), the usual mutation score. unexplained: survivors it does
    not name, which need a test or an entry there.
    """
    equivalent = named_equivalents(DOCS.read_text(encoding="utf-8")) if DOCS.exists() else {}

    def is_equivalent(name: str, mutant: str) -> bool:
        return short_name(mutant) in equivalent.get(name, set())

    def percent(part: int, whole: int) -> str:
        return f"{100 * part / whole:.1f} %" if whole else "-"

    sums: Counter = Counter()
    print(f"{'module':<28}{'killed':>8}{'total':>8}{'score':>9}{'equiv.':>8}{'without equiv.':>16}{'unexplained':>13}")
    for name, statuses in found.items():
        killed = sum(status.split("\n")[0] in KILLED for status in statuses.values())
        survivors = [m for m, status in statuses.items() if status.split("\n")[0] not in KILLED]
        named = sum(is_equivalent(name, m) for m in survivors)
        unexplained = len(survivors) - named
        sums.update(killed=killed, total=len(statuses), named=named, unexplained=unexplained)
        print(f"{name:<28}{killed:>8}{len(statuses):>8}{percent(killed, len(statuses)):>9}{named:>8}"
              f"{percent(killed, len(statuses) - named):>16}{unexplained:>13}")
    print(f"{'all':<28}{sums['killed']:>8}{sums['total']:>8}{percent(sums['killed'], sums['total']):>9}"
          f"{sums['named']:>8}{percent(sums['killed'], sums['total'] - sums['named']):>16}{sums['unexplained']:>13}")
    for name, statuses in found.items():
        for mutant, status in statuses.items():
            head, _, diff = status.partition("\n")
            if head in KILLED:
                continue
            note = "named equivalent in docs/testing.md" if is_equivalent(name, mutant) else "NOT EXPLAINED"
            print(f"\n--- {head} ({note}): {mutant}")
            if "(decorated)" in name:
                if diff and show_diffs:
                    print(diff)
            elif show_diffs:
                shown = subprocess.run([sys.executable, "-m", "mutmut", "show", mutant], cwd=work,
                                       capture_output=True, text=True)
                print(shown.stdout.rstrip())


if __name__ == "__main__":
    sys.exit(main())
