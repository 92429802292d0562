"""Turning a scan into a searchable PDF/A and its text (OCRmyPDF + Tesseract).

The pipeline for one file:

1. A PDF whose every page already carries good text (born digital) is not
   OCRed: its text is read with `pdftotext`, and OCRmyPDF's internal PDF/A
   backend is asked for a PDF/A copy; should that fail, the original itself
   is the searchable file. (Debian's Ghostscript 10.0.0 makes OCRmyPDF
   refuse `--skip-text` through Ghostscript, see SPEC §8.)
2. Anything else is OCRed in Vietnamese and English with `force_ocr` and
   no clean-up: the cheap pass, enough for a clean page. It reads the page
   as one block (Tesseract's page segmentation mode 6): on administrative
   pages that keeps the diacritics of a line from being read as a line of
   noise of their own, costs less than automatic layout analysis, and the
   text layer keeps each word's position, so `pdftotext -layout` still
   shows the header's two columns to the metadata extractor.
3. Each page's text is scored (`text_quality`). A page whose text looks
   poor, or that has ink but almost no text, is run again on its own with
   deskew, clean and rotate (the costly clean-up) through OCRmyPDF's `pages`
   option on the first pass's output, with automatic layout analysis; the
   second pass is kept only when it reads better. So clean pages never pay
   for clean-up.

Everything runs in a private temporary directory that is removed
afterwards; the caller stores the results. OCRmyPDF runs in threads of the
calling process (`use_threads`), never forking a process that holds
database connections.
"""

from __future__ import annotations

import io
import logging
import re
import resource
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from hoso.documents import storage
from hoso.search.text import fold

logger = logging.getLogger(__name__)

LANGUAGES = ["vie", "eng"]
PLUGIN = "hoso.digitization.ocrplugin"
# Below this share of plausible words a page goes through clean-up.
QUALITY_THRESHOLD = 0.85
# A page with fewer words than this is "almost empty": cleaned only if it
# has ink (a blank page needs no clean-up).
MIN_WORDS = 5
# Share of dark pixels above which a page is not blank.
INK_THRESHOLD = 0.004
DEFAULT_DPI = 300
# A page's long side is at most A3's (16.5 in); A4's is 11.69 in.
MAX_PAGE_INCHES = 17
A4_LONG_INCHES = 11.69
# Tesseract's page segmentation mode for the first pass (see above).
SINGLE_BLOCK = 6
# Between the pages of an item's text.
PAGE_BREAK = "\n\n"

# A folded Vietnamese syllable: initial consonant, one to three vowels,
# final consonant. Generous on purpose: it only has to tell text from
# Tesseract's noise ("ygAnb", "nw", "^").
_SYLLABLE = re.compile(
    r"^(ngh|ng|gh|gi|kh|nh|ph|th|tr|ch|qu|[bcdghklmnprstvx])?"
    r"[aeiouy]{1,3}(ch|nh|ng|[cmnpt])?$"
)
_CODE = re.compile(r"^[0-9A-Za-z]+([-/.,:][0-9A-Za-z]+)*$")
_PUNCTUATION = "\"'“”‘’.,;:!?()[]{}«»…-–—*"


@dataclass
class OcrResult:
    """What one file became."""

    output: Path
    text: str
    page_texts: list[str]
    pages: int
    method: str
    quality: float | None
    needed_cleanup: bool = False
    cleaned_pages: list[int] = field(default_factory=list)
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    # Page 1 with its columns (`pdftotext -layout`): what the metadata
    # extractor reads best (issuer on the left, place and date on the right).
    first_page: str = ""


class OcrError(Exception):
    """OCR could not produce a searchable file; the message says why."""


def _plausible(token: str) -> bool | None:
    """Whether a token reads like a word, a number or a code; None for pure
    punctuation (neither good nor bad)."""
    core = token.strip(_PUNCTUATION)
    if not core:
        return None
    folded = fold(core)
    if any(ch.isdigit() for ch in folded):
        return bool(_CODE.match(folded))
    if not folded.isalpha():
        return False
    # Mixed case inside a word ("ygAnb") is Tesseract reading noise.
    if not (core.islower() or core.isupper() or core.istitle()):
        return False
    if _SYLLABLE.match(folded):
        return True
    if core.isupper() and 2 <= len(core) <= 6:
        return True  # abbreviations: UBND, TU, HĐND
    # English and other Latin words.
    return core.isascii() and len(core) >= 4 and bool(re.search("[aeiouy]", folded))


def text_quality(text: str) -> float | None:
    """Share (0–1) of the text's characters in plausible tokens, None when
    the text has fewer than MIN_WORDS tokens to judge by."""
    tokens = text.split()
    if len(tokens) < MIN_WORDS:
        return None
    good = bad = 0
    for token in tokens:
        verdict = _plausible(token)
        if verdict is None:
            continue
        if verdict:
            good += len(token)
        else:
            bad += len(token)
    if good + bad == 0:
        return 0.0
    return good / (good + bad)


def pdf_text_pages(path: Path, pages: int | None = None) -> list[str]:
    """The text of each page of a PDF (poppler's `pdftotext`)."""
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise OcrError(
            f"pdftotext failed: {result.stderr.decode(errors='replace')[:300]}"
        )
    texts = result.stdout.decode("utf-8", errors="replace").split("\f")
    if pages is None:
        # pdftotext ends every page with a form feed.
        return texts[:-1] if len(texts) > 1 else texts
    texts += [""] * max(0, pages - len(texts))
    return texts[:pages]


def first_page_layout(path: Path) -> str:
    """Page 1 of a PDF as text laid out in columns; "" when unreadable."""
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-layout", "-f", "1", "-l", "1", str(path), "-"],
        capture_output=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        return ""
    return result.stdout.decode("utf-8", errors="replace")


def page_has_ink(path: Path, index: int) -> bool:
    """Whether page `index` (0-based) shows anything: rendered at 36 dpi,
    cheap enough to ask only about pages that gave almost no text."""
    try:
        import pypdfium2

        document = pypdfium2.PdfDocument(str(path))
        try:
            bitmap = document[index].render(scale=0.5, grayscale=True)
            image = bitmap.to_pil().convert("L")
        finally:
            document.close()
    except Exception:  # noqa: BLE001 - a render failure must not stop OCR
        logger.warning("could not render page %s of %s", index + 1, path)
        return True
    histogram = image.histogram()
    dark = sum(histogram[:128])
    return dark / max(1, image.width * image.height) > INK_THRESHOLD


def page_needs_cleanup(text: str, has_ink: Callable[[], bool]) -> bool:
    """Whether a page's OCR text looks poor enough to pay for clean-up."""
    quality = text_quality(text)
    if quality is None:
        return has_ink()
    return quality < QUALITY_THRESHOLD


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _quiet_ocrmypdf_logs() -> None:
    """OCRmyPDF logs every size and PDF/A detail as warnings; keep errors
    unless logging has been configured for it explicitly."""
    ocr_logger = logging.getLogger("ocrmypdf")
    if ocr_logger.level == logging.NOTSET:
        ocr_logger.setLevel(logging.ERROR)


def _run(input_path: Path, output_path: Path, **options) -> None:
    """One OCRmyPDF run with the product's settings."""
    import ocrmypdf

    _quiet_ocrmypdf_logs()
    options.setdefault("mode", "force")
    try:
        ocrmypdf.ocr(
            input_path,
            output_path,
            language=LANGUAGES,
            output_type="pdfa",
            optimize=int(getattr(settings, "INTAKE_OCR_OPTIMIZE", 0)),
            jobs=1,
            use_threads=True,
            progress_bar=False,
            tesseract_timeout=float(getattr(settings, "INTAKE_TESSERACT_TIMEOUT", 180)),
            plugins=[PLUGIN],
            **options,
        )
    except ocrmypdf.exceptions.ExitCodeException as exc:
        raise OcrError(f"{type(exc).__name__}: {exc}".strip()) from exc


def _image_options(path: Path) -> dict:
    """`image_dpi` for an image whose stated resolution is missing or not
    believable (phones write 72 dpi into photos of an A4 page 4,000 pixels
    tall): then the resolution is estimated as if the long side were A4's."""
    from PIL import Image

    with Image.open(path) as image:
        dpi = image.info.get("dpi")
        long_side = max(image.size)
    try:
        stated = min(float(dpi[0]), float(dpi[1])) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        stated = 0.0
    if stated >= 72 and long_side / stated <= MAX_PAGE_INCHES:
        return {}
    estimated = round(long_side / A4_LONG_INCHES)
    return {"image_dpi": min(600, max(150, estimated))}


def images_to_pdf(source: Path, target: Path) -> None:
    """A multi-page TIFF as a PDF, one page per frame at its resolution,
    the pixels embedded losslessly (fpdf2; img2pdf is not a dependency)."""
    from fpdf import FPDF
    from PIL import Image, ImageSequence

    pdf = FPDF(unit="pt")
    pdf.set_auto_page_break(False)
    with Image.open(source) as image:
        for frame in ImageSequence.Iterator(image):
            dpi = frame.info.get("dpi") or (DEFAULT_DPI, DEFAULT_DPI)
            try:
                x_dpi = float(dpi[0]) or DEFAULT_DPI
                y_dpi = float(dpi[1]) or DEFAULT_DPI
            except (TypeError, ValueError, IndexError):
                x_dpi = y_dpi = DEFAULT_DPI
            page = frame.copy()
            if page.mode not in ("1", "L", "RGB"):
                page = page.convert("RGB")
            width = page.width * 72 / x_dpi
            height = page.height * 72 / y_dpi
            pdf.add_page(format=(width, height))
            buffer = io.BytesIO()
            page.save(buffer, format="PNG")
            buffer.seek(0)
            pdf.image(buffer, x=0, y=0, w=width, h=height)
    pdf.output(str(target))


def _embedded_text(path: Path, pages: int) -> list[str] | None:
    """The page texts of a PDF when every page already has good text."""
    texts = pdf_text_pages(path, pages)
    for text in texts:
        quality = text_quality(text)
        if quality is None or quality < QUALITY_THRESHOLD:
            return None
    return texts


def process(
    source: Path,
    content_type: str,
    workdir: Path,
    *,
    pages: int,
    on_page: Callable[[int], None] | None = None,
) -> OcrResult:
    """Make `source` searchable inside `workdir`; see the module docstring."""
    from hoso.digitization.ocrplugin import reporting

    started, cpu_started = time.monotonic(), _cpu_seconds()

    def finish(result: OcrResult) -> OcrResult:
        result.first_page = first_page_layout(result.output)
        result.seconds = round(time.monotonic() - started, 3)
        result.cpu_seconds = round(_cpu_seconds() - cpu_started, 3)
        return result

    if content_type == storage.PDF:
        embedded = _embedded_text(source, pages)
        if embedded is not None:
            output = workdir / "pdfa.pdf"
            try:
                _run(source, output, mode="skip", pdfa_backend="internal")
            except Exception as exc:  # noqa: BLE001 - the original will do
                logger.info("no PDF/A copy of %s: %s", source, exc)
                output = source
            if on_page:
                on_page(pages)
            text = PAGE_BREAK.join(page.strip() for page in embedded).strip()
            return finish(
                OcrResult(
                    output=output,
                    text=text,
                    page_texts=embedded,
                    pages=pages,
                    method="embedded",
                    quality=text_quality(text),
                )
            )

    options: dict = {}
    ocr_input = source
    if content_type == storage.TIFF and pages > 1:
        ocr_input = workdir / "frames.pdf"
        images_to_pdf(source, ocr_input)
    elif content_type != storage.PDF:
        options = _image_options(source)

    first = workdir / "ocr.pdf"
    with reporting(on_page):
        _run(ocr_input, first, tesseract_pagesegmode=SINGLE_BLOCK, **options)
    texts = pdf_text_pages(first, pages)

    poor = [
        number
        for number, text in enumerate(texts, start=1)
        if page_needs_cleanup(text, lambda index=number - 1: page_has_ink(first, index))
    ]
    output, cleaned = first, []
    if poor:
        second = workdir / "cleaned.pdf"
        try:
            _run(
                first,
                second,
                deskew=True,
                clean=True,
                rotate_pages=True,
                pages=",".join(str(number) for number in poor),
            )
        except OcrError as exc:
            logger.warning("clean-up pass failed for %s: %s", source, exc)
        else:
            retexts = pdf_text_pages(second, pages)
            if _reads_better(
                [retexts[n - 1] for n in poor], [texts[n - 1] for n in poor]
            ):
                output, texts, cleaned = second, retexts, poor
    text = PAGE_BREAK.join(page.strip() for page in texts).strip()
    return finish(
        OcrResult(
            output=output,
            text=text,
            page_texts=texts,
            pages=pages,
            method="ocr",
            quality=text_quality(text),
            needed_cleanup=bool(poor),
            cleaned_pages=cleaned,
        )
    )


def _reads_better(new: list[str], old: list[str]) -> bool:
    """Whether the cleaned pages read better than the first pass's."""

    def score(texts: list[str]) -> float:
        total = 0.0
        for text in texts:
            quality = text_quality(text) or 0.0
            total += quality * min(1.0, len(text.split()) / 50)
        return total

    return score(new) > score(old)
