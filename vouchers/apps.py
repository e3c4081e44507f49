from django.apps import AppConfig

from institutions.disclosure import register_voucher_acceptance


class VouchersConfig(AppConfig):
    name = "vouchers"
    verbose_name = "托育券"

    def ready(self) -> None:
        # Imported here: they import models, which exist only once apps.py has been read (the
        # cycle Django forces; AppConfig.ready runs when the registry is ready).
        from institutions.import_jobs.services import register_kind

        from .resources import VOUCHER_APPLICATIONS, application_import_job  # the same cycle
        from .selectors import institutions_taking_vouchers  # the same cycle

        # A long application list is imported by a background job (institutions.import_jobs).
        register_kind(VOUCHER_APPLICATIONS, application_import_job)
        # 信息公示 says which institutions take vouchers today.
        register_voucher_acceptance(institutions_taking_vouchers)
