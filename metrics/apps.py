from django.apps import AppConfig

from programme.indicators import register_indicator_reader


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = "试点指标"

    def ready(self) -> None:
        # Imported here: they import models, which exist only once apps.py has been read (the
        # cycle Django forces; AppConfig.ready runs when the registry is ready).
        from portal import jobs

        from .models import ComputeRun, EvaluationReportJob  # the same cycle
        from .programme import latest_city_readings  # the same cycle
        from .report_tasks import generate_evaluation_report  # the same cycle
        from .tasks import compute_run  # the same cycle

        # The services queue these jobs without importing their tasks (which import them).
        jobs.register(ComputeRun, compute_run)
        jobs.register(EvaluationReportJob, generate_evaluation_report)
        # The programme's board shows each task's linked indicators and judges "at risk" by them;
        # programme stands below metrics and cannot import it.
        register_indicator_reader(latest_city_readings)
