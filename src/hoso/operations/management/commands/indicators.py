"""`hoso indicators rebuild|refresh`: recompute indicator results.

`rebuild` recomputes the rolled-up results of entered indicators from
their values (after a bulk import or a restructuring); `refresh`
recomputes computed indicators at every organization for the current
period (after installing the app that provides one). Both are idempotent.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from hoso.operations import live, rollup
from hoso.operations.models import Indicator, IndicatorValue


class Command(BaseCommand):
    help = "Rebuild indicator results or refresh computed indicators."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "refresh"])
        parser.add_argument("--code", help="Only this indicator.")

    def handle(self, *args, action, code, **options):
        indicators = Indicator.objects.filter(active=True)
        if code:
            indicators = indicators.filter(code=code)
            if not indicators.exists():
                raise CommandError(f"No active indicator with the code {code!r}.")
        for indicator in indicators:
            if action == "refresh":
                if not indicator.computed:
                    continue
                if not live.available(indicator.computed):
                    self.stdout.write(f"{indicator.code}: not available")
                    continue
                written = live.refresh_all(indicator)
                self.stdout.write(f"{indicator.code}: {written} results")
                continue
            periods: list[date] = list(
                IndicatorValue.objects.filter(indicator=indicator)
                .values_list("period_start", flat=True)
                .distinct()
            )
            written = sum(rollup.rebuild(indicator, start) for start in periods)
            self.stdout.write(
                f"{indicator.code}: {len(periods)} periods, {written} results"
            )
