from django.apps import AppConfig


class InstitutionsConfig(AppConfig):
    name = "institutions"
    verbose_name = "托育机构"

    def ready(self) -> None:
        # Imported here: they import models, which exist only once apps.py has been read (the
        # cycle Django forces; AppConfig.ready runs when the registry is ready).
        from portal import jobs

        from .health import admin as _health_admin  # noqa: F401 - the same cycle; admin.py is full
        from .import_jobs.models import ImportJob  # the same cycle
        from .inclusive import admin as _inclusive_admin  # noqa: F401 - the same cycle
        from .lecturers import admin as _lecturers_admin  # noqa: F401 - the same cycle
        from .tasks import run_import_job  # the same cycle
        from .training import admin as _training_admin  # noqa: F401 - the same cycle

        # The import job's services queue it without importing the task (which imports them).
        jobs.register(ImportJob, run_import_job)
