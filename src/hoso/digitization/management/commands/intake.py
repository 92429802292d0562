"""`hoso intake`: the watched folder, and re-queueing abandoned OCR jobs.

    hoso intake watch DIR --organization CODE --user NAME [--once]
    hoso intake requeue

`watch` picks up scans dropped into DIR (a scanner's output folder or a
network share). A file is taken once its size has stayed the same for the
settle time (the scanner has finished writing it); each pass makes one batch
of the files that are ready, then moves them into DIR/processed/ (or
DIR/rejected/ with a `.error.txt` beside it when the batch is refused). A
file whose content was imported before (same SHA-256, recorded in
DIR/processed/.imported) is never imported again, even under a new name.
With --once, the folder is looked at twice, one settle time apart, and
what is complete is imported; otherwise the loop runs until interrupted,
or for --max-passes looks.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from hoso.digitization.choices import BatchSource

PROCESSED = "processed"
REJECTED = "rejected"
LEDGER = ".imported"
# Files a scanner or an editor leaves while writing.
_TEMPORARY_SUFFIXES = (".part", ".tmp", ".crdownload", ".partial", "~")


def _unique_target(directory: Path, name: str) -> Path:
    """A free name in `directory` (never overwrite an earlier file)."""
    target = directory / name
    stem, suffix = os.path.splitext(name)
    counter = 1
    while target.exists():
        target = directory / f"{stem}-{counter}{suffix}"
        counter += 1
    return target


class Watcher:
    """One watched folder: what is ready, what was imported, where files go."""

    def __init__(self, directory: Path, settle_seconds: float):
        self.directory = directory
        self.processed = directory / PROCESSED
        self.rejected = directory / REJECTED
        self.settle_seconds = settle_seconds
        self.processed.mkdir(exist_ok=True)
        self.rejected.mkdir(exist_ok=True)
        self.ledger_path = self.processed / LEDGER
        self.imported = self._read_ledger()
        # path -> (size, mtime, first seen with that size)
        self.sizes: dict[Path, tuple[int, float, float]] = {}

    def _read_ledger(self) -> set[str]:
        if not self.ledger_path.exists():
            return set()
        return {
            line.split()[0]
            for line in self.ledger_path.read_text().splitlines()
            if line.strip()
        }

    def remember(self, digest: str, name: str) -> None:
        self.imported.add(digest)
        with self.ledger_path.open("a") as ledger:
            ledger.write(f"{digest} {name}\n")
            ledger.flush()
            os.fsync(ledger.fileno())

    def candidates(self) -> list[Path]:
        return sorted(
            path
            for path in self.directory.iterdir()
            if path.is_file()
            and not path.is_symlink()
            and not path.name.startswith(".")
            and not path.name.endswith(_TEMPORARY_SUFFIXES)
        )

    def ready(self, now: float | None = None) -> list[Path]:
        """Files whose size and mtime have not changed for the settle time."""
        now = time.monotonic() if now is None else now
        ready = []
        present = set()
        for path in self.candidates():
            present.add(path)
            try:
                info = path.stat()
            except FileNotFoundError:
                continue
            seen = self.sizes.get(path)
            if seen is None or seen[:2] != (info.st_size, info.st_mtime):
                self.sizes[path] = (info.st_size, info.st_mtime, now)
                continue
            if now - seen[2] >= self.settle_seconds and info.st_size > 0:
                ready.append(path)
        for gone in set(self.sizes) - present:
            del self.sizes[gone]
        return ready

    def move(self, path: Path, directory: Path) -> Path:
        target = _unique_target(directory, path.name)
        shutil.move(str(path), target)
        self.sizes.pop(path, None)
        return target


class Command(BaseCommand):
    help = "Import scans from a watched folder, or re-queue abandoned OCR jobs."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        watch = sub.add_parser("watch", help="Watch a folder for scans.")
        watch.add_argument("directory", type=Path)
        watch.add_argument(
            "--organization", required=True, help="Code of the organization."
        )
        watch.add_argument(
            "--user", required=True, help="Username the batches are created by."
        )
        watch.add_argument(
            "--once",
            action="store_true",
            help="Import what is ready (after one settle time) and exit.",
        )
        watch.add_argument(
            "--settle",
            type=float,
            default=2.0,
            help="Seconds a file's size must stay the same (default 2).",
        )
        watch.add_argument(
            "--interval",
            type=float,
            default=2.0,
            help="Seconds between looks at the folder (default 2).",
        )
        watch.add_argument(
            "--max-passes",
            type=int,
            default=0,
            help="Stop after this many looks (0: run until interrupted).",
        )
        sub.add_parser("requeue", help="Queue abandoned OCR jobs again.")

    def handle(self, *args, action, **options):
        if action == "requeue":
            from hoso.digitization import services

            count = services.requeue_abandoned()
            self.stdout.write(f"requeued {count}")
            return
        self.watch(**options)

    def watch(
        self,
        *,
        directory: Path,
        organization: str,
        user: str,
        once: bool,
        settle: float,
        interval: float,
        max_passes: int,
        **_options,
    ):
        from hoso.organizations.models import Organization

        directory = directory.resolve()
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a directory.")
        org = Organization.objects.filter(code=organization).first()
        if org is None:
            raise CommandError(f"No organization with the code {organization!r}.")
        acting_user = get_user_model().objects.filter(username=user).first()
        if acting_user is None or not acting_user.is_active:
            raise CommandError(f"No active user {user!r}.")
        watcher = Watcher(directory, settle)
        self.stdout.write(f"watching {directory} for {org.code}")
        if once:
            # First look notes the sizes; after the settle time, what has not
            # changed is complete. Files still being written wait for the
            # next run.
            watcher.ready()
            time.sleep(settle)
            self.import_files(watcher, watcher.ready(), org, acting_user)
            return
        passes = 0
        try:
            while not max_passes or passes < max_passes:
                passes += 1
                ready = watcher.ready()
                if ready:
                    self.import_files(watcher, ready, org, acting_user)
                time.sleep(interval)
        except KeyboardInterrupt:
            self.stdout.write("stopped")

    def _imported_before(self, watcher: Watcher, digest: str, organization) -> bool:
        from hoso.digitization.models import ScanItem

        return (
            digest in watcher.imported
            or ScanItem.objects.filter(
                original__sha256=digest, batch__organization=organization
            ).exists()
        )

    def import_files(self, watcher: Watcher, paths, organization, acting_user):
        """One batch of the ready files. Files imported before are set aside
        in processed/; files that are not acceptable scans go to rejected/
        with the reason, so one bad file does not hold up the others."""
        from hoso.digitization import scans, services

        good: list[tuple[Path, str, bytes]] = []
        seen: set[str] = set()
        for path in paths:
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            if digest in seen or self._imported_before(watcher, digest, organization):
                target = watcher.move(path, watcher.processed)
                self.stdout.write(f"skipped {path.name}: imported before ({target})")
                continue
            try:
                scans.accept([(path.name, data)])
            except ValidationError as exc:
                self._reject(watcher, path, exc)
                continue
            seen.add(digest)
            good.append((path, digest, data))
        if not good:
            return None
        try:
            batch = services.create_batch(
                organization,
                [(path.name, data) for path, _digest, data in good],
                acting_user=acting_user,
                name=f"{watcher.directory.name} {time.strftime('%Y-%m-%d %H:%M')}",
                source=BatchSource.WATCH,
            )
        except PermissionDenied:
            raise CommandError(
                f"{acting_user.get_username()} may not add scans for "
                f"{organization.code}."
            ) from None
        for path, digest, _data in good:
            watcher.remember(digest, path.name)
            watcher.move(path, watcher.processed)
        self.stdout.write(
            f"batch {batch.pk}: {batch.item_count} files, {batch.page_count} pages"
        )
        return batch

    def _reject(self, watcher: Watcher, path: Path, exc: ValidationError) -> None:
        target = watcher.move(path, watcher.rejected)
        message = "; ".join(exc.messages)
        target.with_name(target.name + ".error.txt").write_text(message + "\n")
        self.stderr.write(f"rejected {path.name}: {message}")
