"""The refresh schedule: weekly by default (``ENGAGEMENT_REFRESH_CRON``), it re-runs every known
wave that is stale by the same rule as the sensor and the CLI (``ingest.watch``); with
``ENGAGEMENT_REFRESH_ALL=true`` it re-runs every known wave."""

from dagster import DefaultScheduleStatus, RunRequest, ScheduleEvaluationContext, SkipReason, schedule

from ..ingest.watch import stale_waves
from ..settings import Settings
from .jobs import wave_job
from .partitions import waves_partitions


def build_refresh_schedule(settings: Settings):
    cron = settings.refresh_cron
    what = "every known wave" if settings.refresh_all else "every known wave that is stale"

    @schedule(job=wave_job, cron_schedule=cron, name="weekly_refresh", default_status=DefaultScheduleStatus.RUNNING,
              execution_timezone=settings.refresh_timezone,
              description=f"Refresh: one run for {what} (cron '{cron}', ENGAGEMENT_REFRESH_CRON; "
                          "ENGAGEMENT_REFRESH_ALL=true re-runs every wave).")
    def weekly_refresh(context: ScheduleEvaluationContext):
        known = set(context.instance.get_dynamic_partitions(waves_partitions.name))
        stale = stale_waves(settings.waves_dir, settings.warehouse_path, settings.run_state())
        waves = [w for w, reason in stale.items() if w in known and (settings.refresh_all or reason)]
        if not waves:
            return SkipReason("every known wave is up to date" if known else "no wave partitions yet; the sensor adds them")
        stamp = context.scheduled_execution_time.isoformat()
        return [RunRequest(partition_key=w, run_key=f"refresh:{w}:{stamp}", tags={"trigger": "weekly_refresh"})
                for w in waves]

    return weekly_refresh
