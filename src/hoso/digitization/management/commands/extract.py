"""`hoso extract FILE... [--json]`: read the metadata of documents' first
pages (SPEC §1 C2): issuer, number and symbol, type, place and date,
excerpt, signer, secrecy and urgency marks.

A PDF with a text layer is read with `pdftotext -layout`; a scanned PDF or
an image (PNG, JPEG, TIFF) is OCRed with Tesseract (Vietnamese). Issuer
names are corrected against the organization registry when the database is
available, and the built-in list of central, province and state bodies.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from hoso.digitization import extraction

LABELS = {
    "symbol": "Số, ký hiệu",
    "number": "Số",
    "type": "Loại",
    "issued_on": "Ngày",
    "place": "Nơi ban hành",
    "issuer": "Cơ quan ban hành",
    "excerpt": "Trích yếu",
    "signer": "Người ký",
    "secrecy": "Độ mật",
    "urgency": "Độ khẩn",
}


class Command(BaseCommand):
    help = (
        "Extract the metadata of documents from their first page (PDF with "
        "text, scanned PDF or image). Prints a table per file, or with "
        "--json one JSON object per line with the keys file, symbol, number, "
        "type, issued_on, place, issuer, excerpt, signer, secrecy, urgency."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument(
            "--json",
            action="store_true",
            dest="as_json",
            help="one JSON object per line",
        )
        parser.add_argument(
            "--issuer",
            action="append",
            default=[],
            metavar="NAME",
            help="a known issuer name to correct OCR against (repeatable)",
        )
        parser.add_argument(
            "--lang",
            default=extraction.OCR_LANGUAGES,
            help="Tesseract languages for scans (default: %(default)s)",
        )

    def handle(self, *args, files, as_json: bool, issuer, lang, **options) -> None:
        known = [*issuer, *extraction.registry_issuers()]
        failed = 0
        for name in files:
            path = Path(name)
            if not path.is_file():
                self.stderr.write(_("%(file)s: no such file") % {"file": name})
                failed += 1
                continue
            try:
                result = extraction.extract_file(
                    path, known_issuers=known, languages=lang
                )
            except extraction.ExtractionError as error:
                self.stderr.write(f"{name}: {error}")
                failed += 1
                continue
            result["file"] = name
            if as_json:
                self.stdout.write(_json_line(result))
            else:
                self._table(result)
        if failed:
            raise CommandError(
                _("%(count)d file(s) could not be read.") % {"count": failed}
            )

    def _table(self, result: dict) -> None:
        self.stdout.write(self.style.MIGRATE_HEADING(result["file"]))
        width = max(len(label) for label in LABELS.values())
        for field in extraction.FIELDS:
            value = result[field]
            shown = "—" if value is None else str(value)
            self.stdout.write(f"  {LABELS[field].ljust(width)}  {shown}")
        self.stdout.write("")


def _json_line(result: dict) -> str:
    ordered = {"file": result["file"], **{f: result[f] for f in extraction.FIELDS}}
    return json.dumps(ordered, ensure_ascii=False)
