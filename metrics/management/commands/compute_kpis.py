from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from metrics import services
from portal.dates import add_months, parse_period


class Command(BaseCommand):
    help = "Compute the pilot indicators (kpis.md) for one month or a range of months."

    def add_arguments(self, parser):
        parser.add_argument(
            "--period", help="YYYY-MM (default: the previous and the current month)"
        )
        parser.add_argument("--from", dest="first", help="YYYY-MM, with --to")
        parser.add_argument("--to", dest="last", help="YYYY-MM, with --from")

    def handle(self, *args, period=None, first=None, last=None, **options):
        try:
            if period and (first or last):
                raise CommandError("Use either --period or --from/--to.")
            if period:
                months = [parse_period(period)]
            elif first or last:
                if not (first and last):
                    raise CommandError("--from and --to go together.")
                months = services.months_between(parse_period(first), parse_period(last))
                if not months:
                    raise CommandError("--from is after --to.")
            else:
                this_month = timezone.localdate().replace(day=1)
                months = [add_months(this_month, -1), this_month]
        except ValueError:
            raise CommandError("Months are written YYYY-MM, e.g. 2025-06.") from None
        for month in months:
            count = services.compute_period(month)
            self.stdout.write(f"{month:%Y-%m}: {count} snapshots")
