"""Field accuracy of metadata extraction on the labelled evaluation set.

Generates the noisy first pages of
`src/hoso/digitization/tests/extraction_set/labels.json` (rendered with the
project's renderer, rasterised, scan noise from a fixed seed), runs OCR and
`hoso.digitization.extraction.extract_fields` on each, and prints the share
of pages where each field is right: exact match after normalising
whitespace, the excerpt when its normalised similarity (difflib ratio) is at
least 0.9. Several configurations can be compared:

- `layout` (default): what `hoso extract` does: Tesseract `vie`, page
  enlarged to 300 dpi, columns rebuilt from the word boxes;
- `plain-vie+eng`: the same cleaned page, but plain `tesseract IMG - -l
  vie+eng --psm 4` text (no columns), the shape of text the intake OCR
  (OCRmyPDF sidecar, vie+eng) gives; `plain-vie` the same with `-l vie`;
- `raw-vie+eng`, `raw-vie`: plain text of the noisy page as it is (no
  clean-up);
- `pdf-text`: the rendered PDF's own text (`pdftotext -layout`), what
  `hoso extract` reads from a born-digital PDF.

Issuer correction uses a registry like the one the product holds: the
issuers of the set plus the demo-like names of every province's bodies
(`--no-registry` leaves only the built-in list).

    .venv/bin/python bench/extraction_eval.py [--dpi 200] [--seed 8]
        [--documents SEED] [--config layout --config plain-vie+eng …]
        [--no-registry] [--work DIR] [--show-errors]
        [--write docs/benchmarks/extraction.md --section TITLE]

Generated pages and OCR text are cached under the work directory
(/tmp/hoso-extraction-eval-…); delete it to measure OCR again.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hoso.config.settings")

import django  # noqa: E402

django.setup()

from hoso.digitization import extraction  # noqa: E402
from hoso.digitization.tests.extraction_set import generate  # noqa: E402

INTRODUCTION = """# Metadata extraction accuracy

Field accuracy of `hoso.digitization.extraction` — what `hoso extract FILE…
[--json]` prints and the intake review form is filled with — on the
labelled evaluation set in `src/hoso/digitization/tests/extraction_set/`
(issue #8, point 4; SPEC §1 C2, §8). Target: at least 95% per field.

The set: `labels.json` lists 40 first pages (23 Party, 17 state) of types
NQ, QĐ, CT, KL, HD, TB, BC, KH, CV and TTr from central bodies (Ban Chấp
hành Trung ương, Văn phòng Trung ương Đảng, Ban Tổ chức Trung ương, Ủy ban
Kiểm tra Trung ương, Ban Chỉ đạo Trung ương…), province committees and
their agencies, commune and ward committees, ministries, people's
committees and a department, with dates from 2016 to 2026, signers, and
secrecy and urgency marks on about half of them. `generate.py` renders each
with the project's renderer (`render_document_pdf`, unsaved rows),
rasterises page 1 with `pdftoppm` and adds scan noise with Pillow from a
fixed seed: rotation up to ±1.5°, contrast 0.65–1.15 and brightness jitter,
Gaussian blur of radius 0.3–1.0 px, speckle (0.05–0.2% of the pixels, some
2×2) and JPEG quality 55–80. Only the generator and the labels are
committed; pages are generated at run time. `--documents SEED --count N`
evaluates a held-out set instead: N pages built afresh from another seed
over the same bodies and types (every issuer and type pair once, the rest
drawn at random), with names, numbers, dates, excerpts and marks the
extractor was not developed on.

A field is right when it equals the label after normalising whitespace
(a missing value, null, is wrong unless the label is null too); the excerpt
when its difflib similarity to the label is at least 0.9. Configurations:

- `intake`: what fills the intake's review form
  (`services.first_page_fields`): OCRmyPDF's reading of the page (`vie+eng`,
  searchable PDF/A, clean-up only when the page reads poorly) laid out by
  `pdftotext -layout`; when that reading misses the symbol, date, issuer,
  excerpt or signer, the `layout` reading of the page, whose fields win;
- `ocrmypdf`: OCRmyPDF's reading alone;
- `layout`: what `hoso extract` does with a scan: page cleaned (grey levels
  stretched, 3×3 median against speckle, rules and mark boxes erased,
  enlarged to 300 dpi), Tesseract `-l vie --psm 4`, columns rebuilt from
  the word boxes, the place and date line re-read alone when no valid date
  was found;
- `plain-vie+eng` / `plain-vie`: the same cleaned page but Tesseract's plain
  text (no columns): the shape of text the intake's OCRmyPDF sidecar gives;
- `raw-vie+eng`: plain text of the noisy page without any clean-up;
- `pdf-text`: the rendered PDF's own text (`pdftotext -layout`), a
  born-digital PDF.

The issuer registry passed as `known_issuers` holds what the organization
registry would: the set's issuers and superiors plus about 500 distractors
(8 communes or wards named like the demo's in each of the 34 provinces,
with their people's committees, and names one letter or accent away from
the set's communes: "Hòa Phong", "Hồng Bàn", "Ia Grăng"…); the built-in
list (central bodies, every province's committee, people's committee and
usual agencies) is always used. Registry names are also read in the form
bodies print ("Đảng bộ xã X" → "ĐẢNG ỦY XÃ X").
"""
CONFIGS = (
    "intake",
    "ocrmypdf",
    "layout",
    "plain-vie+eng",
    "plain-vie",
    "raw-vie+eng",
    "raw-vie",
    "pdf-text",
)
ENTRIES: dict[str, dict] = {}
REREADS: dict[str, int] = {}
EXCERPT_THRESHOLD = 0.9


_FIRST = "An Bình Cẩm Đông Đức Hải Hòa Hồng Hưng Kim Lâm Long Minh Mỹ Nam Phú"
_SECOND = "An Bình Điền Đông Hà Hải Hiệp Hòa Lạc Lộc Phong Phú Sơn Thành Thọ"
FIRST, SECOND = _FIRST.split(), _SECOND.split()
# Names one letter or accent away from the set's communes and wards.
NEAR = ["Hòa Phong", "Hòa Phước", "Hồng Bàn", "Hồng Hà", "Ia Pa", "Ia Grăng"]


def registry(entries: list[dict]) -> list[str]:
    """Issuer names a registry would hold: the set's issuers and their
    superiors, and distractors: 8 communes or wards in each of the 34
    provinces named like the demo's, with their people's committees, and
    names close to the set's communes."""
    import random

    names = set()
    for entry in entries:
        names.add(entry["organization"])
        if entry["superior"]:
            names.add(entry["superior"])
    rng = random.Random(34)
    places = [f"{a} {b}" for a in FIRST for b in SECOND if a != b]
    for _province in extraction.PROVINCES[:34]:
        for place in rng.sample(places, 8):
            unit = rng.choice(["xã", "xã", "phường"])
            names.add(f"Đảng bộ {unit} {place}")
            names.add(f"Ủy ban nhân dân {unit} {place}")
    for place in NEAR:
        names.add(f"Đảng ủy xã {place}")
        names.add(f"Ủy ban nhân dân xã {place}")
    return sorted(names)


def ocrmypdf_text(path: Path) -> str:
    """The intake OCR job's reading: the scan through OCRmyPDF (vie+eng, to
    a searchable PDF/A; clean-up only if the page reads poorly), then page
    1's text laid out by `pdftotext -layout`."""
    from hoso.digitization import ocr
    from hoso.documents import storage

    with tempfile.TemporaryDirectory(prefix="hoso-eval-") as tmp:
        result = ocr.process(path, storage.JPEG, Path(tmp), pages=1)
        return result.first_page or result.text


def ocr_text(path: Path, config: str) -> str:
    if config == "ocrmypdf":
        return ocrmypdf_text(path)
    if config == "layout":
        return extraction.ocr_image(path)
    if config == "pdf-text":
        with tempfile.TemporaryDirectory(prefix="hoso-eval-") as tmp:
            pdf = Path(tmp) / "page.pdf"
            pdf.write_bytes(generate.render_pdf(ENTRIES[path.stem]))
            return extraction.pdf_text(pdf)
    kind, languages = config.split("-", 1)
    with tempfile.TemporaryDirectory(prefix="hoso-eval-") as tmp:
        source = path
        if kind == "plain":
            source = Path(tmp) / "page.png"
            extraction.prepare_image(path).save(source, dpi=(300, 300))
        result = subprocess.run(
            ["tesseract", str(source), "-", "-l", languages, "--psm", "4"],
            capture_output=True,
            text=True,
            check=True,
        )
    return result.stdout


def normalise(value) -> str | None:
    if value is None:
        return None
    return " ".join(str(value).split())


def correct(field: str, got, expected) -> bool:
    got, expected = normalise(got), normalise(expected)
    if field == "excerpt" and got is not None and expected is not None:
        return extraction.similarity(got, expected) >= EXCERPT_THRESHOLD
    return got == expected


class Texts:
    """OCR text per page and configuration, cached in the work directory
    with the seconds it took."""

    def __init__(self, work: Path):
        self.work = work
        self.seconds = 0.0
        self.timed = 0
        self.rereads = 0

    def get(self, path: Path, config: str) -> str:
        cache = self.work / "text" / config / (path.stem + ".txt")
        timing = cache.with_suffix(".seconds")
        if cache.exists():
            text = cache.read_text(encoding="utf-8")
        else:
            started = time.perf_counter()
            text = ocr_text(path, config)
            cache.parent.mkdir(parents=True, exist_ok=True)
            cache.write_text(text, encoding="utf-8")
            timing.write_text(f"{time.perf_counter() - started:.3f}\n")
        if timing.exists():
            self.seconds += float(timing.read_text())
            self.timed += 1
        return text


def page_fields(path: Path, config: str, known: list[str], texts: Texts) -> dict:
    """The extracted fields of one page in one configuration. `intake` is
    the review form's path in the product (`services.first_page_fields`):
    the OCR job's reading, and the extractor's own reading of the page only
    when the first one misses a field."""
    from hoso.digitization import services

    if config == "intake":
        timed = texts.timed

        def reread() -> str:
            texts.rereads += 1
            return texts.get(path, "layout")

        first = texts.get(path, "ocrmypdf")
        fields = services.first_page_fields(first, known_issuers=known, reread=reread)
        texts.timed = timed + 1  # one page, however many readings
        return {name: fields.get(name) for name in generate.FIELDS}
    return extraction.extract_fields(texts.get(path, config), known_issuers=known)


def evaluate(pages, config: str, known: list[str], work: Path, show: bool):
    """Per-field correct counts, the errors, and (seconds, pages) spent
    getting the text (kept with the cached text)."""
    counts = dict.fromkeys(generate.FIELDS, 0)
    errors = []
    texts = Texts(work)
    for path, expected in pages:
        fields = page_fields(path, config, known, texts)
        for field in generate.FIELDS:
            if correct(field, fields[field], expected[field]):
                counts[field] += 1
            else:
                errors.append((path.stem, field, fields[field], expected[field]))
    if show:
        for stem, field, got, expected in errors:
            print(f"  {config} {stem} {field}: got {got!r}, expected {expected!r}")
    if config == "intake":
        print(f"intake: page 1 read again for {texts.rereads} of {len(pages)} pages")
        REREADS[config] = texts.rereads
    return counts, errors, (texts.seconds, texts.timed)


def table(results: dict, total: int) -> str:
    configs = list(results)
    lines = [
        "| Field | " + " | ".join(configs) + " |",
        "|---|" + "---:|" * len(configs),
    ]
    for field in generate.FIELDS:
        cells = [
            f"{results[c][0][field] / total:.1%} ({results[c][0][field]}/{total})"
            for c in configs
        ]
        lines.append(f"| {field} | " + " | ".join(cells) + " |")
    overall = [
        f"{sum(results[c][0].values()) / (total * len(generate.FIELDS)):.1%}"
        for c in configs
    ]
    lines.append("| all fields | " + " | ".join(overall) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dpi", type=int, default=200)
    parser.add_argument("--seed", type=int, default=generate.SEED)
    parser.add_argument("--config", action="append", choices=CONFIGS)
    parser.add_argument(
        "--documents",
        type=int,
        default=None,
        metavar="SEED",
        help="evaluate on documents built afresh from this seed instead of the "
        "committed labels (held-out check)",
    )
    parser.add_argument(
        "--count",
        type=int,
        default=120,
        help="pages built with --documents (default 120)",
    )
    parser.add_argument(
        "--limit",
        type=int,
        default=None,
        metavar="N",
        help="evaluate only the first N pages of the set (a slow configuration "
        "on part of a set; the report says so)",
    )
    parser.add_argument("--no-registry", action="store_true")
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument(
        "--write", type=Path, default=None, help="report file to update"
    )
    parser.add_argument(
        "--section", default=None, help="title of this run's section in it"
    )
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    configs = args.config or ["layout"]
    if args.documents is None:
        entries = generate.load_entries()
        name = f"{args.seed}-{args.dpi}"
    else:
        entries = generate.build_entries(args.documents, count=args.count)
        name = f"{args.seed}-{args.dpi}-documents{args.documents}-{args.count}"
    work = args.work or Path(f"/tmp/hoso-extraction-eval-{name}")
    pages_dir = work / "pages"
    expected = {entry["id"]: entry["expected"] for entry in entries}
    ENTRIES.update({entry["id"]: entry for entry in entries})
    if all((pages_dir / f"{entry['id']}.jpg").exists() for entry in entries):
        pages = [(pages_dir / f"{e['id']}.jpg", expected[e["id"]]) for e in entries]
    else:
        started = time.perf_counter()
        pages = generate.generate_pages(
            pages_dir, dpi=args.dpi, seed=args.seed, entries=entries
        )
        print(f"Generated {len(pages)} pages in {time.perf_counter() - started:.0f} s")
    if args.limit:
        pages = pages[: args.limit]
    known = [] if args.no_registry else registry(entries)
    results = {}
    for config in configs:
        results[config] = evaluate(pages, config, known, work, args.show_errors)
    report = table(results, len(pages))
    print(report)
    for config, (_counts, _errors, (seconds, ocred)) in results.items():
        if ocred:
            print(f"{config}: {seconds / ocred:.1f} s per page to get the text")
    if args.write:
        write_section(args, entries, pages, results, report, len(known))


def write_section(args, entries, pages, results, report, known) -> None:
    """Replace (or add) this run's section in the report file; the file is
    started with an introduction when it does not exist."""
    title = args.section or "Results"
    command = ["    .venv/bin/python bench/extraction_eval.py"]
    if args.dpi != 200:
        command.append(f"--dpi {args.dpi}")
    if args.seed != generate.SEED:
        command.append(f"--seed {args.seed}")
    if args.documents is not None:
        command.append(f"--documents {args.documents} --count {args.count}")
    command += [f"--config {config}" for config in results]
    if args.limit:
        command.append(f"--limit {args.limit}")
    if args.no_registry:
        command.append("--no-registry")
    command += [f"--write {args.write}", f'--section "{title}"']
    source = (
        "the committed labels"
        if args.documents is None
        else f"documents built afresh from seed {args.documents} (held out)"
    )
    timing = [
        f"`{config}` {seconds / ocred:.1f} s per page"
        for config, (_c, _e, (seconds, ocred)) in results.items()
        if ocred
    ]
    errors = [
        f"- `{config}` {stem} {field}: got {got!r}, expected {expected!r}"
        for config, (_c, errs, _t) in results.items()
        for stem, field, got, expected in errs
    ]
    body = [
        f"## {title}",
        "",
        "Command (from the repository root):",
        "",
        " ".join(command),
        "",
        f"{len(pages)} pages"
        + (f" (the first {len(pages)} of {len(entries)})" if args.limit else "")
        + f" from {source}, noise seed {args.seed}, "
        f"rasterised at {args.dpi} dpi; issuer registry: "
        + (f"{known} names." if known else "none (built-in list only)."),
        f"Measured on {date.today().isoformat()}, Python "
        f"{platform.python_version()}, {tesseract_version()}.",
        "",
        report,
        "",
    ]
    if timing:
        body += ["Time to get the text (OCR): " + ", ".join(timing) + ".", ""]
    for config, count in REREADS.items():
        body += [
            f"`{config}`: the first reading missed a field on {count} of "
            f"{len(pages)} pages, which were read again.",
            "",
        ]
    body += ["Misses:", "", *(errors or ["- none"]), ""]
    section = "\n".join(body)
    path = args.write
    text = path.read_text(encoding="utf-8") if path.exists() else INTRODUCTION
    start = f"<!-- section: {title} -->"
    end = f"<!-- end: {title} -->"
    block = f"{start}\n{section}{end}\n"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1].lstrip("\n")
        text = before + block + ("\n" + after if after else "")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"Wrote section {title!r} of {path}")


def tesseract_version() -> str:
    result = subprocess.run(
        ["tesseract", "--version"], capture_output=True, text=True, check=False
    )
    first = (result.stdout or result.stderr).splitlines()[:1]
    return first[0] if first else "tesseract"


if __name__ == "__main__":
    main()
