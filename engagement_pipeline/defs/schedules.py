"""The refresh schedule: every known wave re-run, weekly by default (``ENGAGEMENT_REFRESH_CRON``)."""

from dagster import DefaultScheduleStatus, RunRequest, ScheduleEvaluationContext, SkipReason, schedule

from ..ingest.waves import scan_waves
from ..settings import Settings
from .jobs import wave_job
from .partitions import waves_partitions


def build_refresh_schedule(settings: Settings):
    cron = settings.refresh_cron

    @schedule(job=wave_job, cron_schedule=cron, name="weekly_refresh", default_status=DefaultScheduleStatus.RUNNING,
              execution_timezone=settings.refresh_timezone,
              description=f"Full refresh: one run per wave folder that is a known partition (cron '{cron}', "
                          "set ENGAGEMENT_REFRESH_CRON to change it).")
    def weekly_refresh(context: ScheduleEvaluationContext):
        known = set(context.instance.get_dynamic_partitions(waves_partitions.name))
        waves = [w for w in scan_waves(settings.waves_dir).valid if w in known]
        if not waves:
            return SkipReason("no wave partitions yet; the sensor adds them")
        stamp = context.scheduled_execution_time.isoformat()
        return [RunRequest(partition_key=w, run_key=f"refresh:{w}:{stamp}", tags={"trigger": "weekly_refresh"})
                for w in waves]

    return weekly_refresh
