from django.apps import AppConfig

from institutions.disclosure import register_public_results


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = "检查与安全监管"

    def ready(self) -> None:
        # The registry's public page (信息公示) shows each institution's published results; the
        # registry stands below inspections and cannot import them, so they are handed to it here.
        # Selectors import models, which Django loads only after every AppConfig: imported in
        # ready() to break the cycle Django forces (app configs -> models -> app registry).
        from .selectors import public_results_for

        register_public_results(public_results_for)

        # Imported here: they import models, which exist only once apps.py has been read (the
        # cycle Django forces; AppConfig.ready runs when the registry is ready).
        from institutions.services import staff_hired

        from .services import staff_hire_check  # the same cycle

        # A newly registered staff member with a credit record in force warns the operator and
        # the bureau: the registry's staff_save calls the hook once the person is saved.
        staff_hired.register(staff_hire_check)
