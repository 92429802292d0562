"""OCR latency on one core, and throughput with 1 and 2 workers (SPEC §3).

Target: one A4 page at 300 dpi to searchable text plus extracted metadata in
at most 5 s on one core; throughput that grows with the number of workers.

1. Latency. In this process, pinned to one CPU core (the pin is inherited
   by Tesseract and the other programs OCRmyPDF starts), a clean generated
   page — Vietnamese text rendered at 300 dpi on A4 with the bundled DejaVu
   font, saved as PNG — goes through the product's pipeline
   (`hoso.digitization.ocr.process`: OCRmyPDF with vie+eng to a searchable
   PDF/A, `pdftotext`, the quality check) and the metadata extractor, `--runs`
   times after one warm-up run. Reports wall and CPU time per page (CPU
   counts this process and its children: what one core really spent).

2. Throughput through the real task queue. On a fresh database (a uniquely
   named PostgreSQL database, dropped afterwards; `--sqlite` for the embedded
   default) the script runs `hoso migrate`, creates an organization and a
   clerk, and for each worker count W queues a batch of `--pages` one-page
   scans with `services.create_batch`, then starts W `hoso worker --batch`
   processes together and waits until every file is done. Reports pages per
   minute (worker start-up included).

    .venv/bin/python bench/ocr.py [--runs 5] [--pages 12] [--workers 1,2]
        [--postgres-url postgres://postgres@127.0.0.1:5432/postgres | --sqlite]
        [--skip-latency] [--skip-throughput]

Prints Markdown; the machine's load average is printed beside the numbers
because other work on the machine slows OCR down.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
HOSO = [sys.executable, "-m", "hoso.cli"]

SETUP = """
import django, sys
django.setup()
from hoso.accounts.models import Person, Position, Role
from hoso.core.testing.factories import OrganizationFactory
from django.contrib.auth import get_user_model
org = OrganizationFactory(code="BENCH-OCR", name="Đảng bộ xã Đo Kiểm")
user = get_user_model().objects.create_user("bench-ocr", password="x-Bench-0cr!")
person = Person.objects.create(user=user, full_name="Văn thư Đo Kiểm")
clerk = Role.objects.get(code="clerk")
Position.objects.create(person=person, organization=org, role=clerk)
"""

QUEUE = """
import django, sys
django.setup()
from django.contrib.auth import get_user_model
from hoso.digitization import services
from hoso.digitization.tests import scanpages
from hoso.organizations.models import Organization
pages = int(sys.argv[1])
tag = sys.argv[2]
org = Organization.objects.get(code="BENCH-OCR")
user = get_user_model().objects.get(username="bench-ocr")
files = []
for n in range(pages):
    rows = [*scanpages.RESOLUTION_57, [(0, f"Mã lưu trữ {tag}-{n:04d}", False)]]
    files.append((f"page-{n}.png", scanpages.png_bytes(scanpages.page_image(rows))))
batch = services.create_batch(org, files, acting_user=user, name=tag)
print(batch.pk)
"""

STATUS = """
import django, sys
django.setup()
from hoso.digitization.models import ScanItem
batch = int(sys.argv[1])
items = ScanItem.objects.filter(batch_id=batch)
done = items.filter(status="done").count()
failed = items.filter(status="failed").count()
seconds = [s for s in items.values_list("ocr_seconds", flat=True) if s]
cpu = [s for s in items.values_list("cpu_seconds", flat=True) if s]
print(
    done, failed, items.count(),
    sum(seconds) / max(1, len(seconds)), sum(cpu) / max(1, len(cpu)),
)
"""


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def latency(runs: int) -> list[tuple[float, float, float]]:
    """(OCR wall, extraction wall, CPU) per run, pinned to one core."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hoso.config.settings")
    import django

    django.setup()
    from hoso.digitization import ocr, services
    from hoso.digitization.tests import scanpages
    from hoso.documents import storage

    core = sorted(os.sched_getaffinity(0))[0]
    os.sched_setaffinity(0, {core})
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-ocr-") as tmp:
        source = Path(tmp) / "page.png"
        source.write_bytes(scanpages.png_bytes())
        for run in range(runs + 1):
            workdir = Path(tmp) / f"run-{run}"
            workdir.mkdir()
            cpu, started = _cpu(), time.perf_counter()
            result = ocr.process(source, storage.PNG, workdir, pages=1)
            ocr_wall = time.perf_counter() - started
            # The review form's fields as the OCR job gets them (a second
            # reading of page 1 only if the first misses a field).
            rereads = []

            def reread(source=source, rereads=rereads):
                rereads.append(1)
                return services._read_first_page(source)

            fields = services.first_page_fields(
                result.first_page or result.text, reread=reread
            )
            total_wall = time.perf_counter() - started
            spent = _cpu() - cpu
            if run == 0:
                print(
                    f"warm-up: {ocr_wall:.2f} s; fields {fields}, quality "
                    f"{result.quality:.3f}, clean-up {result.needed_cleanup}, "
                    f"page 1 read again: {bool(rereads)}"
                )
                continue
            results.append((ocr_wall, total_wall - ocr_wall, spent))
    return results


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def _run(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(
        args,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=env["HOSO_DATA_DIR"],
    )
    if result.returncode != 0:
        sys.exit(f"{' '.join(args[:4])} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def throughput(
    pages: int, worker_counts: list[int], postgres_url: str | None
) -> list[tuple[int, float, float, float, float]]:
    """(workers, seconds, pages/minute, mean OCR wall and CPU seconds per
    file)."""
    import psycopg
    from psycopg import sql

    data_dir = Path(tempfile.mkdtemp(prefix="bench-ocr-data-"))
    env = dict(os.environ)
    env["HOSO_DATA_DIR"] = str(data_dir)
    env["DJANGO_SETTINGS_MODULE"] = "hoso.config.settings"
    database = None
    if postgres_url:
        database = f"hoso_bench_ocr_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(
            _with_database(postgres_url, "postgres"), autocommit=True
        ) as connection:
            connection.execute(
                sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database))
            )
        env["HOSO_DATABASE_URL"] = _with_database(postgres_url, database)
    else:
        env.pop("HOSO_DATABASE_URL", None)
    results = []
    try:
        _run([*HOSO, "migrate", "--noinput"], env)
        _run([sys.executable, "-c", SETUP], env)
        for workers in worker_counts:
            batch = _run(
                [sys.executable, "-c", QUEUE, str(pages), f"w{workers}"], env
            ).strip()
            started = time.perf_counter()
            processes = [
                subprocess.Popen(
                    [*HOSO, "worker", "--batch"],
                    env=env,
                    cwd=data_dir,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                for _ in range(workers)
            ]
            for process in processes:
                process.wait()
            seconds = time.perf_counter() - started
            done, failed, total, mean, cpu = _run(
                [sys.executable, "-c", STATUS, batch], env
            ).split()
            if int(done) != pages:
                sys.exit(f"{done} of {total} files done, {failed} failed")
            results.append(
                (workers, seconds, pages / seconds * 60, float(mean), float(cpu))
            )
    finally:
        if database:
            with psycopg.connect(
                _with_database(postgres_url, "postgres"), autocommit=True
            ) as connection:
                connection.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(database)
                    )
                )
        subprocess.run(["rm", "-rf", str(data_dir)], check=False)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pages", type=int, default=12)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument(
        "--postgres-url", default="postgres://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--skip-throughput", action="store_true")
    args = parser.parse_args()

    print(f"# OCR benchmark — {platform.node()}, {os.cpu_count()} CPUs")
    print(f"load average at start: {os.getloadavg()[0]:.1f}\n")
    if not args.skip_throughput:
        # Before the latency part, which pins this process to one core.
        rows = throughput(
            args.pages,
            [int(n) for n in args.workers.split(",")],
            None if args.sqlite else args.postgres_url,
        )
        database = "SQLite" if args.sqlite else "PostgreSQL"
        print(f"## Throughput ({args.pages} one-page scans, {database}, real queue)\n")
        print(
            "| workers | wall (s) | pages/minute | OCR wall per page (s) "
            "| OCR CPU per page (s) |"
        )
        print("|---|---|---|---|---|")
        for workers, seconds, per_minute, mean, cpu in rows:
            print(
                f"| {workers} | {seconds:.1f} | {per_minute:.1f} | {mean:.2f} "
                f"| {cpu:.2f} |"
            )
        if len(rows) > 1:
            print(f"\nspeed-up {rows[-1][2] / rows[0][2]:.2f}×")
        print(f"load average after: {os.getloadavg()[0]:.1f}\n")
    if not args.skip_latency:
        runs = latency(args.runs)
        ocr_walls = [run[0] for run in runs]
        extraction = [run[1] for run in runs]
        cpus = [run[2] for run in runs]
        print(f"\n## One clean 300-dpi A4 page on one core ({args.runs} runs)\n")
        print("| | median | max |")
        print("|---|---|---|")
        print(
            f"| OCR to searchable PDF/A + text, wall (s) | "
            f"{statistics.median(ocr_walls):.2f} | {max(ocr_walls):.2f} |"
        )
        print(
            f"| metadata extraction, wall (s) | "
            f"{statistics.median(extraction):.3f} | {max(extraction):.3f} |"
        )
        print(
            f"| CPU time, whole pipeline (s) | "
            f"{statistics.median(cpus):.2f} | {max(cpus):.2f} |"
        )
        print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
