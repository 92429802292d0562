"""`hoso worker`: run a background worker (django-tasks database backend)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run a background worker that executes queued jobs."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", action="store_true", help="Run queued jobs, then exit."
        )
        parser.add_argument(
            "--queue", default="*", help="Queues to process (default: all)."
        )

    def handle(self, *args, batch=False, queue="*", **options):
        call_command(
            "db_worker",
            queue_name=queue,
            batch=batch,
            reload=False,
            startup_delay=not batch,
            verbosity=options.get("verbosity", 1),
        )
