"""The ``engagement-pipeline`` command: run the pipeline on every wave, generate a synthetic wave, or
export the interview codebook for QDA software."""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path


def _run(args: argparse.Namespace) -> int:
    from .planning import plan_run
    from .settings import Settings

    settings = Settings.from_env(args.data_dir, args.output_dir)
    if not settings.waves_dir.is_dir():
        print(f"error: no wave folders: {settings.waves_dir} does not exist", file=sys.stderr)
        return 2
    started = time.perf_counter()
    plan = plan_run(settings, only=args.wave, force=args.all)
    for message in plan.skipped:
        print(message, file=sys.stderr)
    for wave in plan.orphans:
        print(f"wave {wave} is published but its folder is gone from {settings.waves_dir}: it stays in the "
              f"warehouse, reports and trends until you run: engagement-pipeline drop-wave {wave}", file=sys.stderr)
    if not plan.to_run and not plan.unchanged:
        print(f"error: no valid wave folders under {settings.waves_dir}", file=sys.stderr)
        return 2
    if plan.unchanged:
        print(f"{len(plan.unchanged)} wave(s) unchanged since published, not run: {', '.join(plan.unchanged)} "
              "(--all runs every wave)")
    outcomes = []
    if plan.to_run:
        from . import wave_worker
        from .startup import collector_paused

        for wave in plan.to_run:
            print(f"wave {wave}: running ({plan.reasons[wave]})", file=sys.stderr)
        worker = wave_worker.start(settings, plan.to_run)  # its start-up overlaps ours
        try:
            with collector_paused():  # what is imported and opened here lives as long as the process
                from .execution import run_waves
                from .instance import instance_for_cli

                instance = instance_for_cli(settings, plan.to_run)
            with instance:
                outcomes = run_waves(settings, instance, plan.to_run, log_level="INFO" if args.verbose else "CRITICAL",
                                     worker=worker)
        finally:
            if worker is not None:
                worker.shutdown(cancel_futures=True)
    for outcome in outcomes:
        if outcome.success:
            print(f"wave {outcome.wave}: published")
        else:
            for problem in outcome.problems:
                print(f"wave {outcome.wave} FAILED: {problem}", file=sys.stderr)
    failed = [o.wave for o in outcomes if not o.success]
    elapsed = time.perf_counter() - started
    skipped = f"; {len(plan.skipped)} folder(s) skipped for their names" if plan.skipped else ""
    if outcomes:
        print(f"{len(outcomes) - len(failed)} of {len(outcomes)} waves published to {settings.warehouse_path} "
              f"in {elapsed:.1f} s{skipped}")
    else:
        print(f"nothing to run: {settings.warehouse_path} is up to date ({elapsed:.1f} s){skipped}")
    return 1 if failed or plan.skipped else 0


def _generate(args: argparse.Namespace) -> int:
    from .contract import is_valid_wave_name, wave_name_problem
    from .settings import Settings
    from .synthetic import write_wave

    if not is_valid_wave_name(args.wave):
        print(f"error: {wave_name_problem(args.wave)}", file=sys.stderr)
        return 2
    if args.respondents < 1:
        print("error: --respondents must be at least 1", file=sys.stderr)
        return 2
    settings = Settings.from_env(args.data_dir, None)
    folder = write_wave(settings.data_dir, args.wave, args.respondents, args.seed, interview_format=args.interviews,
                        survey_format=args.format)
    print(f"wrote synthetic wave {args.wave} ({args.respondents} respondents) to {folder}")
    return 0


def _drop_wave(args: argparse.Namespace) -> int:
    from .contract import is_valid_wave_name, wave_name_problem
    from .execution import drop_wave
    from .instance import instance_for_cli
    from .settings import Settings

    if not is_valid_wave_name(args.wave):
        print(f"error: {wave_name_problem(args.wave)}", file=sys.stderr)
        return 2
    settings = Settings.from_env(args.data_dir, args.output_dir)
    with instance_for_cli(settings) as instance:
        removed = drop_wave(settings, instance, args.wave)
    rows = sum(removed.values())
    print(f"wave {args.wave} withdrawn: {rows} rows removed from {len([n for n in removed.values() if n])} tables "
          f"of {settings.warehouse_path}; its report and the trends updated")
    if (settings.waves_dir / args.wave).is_dir():
        print(f"note: {settings.waves_dir / args.wave} still exists; the next run will publish it again "
              "unless you move it away", file=sys.stderr)
    return 0


def _ui(args: argparse.Namespace) -> int:
    """The Dagster UI and daemon on the same instance and roots as ``run``: its runs are all there."""
    import os

    from .settings import Settings
    from .wave_worker import instance_home

    settings = Settings.from_env(args.data_dir, args.output_dir)
    env = {**os.environ, "DAGSTER_HOME": str(instance_home(settings)),
           "ENGAGEMENT_DATA_DIR": str(settings.data_dir), "ENGAGEMENT_OUTPUT_DIR": str(settings.output_dir)}
    command = [sys.executable, "-m", "dagster", "dev", "-m", "engagement_pipeline.definitions",
               "-h", args.host, "-p", str(args.port)]
    print(f"Dagster UI on http://{args.host}:{args.port} (instance {env['DAGSTER_HOME']}); Ctrl-C stops it",
          file=sys.stderr)
    os.execvpe(command[0], command, env)
    return 0  # not reached


def _export_codebook(args: argparse.Namespace) -> int:
    from .ingest.errors import ContractError
    from .ingest.interviews import load_codebook
    from .ingest.qdc import write_codebook_qdc
    from .ingest.readers import read_csv
    from .settings import Settings

    settings = Settings.from_env(args.data_dir, None)
    if not settings.codebook_path.exists():
        print(f"error: no codebook at {settings.codebook_path}", file=sys.stderr)
        return 2
    try:
        codebook = load_codebook(read_csv(settings.codebook_path))
    except ContractError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 1
    write_codebook_qdc(codebook, args.file)
    print(f"wrote {len(codebook)} themes as a REFI-QDA codebook to {args.file}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="engagement-pipeline",
        description="Validate, analyse and publish NHS staff-engagement survey waves (see README.md): run the "
                    "pipeline, generate synthetic waves, open the Dagster UI, export the interview codebook.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="validate, load, analyse and publish every valid wave")
    run.add_argument("--data-dir", type=Path, help="input root (default: $ENGAGEMENT_DATA_DIR or data/)")
    run.add_argument("--output-dir", type=Path, help="output root (default: $ENGAGEMENT_OUTPUT_DIR or outputs/)")
    run.add_argument("--all", action="store_true",
                     help="run every wave, not only those whose inputs, settings or pipeline version changed")
    run.add_argument("--wave", action="append", metavar="WAVE", help="run this wave (repeat for several)")
    run.add_argument("-v", "--verbose", action="store_true", help="show Dagster's step log")
    run.set_defaults(handler=_run)
    gen = sub.add_parser("generate", help="write a synthetic wave in the data contract's format")
    gen.add_argument("--wave", required=True)
    gen.add_argument("--respondents", type=int, required=True)
    gen.add_argument("--seed", type=int, required=True)
    gen.add_argument("--format", choices=("canonical", "ms_forms", "surveymonkey", "qualtrics"), default="canonical",
                     help="write the survey as survey_responses.csv (default) or as that tool exports it, "
                          "with the wave's instrument.yaml")
    gen.add_argument("--interviews", choices=("csv", "qdpx"), default="csv",
                     help="write the coded interviews as interview_segments.csv (default) or as a REFI-QDA project")
    gen.add_argument("--data-dir", type=Path, help="input root (default: $ENGAGEMENT_DATA_DIR or data/)")
    gen.set_defaults(handler=_generate)
    drop = sub.add_parser("drop-wave", help="withdraw a wave from the warehouse, its report and the trends")
    drop.add_argument("wave")
    drop.add_argument("--data-dir", type=Path, help="input root (default: $ENGAGEMENT_DATA_DIR or data/)")
    drop.add_argument("--output-dir", type=Path, help="output root (default: $ENGAGEMENT_OUTPUT_DIR or outputs/)")
    drop.set_defaults(handler=_drop_wave)
    ui = sub.add_parser("ui", help="start the Dagster UI and daemon on the instance the CLI's runs are kept in")
    ui.add_argument("--data-dir", type=Path, help="input root (default: $ENGAGEMENT_DATA_DIR or data/)")
    ui.add_argument("--output-dir", type=Path, help="output root (default: $ENGAGEMENT_OUTPUT_DIR or outputs/)")
    ui.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; do not expose "
                                                          "without an authenticating proxy)")
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(handler=_ui)
    export = sub.add_parser("export-codebook", help="write the interview codebook as a REFI-QDA codebook (.qdc) "
                                                    "to import into NVivo, ATLAS.ti, MAXQDA, QualCoder…")
    export.add_argument("file", type=Path, help="the .qdc file to write")
    export.add_argument("--data-dir", type=Path, help="input root (default: $ENGAGEMENT_DATA_DIR or data/)")
    export.set_defaults(handler=_export_codebook)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    warnings.filterwarnings("ignore", module=r"dagster.*")
    warnings.filterwarnings("ignore", message=r".*(preview|beta|experimental).*")
    try:
        return args.handler(args)
    except ValueError as exc:  # bad settings in the environment
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
