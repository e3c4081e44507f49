from django.core.management.base import BaseCommand
from django.db import transaction

from institutions import facts_store
from institutions.facts_at_day import FactsAtDay


class Command(BaseCommand):
    help = (
        "Rebuild the registry's facts kept per day (institutions.facts_store) from scratch: drop "
        "every kept row, then compute again each day that was kept."
    )

    def handle(self, *args, **options):
        days = sorted(FactsAtDay.objects.values_list("day", flat=True).distinct())
        dropped = facts_store.drop_all()
        self.stdout.write(f"dropped {dropped} rows of {len(days)} days")
        for day in days:
            with transaction.atomic():
                count = facts_store.fill(day)
            self.stdout.write(f"{day:%Y-%m-%d}: {count} institutions")
