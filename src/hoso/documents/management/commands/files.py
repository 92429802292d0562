"""`hoso files verify|gc|rotate-key`: upkeep of the document file store."""

import sys

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from hoso.documents import storage


class Command(BaseCommand):
    help = (
        "verify: check every stored file against its SHA-256 (exit 1 on any "
        "problem); gc: delete files no record points at; rotate-key: "
        "re-encrypt classified files under the first key of HOSO_FILE_KEYS."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "gc", "rotate-key"])
        parser.add_argument(
            "--min-age",
            type=int,
            default=3600,
            help=(
                "gc: only delete files older than this many seconds, so that "
                "uploads whose transaction is still open are spared "
                "(default 3600)."
            ),
        )

    def handle(self, *args, action: str, min_age: int, **options) -> None:
        if action == "verify":
            self._verify()
        elif action == "gc":
            removed = storage.collect_garbage(min_age_seconds=min_age)
            self.stdout.write(
                _("Removed %(count)d orphaned file(s).") % {"count": removed}
            )
        else:
            self._rotate()

    def _verify(self) -> None:
        problems = storage.verify_all()
        for stored_id, problem in problems:
            self.stderr.write(self.style.ERROR(f"{stored_id}: {problem}"))
        if problems:
            self.stderr.write(
                _("%(count)d stored file(s) have problems.") % {"count": len(problems)}
            )
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS(_("OK: every stored file is intact.")))

    def _rotate(self) -> None:
        skipped: list[int] = []

        def report(stored, problem: str) -> None:
            skipped.append(stored.pk)
            self.stderr.write(self.style.ERROR(f"{stored.pk}: {problem}"))

        rotated = storage.rotate_keys(on_problem=report)
        self.stdout.write(
            _("Re-encrypted %(count)d file(s) under the key “%(key)s”.")
            % {"count": rotated, "key": storage.current_key_id()}
        )
        if skipped:
            # A file left under an old key still needs that key: make the
            # failure loud so nobody removes the old key from the settings.
            self.stderr.write(
                _(
                    "%(count)d file(s) could not be re-encrypted; keep the old "
                    "key configured until they are fixed."
                )
                % {"count": len(skipped)}
            )
            sys.exit(1)
