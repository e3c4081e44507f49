from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = "检查与安全监管"

    def ready(self) -> None:
        # Imported here: they import models, which exist only once apps.py has been read (the
        # cycle Django forces; AppConfig.ready runs when the registry is ready).
        from institutions.services import staff_hired

        from .services import staff_hire_check  # the same cycle

        # A newly registered staff member with a credit record in force warns the operator and
        # the bureau: the registry's staff_save calls the hook once the person is saved.
        staff_hired.register(staff_hire_check)
