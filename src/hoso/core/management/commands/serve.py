"""`hoso serve`: the web server plus one background worker and the scheduler.

For the embedded default (`make run`): with --init it migrates, loads the
small demo set into an empty database and prints the demo users.
"""

import signal
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand

from hoso.organizations.models import Organization


class Command(BaseCommand):
    help = "Run the web server with one background worker and the scheduler."

    def add_arguments(self, parser):
        parser.add_argument(
            "--init",
            action="store_true",
            help="Migrate and load demo data into an empty database first.",
        )
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers", type=int, default=1, help="Web worker processes."
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=None,
            help="Threads per web worker process (granian's default: one per "
            "two concurrent requests it accepts).",
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Do not start the background worker and scheduler.",
        )

    def handle(self, *args, init, host, port, workers, threads, no_worker, **options):
        if init:
            call_command("migrate", interactive=False, verbosity=0)
            if not Organization.objects.exists():
                from hoso.core.management.commands.demo import print_users
                from hoso.demo.small import build_small

                self.stdout.write("Empty database: loading the small demo set…")
                print_users(self.stdout, build_small())
            else:
                self.stdout.write(
                    "Demo users: see README.md (password Hoso@demo2026 unless changed)."
                )
        python = sys.executable
        children = []
        if not no_worker:
            children.append(subprocess.Popen([python, "-m", "hoso", "worker"]))
            children.append(subprocess.Popen([python, "-m", "hoso", "scheduler"]))
        web = subprocess.Popen(
            [
                python,
                "-m",
                "granian",
                "--interface",
                "wsgi",
                "--host",
                host,
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--no-ws",
                *(["--blocking-threads", str(threads)] if threads else []),
                "hoso.config.wsgi:application",
            ]
        )
        children.append(web)
        self.stdout.write(f"Hoso is running on http://{host}:{port}/ (Ctrl-C to stop)")

        def stop(*_args):
            for child in children:
                if child.poll() is None:
                    child.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            web.wait()
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
