"""The `hoso` console script: Django's manage.py plus the product's own commands.

Product commands (serve, worker, scheduler, demo, token, audit, openapi) are
ordinary management commands, so `hoso help` lists them next to Django's own.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a management command with Hoso's settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hoso.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["hoso", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
