"""`hoso registry-sim [--host H] [--port P] [--seed-file F | --from-database]`:
run the population-registry simulator as its own HTTP service."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from hoso.members import registry_sim


class Command(BaseCommand):
    help = "Run the population-registry simulator (HTTP, JSON)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument(
            "--seed-file", help="JSON list of {citizen_id, full_name, date_of_birth}"
        )
        parser.add_argument(
            "--from-database",
            action="store_true",
            help="Seed from the member records, with deliberate mismatches.",
        )
        parser.add_argument(
            "--delay", type=float, default=0.0, help="Seconds before each answer."
        )

    def handle(self, *args, host, port, seed_file, from_database, delay, **options):
        if seed_file:
            with open(seed_file, encoding="utf-8") as handle:
                records = {
                    str(r["citizen_id"]): {
                        "full_name": r["full_name"],
                        "date_of_birth": r["date_of_birth"],
                    }
                    for r in json.load(handle)
                }
        elif from_database:
            from hoso.members.models import Member

            rows = (
                Member.objects.filter(citizen_id__isnull=False)
                .values_list("citizen_id", "full_name", "date_of_birth")
                .iterator(chunk_size=10_000)
            )
            records = registry_sim.seed_from_members(rows)
        else:
            raise CommandError("Give --seed-file or --from-database.")

        def ready(server):
            # The actual port (0 asks the system for a free one).
            print(
                f"registry-sim listening on http://{host}:{server.server_port} "
                f"with {len(records)} records",
                flush=True,
            )

        try:
            registry_sim.serve(host, port, records, delay, ready)
        except KeyboardInterrupt:
            sys.exit(0)
