"""`hoso audit verify|checkpoint`."""

import sys

from django.core.management.base import BaseCommand

from hoso.core import audit


class Command(BaseCommand):
    help = "Verify the audit chain (exit 0 when intact) or checkpoint its head."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "checkpoint"])

    def handle(self, *args, action, **options):
        if action == "checkpoint":
            head = audit.write_checkpoint()
            self.stdout.write(f"checkpoint: {head[0] if head else 'empty chain'}")
            return
        result = audit.verify_chain()
        if result.ok:
            self.stdout.write(self.style.SUCCESS(f"OK: {result.message}"))
            return
        self.stderr.write(self.style.ERROR(f"BROKEN: {result.message}"))
        sys.exit(1)
