"""`hoso search rebuild|status|process`: upkeep of the search index."""

import sys
import time

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from hoso.search import index as search_index
from hoso.search import tasks
from hoso.search.models import IndexOutbox


class Command(BaseCommand):
    help = (
        "rebuild: recreate the search index from the database (resumes an "
        "interrupted rebuild; --fresh starts over); status: index, outbox "
        "and database counts (exit 1 when the index is unusable); process: "
        "apply pending index updates now."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild", "status", "process"])
        parser.add_argument(
            "--batch",
            type=int,
            default=1000,
            help=_("rebuild: documents read from the database at a time."),
        )
        parser.add_argument(
            "--commit-every",
            type=int,
            default=50_000,
            help=_("rebuild: documents between commits (and checkpoints)."),
        )
        parser.add_argument(
            "--fresh",
            action="store_true",
            help=_("rebuild: ignore the checkpoint of an interrupted rebuild."),
        )

    def handle(self, *args, action: str, **options) -> None:
        if action == "rebuild":
            self._rebuild(options["batch"], options["commit_every"], options["fresh"])
        elif action == "status":
            self._status()
        else:
            self._process()

    def _rebuild(self, batch: int, commit_every: int, fresh: bool) -> None:
        started = time.monotonic()

        def report(state: search_index.RebuildProgress) -> None:
            elapsed = max(time.monotonic() - started, 1e-6)
            self.stdout.write(
                _("%(count)d documents indexed (last id %(last)d), %(rate)d/s")
                % {
                    "count": state.indexed,
                    "last": state.last_id,
                    "rate": state.indexed / elapsed,
                }
            )

        state = search_index.rebuild(
            chunk=batch, commit_every=commit_every, fresh=fresh, progress=report
        )
        if state.resumed_from:
            self.stdout.write(
                _("Resumed after document %(id)d.") % {"id": state.resumed_from}
            )
        # Changes made during the rebuild waited in the outbox.
        processed = tasks.process_pending()
        self.stdout.write(
            self.style.SUCCESS(
                _("Index rebuilt: %(count)d documents; %(pending)d queued updates.")
                % {"count": state.indexed, "pending": processed}
            )
        )

    def _status(self) -> None:
        from hoso.documents.models import Document

        path = search_index.index_dir()
        self.stdout.write(_("Index directory: %(path)s") % {"path": path})
        pending = IndexOutbox.objects.count()
        in_database = Document.objects.count()
        self.stdout.write(_("Documents in the database: %(n)d") % {"n": in_database})
        self.stdout.write(_("Queued index updates: %(n)d") % {"n": pending})
        checkpoint = search_index.read_checkpoint(path)
        if checkpoint is not None:
            self.stdout.write(
                _("An interrupted rebuild stopped after document %(id)d.")
                % {"id": checkpoint}
            )
        try:
            indexed = search_index.get_index().count()
        except search_index.IndexUnavailable as error:
            self.stderr.write(self.style.ERROR(str(error)))
            self.stderr.write(_("Run `hoso search rebuild`."))
            sys.exit(1)
        self.stdout.write(_("Documents in the index: %(n)d") % {"n": indexed})
        if indexed != in_database and not pending:
            self.stderr.write(
                self.style.WARNING(
                    _("The index and the database differ: run `hoso search rebuild`.")
                )
            )

    def _process(self) -> None:
        outcome = tasks.process_with_retry()
        if outcome["busy"]:
            self.stderr.write(_("The index is being written by another process."))
            sys.exit(1)
        self.stdout.write(
            _("%(n)d queued index update(s) applied.") % {"n": outcome["processed"]}
        )
