"""`hoso scheduler`: enqueue periodic jobs at their intervals."""

import time

from django.core.management.base import BaseCommand

from hoso.core.scheduling import periodic_jobs


class Command(BaseCommand):
    help = "Enqueue periodic jobs (audit verification, reminders) at their intervals."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="Enqueue every job once and exit."
        )

    def handle(self, *args, once=False, **options):
        jobs = periodic_jobs()
        next_run = {name: 0.0 for name, _task, _interval in jobs}
        while True:
            now = time.monotonic()
            for name, job, interval in jobs:
                if now >= next_run[name]:
                    job.enqueue()
                    next_run[name] = now + interval
                    self.stdout.write(f"enqueued {name}")
            if once:
                return
            time.sleep(max(1.0, min(next_run.values()) - time.monotonic()))
