"""Build, render and scan-noise the extraction evaluation set.

The set is a list of first pages of Party and state documents (types NQ, QĐ,
CT, KL, HD, TB, BC, KH, CV, TTr from central, province, commune and state
bodies), each with the fields an extractor should read: `labels.json`. Pages
are not committed: `generate_pages` renders each entry with
`hoso.documents.rendering.render_document_pdf` (unsaved Document rows, no
database needed), rasterises page 1 with `pdftoppm` and degrades it like a
scan with Pillow (rotation up to ±1.5°, Gaussian blur, speckle, contrast and
brightness jitter, JPEG compression), all from a fixed seed.

    .venv/bin/python -m hoso.digitization.tests.extraction_set.generate \
        --labels              # rewrite labels.json from build_entries()
    .venv/bin/python -m hoso.digitization.tests.extraction_set.generate \
        OUT_DIR [--dpi 200]   # write the noisy pages as JPEG

Django must be set up (settings are needed by the template renderer).
"""

from __future__ import annotations

import argparse
import io
import json
import random
import subprocess
import tempfile
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
LABELS = HERE / "labels.json"
SEED = 8
FIELDS = (
    "symbol",
    "number",
    "type",
    "issued_on",
    "place",
    "issuer",
    "excerpt",
    "signer",
    "secrecy",
    "urgency",
)

SECRECY = {0: None, 1: "MẬT", 2: "TỐI MẬT", 3: "TUYỆT MẬT"}
URGENCY = {0: None, 1: "KHẨN", 2: "THƯỢNG KHẨN", 3: "HỎA TỐC", 4: "HỎA TỐC HẸN GIỜ"}

PARTY_TYPES = {
    "NQ": "Nghị quyết",
    "QĐ": "Quyết định",
    "CT": "Chỉ thị",
    "KL": "Kết luận",
    "HD": "Hướng dẫn",
    "TB": "Thông báo",
    "BC": "Báo cáo",
    "KH": "Kế hoạch",
    "CV": "Công văn",
    "TTr": "Tờ trình",
}
STATE_TYPES = {
    "QĐ": "Quyết định",
    "TB": "Thông báo",
    "BC": "Báo cáo",
    "KH": "Kế hoạch",
    "TTr": "Tờ trình",
    "CV": "Công văn",
}

EXCERPTS = {
    "NQ": [
        "về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và "
        "chuyển đổi số quốc gia",
        "về lãnh đạo thực hiện nhiệm vụ phát triển kinh tế - xã hội năm 2025",
        "về đẩy mạnh chuyển đổi số trong các cơ quan đảng",
    ],
    "QĐ": [
        "về việc thành lập Tổ công tác chuyển đổi số",
        "ban hành Quy chế làm việc của Ban Chấp hành Đảng bộ nhiệm kỳ 2025 - 2030",
        "về việc kiện toàn Ban Chỉ đạo số hóa hồ sơ đảng viên",
    ],
    "CT": [
        "về tăng cường lãnh đạo công tác phòng, chống tham nhũng, lãng phí",
        "về lãnh đạo đại hội đảng bộ các cấp nhiệm kỳ 2025 - 2030",
    ],
    "KL": [
        "về tiếp tục thực hiện Nghị quyết số 57-NQ/TW của Bộ Chính trị",
        "về tình hình kinh tế - xã hội 6 tháng đầu năm",
    ],
    "HD": [
        "thực hiện Quy định về công tác kiểm tra, giám sát và kỷ luật của Đảng",
        "về nghiệp vụ công tác đảng viên và lập hồ sơ đảng viên",
    ],
    "TB": [
        "kết luận của Ban Thường vụ về công tác chuyển đổi số",
        "về lịch làm việc của Thường trực trong tháng",
    ],
    "BC": [
        "kết quả thực hiện nhiệm vụ chuyển đổi số 6 tháng đầu năm",
        "tổng kết công tác năm và phương hướng, nhiệm vụ năm tới",
    ],
    "KH": [
        "triển khai thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị",
        "học tập, quán triệt và triển khai thực hiện Nghị quyết Hội nghị Trung ương",
    ],
    "CV": [
        "triển khai số hóa hồ sơ đảng viên",
        "báo cáo tiến độ thực hiện Kế hoạch số 02-KH/BCĐTW",
        "cử cán bộ tham dự hội nghị tập huấn",
    ],
    "TTr": [
        "về việc đề nghị phê duyệt Đề án chuyển đổi số",
        "đề nghị ban hành Quy chế phối hợp công tác",
    ],
}

BODIES = [
    "Thực hiện chương trình công tác năm, căn cứ tình hình thực tế của địa "
    "phương, đơn vị, yêu cầu các cấp ủy, tổ chức đảng triển khai thực hiện "
    "tốt các nội dung sau đây.",
    "Các cấp ủy, tổ chức đảng, cơ quan, đơn vị quán triệt nghiêm túc, xây "
    "dựng kế hoạch cụ thể và báo cáo kết quả thực hiện đúng thời hạn.",
    "Giao Văn phòng chủ trì, phối hợp với các cơ quan liên quan theo dõi, "
    "đôn đốc, kiểm tra việc thực hiện và định kỳ báo cáo.",
]

SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Vũ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
]
MIDDLE = ["Văn", "Thị", "Minh", "Đức", "Quang", "Thanh", "Hồng", "Xuân", "Ngọc"]
GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hà",
    "Hải",
    "Hùng",
    "Hương",
    "Lan",
    "Long",
    "Nam",
    "Phong",
    "Sơn",
    "Thắng",
    "Thủy",
    "Trung",
    "Tuấn",
    "Yến",
]

# Issuing bodies: (superior, name, level, kind, style, abbreviation, place,
# [(authority, position, collective)…], allowed type codes).
_CENTRAL_SIGNERS = [
    ("TM", "Tổng Bí thư", "BỘ CHÍNH TRỊ"),
    ("TM", "Thường trực Ban Bí thư", "BAN BÍ THƯ"),
]
ISSUERS = [
    ("", "Ban Chấp hành Trung ương", "central", "committee", "party", "TW",
     "Hà Nội", _CENTRAL_SIGNERS, ["NQ", "CT", "KL", "QĐ", "TB"]),
    ("Ban Chấp hành Trung ương", "Văn phòng Trung ương Đảng", "central",
     "agency", "party", "VPTW", "Hà Nội",
     [("KT", "Phó Chánh Văn phòng", None), ("", "Chánh Văn phòng", None)],
     ["CV", "HD", "TB", "BC"]),
    ("Ban Chấp hành Trung ương", "Ban Tổ chức Trung ương", "central", "agency",
     "party", "BTCTW", "Hà Nội",
     [("KT", "Phó Trưởng ban", None), ("", "Trưởng ban", None)],
     ["HD", "CV", "TTr"]),
    ("Ban Chấp hành Trung ương", "Ủy ban Kiểm tra Trung ương", "central",
     "agency", "party", "UBKTTW", "Hà Nội",
     [("TM", "Chủ nhiệm", "ỦY BAN KIỂM TRA")], ["TB", "KL", "HD"]),
    ("Ban Chấp hành Trung ương",
     "Ban Chỉ đạo Trung ương về phát triển khoa học, công nghệ, đổi mới sáng "
     "tạo và chuyển đổi số", "central", "agency", "party", "BCĐTW", "Hà Nội",
     [("KT", "Phó Trưởng Ban Chỉ đạo", None)], ["KH", "TB", "CV"]),
    ("", "Tỉnh ủy Đắk Lắk", "province", "committee", "party", "TU", "Đắk Lắk",
     [("TM", "Bí thư", "BAN THƯỜNG VỤ"), ("KT", "Phó Bí thư Thường trực", None)],
     ["NQ", "CT", "KH", "BC", "TB"]),
    ("", "Tỉnh ủy Quảng Ninh", "province", "committee", "party", "TU",
     "Quảng Ninh", [("TM", "Bí thư", "BAN THƯỜNG VỤ"), ("KT", "Phó Bí thư", None)],
     ["NQ", "QĐ", "KL", "CV"]),
    ("", "Thành ủy Hà Nội", "province", "committee", "party", "TU", "Hà Nội",
     [("TM", "Bí thư", "BAN THƯỜNG VỤ"), ("KT", "Phó Bí thư", None)],
     ["CT", "KH", "TTr", "QĐ"]),
    ("Đảng bộ tỉnh Nghệ An", "Ban Tổ chức Tỉnh ủy", "province", "agency",
     "party", "BTCTU", "Nghệ An",
     [("KT", "Phó Trưởng ban", None), ("", "Trưởng ban", None)],
     ["HD", "CV", "BC", "TTr"]),
    ("Đảng bộ tỉnh Lâm Đồng", "Ủy ban Kiểm tra Tỉnh ủy", "province", "agency",
     "party", "UBKTTU", "Lâm Đồng", [("TM", "Chủ nhiệm", "ỦY BAN KIỂM TRA")],
     ["TB", "KL", "BC"]),
    ("Đảng bộ tỉnh Đắk Lắk", "Đảng ủy xã Hòa Phú", "commune", "committee",
     "party", "ĐU", "Hòa Phú",
     [("TM", "Bí thư", "BAN THƯỜNG VỤ"), ("KT", "Phó Bí thư", None)],
     ["NQ", "KH", "BC", "QĐ"]),
    ("Đảng bộ thành phố Hải Phòng", "Đảng ủy phường Hồng Bàng", "commune",
     "committee", "party", "ĐU", "Hồng Bàng", [("TM", "Bí thư", "BAN THƯỜNG VỤ")],
     ["TB", "CV", "KH"]),
    ("", "Bộ Nội vụ", "central", "agency", "state", "BNV", "Hà Nội",
     [("KT", "Thứ trưởng", None), ("", "Bộ trưởng", None)],
     ["QĐ", "CV", "TB", "BC"]),
    ("", "Bộ Khoa học và Công nghệ", "central", "agency", "state", "BKHCN",
     "Hà Nội", [("KT", "Thứ trưởng", None)], ["TTr", "CV", "KH"]),
    ("", "Ủy ban nhân dân tỉnh Bắc Ninh", "province", "agency", "state", "UBND",
     "Bắc Ninh",
     [("TM", "Chủ tịch", "ỦY BAN NHÂN DÂN"), ("KT", "Phó Chủ tịch", None)],
     ["QĐ", "KH", "CV", "TB"]),
    ("UBND tỉnh Thanh Hóa", "Sở Nội vụ", "province", "agency", "state", "SNV",
     "Thanh Hóa", [("KT", "Phó Giám đốc", None), ("", "Giám đốc", None)],
     ["QĐ", "CV", "BC"]),
    ("UBND tỉnh Gia Lai", "Ủy ban nhân dân xã Ia Grai", "commune", "agency",
     "state", "UBND", "Ia Grai", [("TM", "Chủ tịch", "ỦY BAN NHÂN DÂN")],
     ["QĐ", "TB", "CV"]),
]  # fmt: skip

RECIPIENTS = {
    "party": "- Như trên,\n- Các đồng chí Ủy viên Ban Thường vụ,\n- Lưu Văn phòng.",
    "state": "- Như trên;\n- Các đơn vị trực thuộc;\n- Lưu: VT, VP.",
}


def _person(rng: random.Random) -> str:
    middle = [rng.choice(MIDDLE)]
    if rng.random() < 0.3:
        middle.append(rng.choice([name for name in MIDDLE[2:] if name != middle[0]]))
    return " ".join([rng.choice(SURNAMES), *middle, rng.choice(GIVEN)])


def _plan(rng: random.Random, count: int) -> list[tuple[tuple, str]]:
    """(issuer, type code) pairs: every state pair, then Party pairs drawn
    until `count`, redrawn until every Party type appears. A set larger than
    the pairs takes every pair once, then pairs drawn at random."""
    state = [(i, c) for i in ISSUERS if i[4] == "state" for c in i[8]]
    party = [(i, c) for i in ISSUERS if i[4] == "party" for c in i[8]]
    if count > len(state) + len(party):
        pairs = state + party
        plan = pairs + [rng.choice(pairs) for _ in range(count - len(pairs))]
        rng.shuffle(plan)
        return plan
    while True:
        chosen = rng.sample(party, count - len(state))
        if {code for _issuer, code in chosen} == set(PARTY_TYPES):
            break
    plan = state + chosen
    rng.shuffle(plan)
    return plan


def _day(rng: random.Random) -> date:
    first = date(2016, 1, 1).toordinal()
    last = date(2026, 11, 1).toordinal()
    return date.fromordinal(rng.randint(first, last))


def _symbol(style: str, number: int, code: str, abbreviation: str) -> str:
    if style == "party":
        return f"{number:02d}-{code}/{abbreviation}"
    if code == "CV":
        unit = "VP" if abbreviation != "SNV" else "TCBC"
        return f"{number:02d}/{abbreviation}-{unit}"
    return f"{number:02d}/{code}-{abbreviation}"


def build_entries(seed: int = SEED, count: int = 40) -> list[dict]:
    """`count` entries over the issuers and their types, each with its
    render inputs and the expected fields."""
    rng = random.Random(seed)
    entries: list[dict] = []
    for index, (issuer, code) in enumerate(_plan(rng, count)):
        superior, name, level, kind, style, abbreviation, place, signers, _codes = (
            issuer
        )
        types = PARTY_TYPES if style == "party" else STATE_TYPES
        authority, position, collective = rng.choice(signers)
        number = rng.choice([rng.randint(1, 99), rng.randint(100, 999)])
        if code == "CV":
            number = rng.randint(100, 9999)
        symbol = _symbol(style, number, code, abbreviation)
        day = _day(rng)
        excerpt = rng.choice(EXCERPTS[code])
        signer = _person(rng)
        secrecy = rng.choice([0, 0, 0, 1, 2, 3])
        urgency = rng.choice([0, 0, 0, 1, 2, 3, 4])
        printed_excerpt = f"V/v {excerpt}" if code == "CV" else excerpt
        entries.append(
            {
                "id": f"{index + 1:02d}-{style}-{code.replace('Đ', 'D')}",
                "style": style,
                "superior": superior,
                "organization": name,
                "level": level,
                "kind": kind,
                "abbreviation": abbreviation,
                "type_code": code,
                "type_name": types[code],
                "symbol": symbol,
                "place": place,
                "date": day.isoformat(),
                "excerpt": excerpt,
                "body": "\n".join(rng.sample(BODIES, 2)),
                "recipients": RECIPIENTS[style],
                "authority": authority,
                "position": position,
                "collective": collective,
                "signer": signer,
                "secrecy": secrecy,
                "urgency": urgency,
                "expected": {
                    "symbol": symbol,
                    "number": symbol.split("-" if style == "party" else "/")[0],
                    "type": None if style == "state" and code == "CV" else code,
                    "issued_on": day.isoformat(),
                    "place": place,
                    "issuer": name.upper(),
                    "excerpt": printed_excerpt,
                    "signer": signer,
                    "secrecy": SECRECY[secrecy],
                    "urgency": URGENCY[urgency],
                },
            }
        )
    return entries


def load_entries() -> list[dict]:
    """The committed labelled entries."""
    return json.loads(LABELS.read_text(encoding="utf-8"))


def render_pdf(entry: dict) -> bytes:
    """The entry rendered by the project's renderer (unsaved rows)."""
    from hoso.documents.models import Document
    from hoso.documents.models.registers import DocumentType
    from hoso.documents.rendering import render_document_pdf
    from hoso.organizations.models import Organization

    parent = None
    if entry["superior"]:
        parent = Organization(
            name=entry["superior"], code="P", level="province", kind="committee"
        )
    organization = Organization(
        name=entry["organization"],
        code=entry["abbreviation"],
        abbreviation=entry["abbreviation"],
        level=entry["level"],
        kind=entry["kind"],
        parent=parent,
        document_style=entry["style"],
    )
    doc_type = DocumentType(
        system=entry["style"], code=entry["type_code"], name=entry["type_name"]
    )
    issued = date.fromisoformat(entry["date"])
    document = Document(
        organization=organization,
        doc_type=doc_type,
        symbol=entry["symbol"],
        place=entry["place"],
        issued_date=issued,
        register_year=issued.year,
        excerpt=entry["excerpt"],
        body=entry["body"],
        signer_name=entry["signer"],
        signer_position=entry["position"],
        signer_authority=entry["authority"],
        secrecy=entry["secrecy"],
        urgency=entry["urgency"],
        recipients_text=entry["recipients"],
    )
    pdf, _boxes = render_document_pdf(document, collective=entry["collective"])
    return pdf


def rasterise(pdf: bytes, dpi: int):
    """Page 1 of `pdf` as a greyscale Pillow image."""
    from PIL import Image

    with tempfile.TemporaryDirectory(prefix="hoso-extract-") as tmp:
        source = Path(tmp) / "page.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-f", "1", "-l", "1", "-gray", "-png",
             str(source), str(Path(tmp) / "page")],
            check=True,
            capture_output=True,
        )  # fmt: skip
        (png,) = Path(tmp).glob("page*.png")
        with Image.open(png) as image:
            return image.convert("L")


def add_scan_noise(image, rng: random.Random):
    """The page as a scanner would return it: slightly rotated, blurred,
    speckled, with uneven contrast and brightness, JPEG-compressed."""
    from PIL import Image, ImageEnhance, ImageFilter

    image = image.rotate(
        rng.uniform(-1.5, 1.5), resample=Image.BICUBIC, expand=False, fillcolor=255
    )
    image = ImageEnhance.Contrast(image).enhance(rng.uniform(0.65, 1.15))
    image = ImageEnhance.Brightness(image).enhance(rng.uniform(0.9, 1.08))
    image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.0)))
    pixels = image.load()
    width, height = image.size
    # Speckle: dark dots (dust) and light ones (dropouts), a few per 10,000
    # pixels, some 2×2.
    for _ in range(int(width * height * rng.uniform(0.0005, 0.002))):
        x, y = rng.randrange(width - 1), rng.randrange(height - 1)
        value = rng.choice((0, 40, 90, 255))
        size = rng.choice((1, 1, 2))
        for dx in range(size):
            for dy in range(size):
                pixels[x + dx, y + dy] = value
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=rng.randint(55, 80))
    buffer.seek(0)
    return Image.open(buffer).convert("L")


def generate_pages(
    out_dir: Path,
    *,
    dpi: int = 200,
    seed: int = SEED,
    entries: list[dict] | None = None,
) -> list[tuple[Path, dict]]:
    """Write each entry's noisy first page as `OUT_DIR/<id>.jpg`; return
    (path, expected fields) pairs. The noise is seeded per entry, so one
    page is the same whether generated alone or with the whole set."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    pages = []
    for entry in load_entries() if entries is None else entries:
        rng = random.Random(f"{seed}:{entry['id']}")
        image = add_scan_noise(rasterise(render_pdf(entry), dpi), rng)
        path = out_dir / f"{entry['id']}.jpg"
        image.save(path, "JPEG", quality=85, dpi=(dpi, dpi))
        pages.append((path, entry["expected"]))
    return pages


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", nargs="?", type=Path)
    parser.add_argument("--labels", action="store_true", help="rewrite labels.json")
    parser.add_argument("--dpi", type=int, default=200)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    if args.labels:
        text = json.dumps(build_entries(), ensure_ascii=False, indent=1)
        LABELS.write_text(text + "\n", encoding="utf-8")
        print(f"Wrote {LABELS}")
    if args.out_dir:
        import os

        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hoso.config.settings")
        django.setup()
        for path, _expected in generate_pages(
            args.out_dir, dpi=args.dpi, seed=args.seed
        ):
            print(path)


if __name__ == "__main__":
    main()
