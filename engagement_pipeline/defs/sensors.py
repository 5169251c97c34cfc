"""The wave sensor: new or changed wave folders get their partition and their run, by themselves."""

from dagster import DefaultSensorStatus, SensorEvaluationContext, SensorResult, RunRequest, SkipReason, sensor

from ..ingest.watch import watch
from ..settings import Settings
from .jobs import wave_job
from .partitions import waves_partitions


def build_wave_sensor(settings: Settings):
    interval = settings.sensor_interval_seconds

    @sensor(job=wave_job, name="wave_folder_sensor", minimum_interval_seconds=interval,
            default_status=DefaultSensorStatus.RUNNING,
            description=f"Every {interval} s (ENGAGEMENT_SENSOR_INTERVAL_SECONDS): a new or changed wave folder under data/raw/waves/ (compared by SHA-256 "
                        "with the published load_log) gets its partition and a run once its files have stopped "
                        "changing for one tick. Badly named folders are logged and never partitioned.")
    def wave_folder_sensor(context: SensorEvaluationContext):
        seen = watch(settings.waves_dir, settings.warehouse_path, context.cursor, settings.run_state())
        for message in seen.rejected_messages:
            context.log.warning(message)
        for decision in seen.decisions:
            if decision.action in ("settling", "incomplete"):
                context.log.info("wave %s: %s", decision.wave, decision.action)
        to_run = seen.to_run()
        if not to_run:
            context.update_cursor(seen.cursor)
            return SkipReason("no new or changed wave folders ready")
        known = set(context.instance.get_dynamic_partitions(waves_partitions.name))
        new = [d.wave for d in to_run if d.wave not in known]
        return SensorResult(
            run_requests=[RunRequest(partition_key=d.wave, run_key=d.run_key, tags={"trigger": "wave_folder_sensor"})
                          for d in to_run],
            dynamic_partitions_requests=[waves_partitions.build_add_request(new)] if new else [],
            cursor=seen.cursor,
        )

    return wave_folder_sensor


