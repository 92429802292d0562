"""Search at scale: Tantivy through `hoso.search.service.search()` against
SQLite FTS5, on the same generated corpus and queries.

Stages (all by default, or pick with --stages):

- `generate`: a fresh SQLite database in the work directory (migrated), the
  demo province tree (`hoso.demo.trees`: a province committee and its
  agencies, 100 communes, ~1,500 grassroots organizations and cells), two
  users (the province secretary cleared for "Tối mật", a commune clerk
  without clearance) and N documents from the demo generator
  (`hoso.demo.documents`: registers, types, symbols, issuers, excerpts,
  dates, statuses, secrecy as `hoso demo` makes them), each given a body of
  150–750 words (~250–1,300 syllables) drawn with Zipf weights from a
  vocabulary of Party administrative Vietnamese; written with the demo's own
  bulk insert (no signals, as an import would).
- `index`: `hoso search rebuild --fresh` in a child process reading that
  database — the real rebuild path — timed, with the child's peak RSS.
- `fts`: an external-content FTS5 table (unicode61 remove_diacritics 2) over
  the same rows, built with FTS5's own `rebuild`.
- `query`: six query sets (one word, 3-word AND, phrase, accent-less,
  symbol, a broad word with ≥ 100,000 permitted hits), each query timed
  end-to-end through `service.search()` — permission filter, total, facets,
  snippets, "did you mean", the page's database re-check — for the province
  secretary and the commune clerk; then the same queries on FTS5 (count +
  top 20 by bm25 with a snippet, joined to the documents table for the same
  permission filter; no facets), p50/p95, and the ratio.

    .venv/bin/python bench/search.py [--docs 1000000] [--queries 200]
        [--fts-queries 40] [--workdir var/bench-search]
        [--stages generate,index,fts,query]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
import unicodedata
from datetime import date
from itertools import accumulate
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = 20250701
STREAM = 3_000_000

# Vocabulary: administrative words and phrases of Party documents, most
# frequent first (the generator draws them with Zipf weights).
COMMON = """
của và các trong về việc là có được cho với theo đã những một này để tại
công tác đảng viên chi bộ đảng bộ cán bộ nhân dân thực hiện tổ chức xây dựng
lãnh đạo chỉ đạo kế hoạch nghị quyết phát triển kinh tế xã hội quản lý nhà nước
nhiệm vụ giải pháp tăng cường nâng cao hiệu quả chất lượng kiểm tra giám sát
tuyên truyền học tập quán triệt triển khai báo cáo kết quả đánh giá năm tháng
quý hội nghị ban chấp hành ban thường vụ thường trực cấp ủy ủy ban mặt trận
đoàn thể thanh niên phụ nữ cựu chiến binh nông dân công đoàn chính quyền
địa phương cơ sở xã phường tỉnh huyện trung ương quốc phòng an ninh trật tự
an toàn chuyển đổi số khoa học công nghệ đổi mới sáng tạo giáo dục đào tạo
y tế văn hóa môi trường tài nguyên đất đai xây dựng nông thôn mới giảm nghèo
bền vững đầu tư ngân sách tài chính thu chi dự toán quyết toán thi đua khen
thưởng kỷ luật kết nạp đảng viên mới phát triển đảng sinh hoạt chi bộ định kỳ
chuyên đề tự phê bình phê bình đạo đức lối sống tư tưởng chính trị tư tưởng
hồ chí minh chủ nghĩa mác lênin cương lĩnh điều lệ đảng quy định hướng dẫn
thông báo kết luận chỉ thị quyết định tờ trình công văn biên bản chương trình
đề án dự án phương án số liệu tổng kết sơ kết rút kinh nghiệm đề xuất kiến nghị
phối hợp trách nhiệm người đứng đầu cải cách hành chính thủ tục dịch vụ công
trực tuyến văn bản điện tử chữ ký số hồ sơ công việc lưu trữ bảo mật bí mật nhà
nước phòng chống tham nhũng lãng phí tiêu cực khiếu nại tố cáo tiếp công dân
đại hội nhiệm kỳ bầu cử nhân sự quy hoạch luân chuyển bổ nhiệm đánh giá xếp loại
hoàn thành xuất sắc tốt nhiệm vụ không hoàn thành thiên tai bão lũ phòng cháy
chữa cháy dịch bệnh biên giới biển đảo dân tộc tôn giáo đại đoàn kết toàn dân
dân chủ pháp luật hiến pháp kỷ cương văn minh đô thị giao thông hạ tầng
thương mại du lịch nông nghiệp công nghiệp doanh nghiệp hợp tác xã lao động
việc làm an sinh bảo hiểm chính sách người có công gia đình trẻ em người cao tuổi
đội ngũ đội công tác đối với đối tượng đôi khi sổ sách sở ngành số hóa sơ bộ
"""
# Syllables for a long tail of rarer two-syllable words.
SYLLABLE_TEXT = """
an bình cao dân đạo đất điều định đồng giáo hành hóa học hợp khoa kinh lập
lực minh nam nghiệp nguyên nhân phát phong quan quốc sản sinh tài tâm thành
thống thương tiến toàn trị triển trung trường tuyên văn vận viên xã xây
bảo biện cảnh chiến chính công cứu dịch dục dưỡng đảm đào đầu địa giải giám
hiện hoạch khai khẩn kiểm lãnh luận mạnh nghị nhiệm phòng quản quyết sát
tạo thẩm thể thiết thực tổng trách tra truyền tuyển vụ ứng xử yếu
"""


def vocabulary() -> list[str]:
    """Words (one to four syllables), most frequent first."""
    # Greedy: known multi-syllable terms first, so phrases stay whole.
    text = " ".join(COMMON.split())
    phrases = [
        "chuyển đổi số", "khoa học công nghệ", "đổi mới sáng tạo", "nông thôn mới",
        "ban chấp hành", "ban thường vụ", "đảng viên mới", "bí mật nhà nước",
        "sinh hoạt chi bộ", "tự phê bình", "phòng chống tham nhũng",
        "tiếp công dân", "hồ sơ công việc", "chữ ký số", "văn bản điện tử",
        "dịch vụ công", "cải cách hành chính", "người đứng đầu", "đại đoàn kết",
        "an sinh xã hội", "người có công", "người cao tuổi", "phòng cháy",
        "chữa cháy", "quốc phòng an ninh", "kinh tế xã hội", "nhà nước",
        "đảng bộ", "chi bộ", "cán bộ", "công tác", "nghị quyết", "kế hoạch",
        "thực hiện", "tổ chức", "xây dựng", "lãnh đạo", "chỉ đạo", "phát triển",
    ]  # fmt: skip
    words: list[str] = []
    seen = set()
    for phrase in phrases:
        if phrase not in seen:
            words.append(phrase)
            seen.add(phrase)
    for word in text.split():
        if word not in seen:
            words.append(word)
            seen.add(word)
    rng = random.Random(SEED)
    syllables = SYLLABLE_TEXT.split()
    tail = {f"{rng.choice(syllables)} {rng.choice(syllables)}" for _ in range(6000)}
    words += sorted(tail - seen)
    # Interleave so the phrases are frequent but not all at the top.
    rng.shuffle(words[: len(phrases) + 150])
    return words


def fold(text: str) -> str:
    text = "".join(
        c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)
    )
    return text.replace("đ", "d").replace("Đ", "D").lower()


class Corpus:
    """A deterministic generator of documents (a pure function of the seed)."""

    def __init__(self, seed: int = SEED):
        self.words = vocabulary()
        self.weights = list(
            accumulate(1.0 / (rank + 8) ** 1.05 for rank in range(len(self.words)))
        )
        self.seed = seed
        self._stream: list[str] | None = None

    def stream(self) -> list[str]:
        """A long run of Zipf-distributed words in sentences; documents
        take slices of it at random offsets (fast, same statistics)."""
        if self._stream is None:
            rng = random.Random(self.seed)
            words = rng.choices(self.words, cum_weights=self.weights, k=STREAM)
            for i in range(0, STREAM, 14):
                words[i] = words[i][:1].upper() + words[i][1:]
                if i:
                    words[i - 1] += "."
            self._stream = words
        return self._stream

    def text(self, rng: random.Random, n: int) -> str:
        start = rng.randrange(STREAM - n)
        return " ".join(self.stream()[start : start + n])


# Django ----------------------------------------------------------------------


def setup_django(workdir: Path) -> None:
    os.environ["HOSO_DATA_DIR"] = str(workdir)
    os.environ["HOSO_DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "hoso.config.settings"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def generate(workdir: Path, count: int) -> None:
    """Database, the demo province tree, two users and `count` documents
    from the demo generator, each with a body of generated text."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from hoso.accounts.models import Position, Role
    from hoso.core.testing.factories import PersonFactory
    from hoso.demo import documents as demo
    from hoso.demo.trees import build_tree
    from hoso.organizations.choices import Level
    from hoso.organizations.models import Organization

    call_command("migrate", verbosity=0)
    build_tree("province", seed=1, documents=0)
    province = Organization.objects.filter(level=Level.PROVINCE).order_by("pk")[0]
    commune = Organization.objects.filter(level=Level.COMMUNE).order_by("pk")[0]
    secretary = PersonFactory(clearance=2)  # cleared for "Tối mật"
    secretary.user.username = "bench-secretary"
    secretary.user.save()
    Position.objects.create(
        person=secretary, organization=province, role=Role.objects.get(code="secretary")
    )
    clerk = PersonFactory(clearance=0)
    clerk.user.username = "bench-clerk"
    clerk.user.save()
    Position.objects.create(
        person=clerk, organization=commune, role=Role.objects.get(code="clerk")
    )
    corpus = Corpus()
    started = time.perf_counter()

    def with_text(batches):
        """The demo generator's monthly batches, each document given a body
        of 150–750 words (deterministic per document)."""
        done = 0
        for batch in batches:
            for row in batch.documents:
                rng = random.Random(SEED * 1_000_003 + done)
                row["body"] = corpus.text(rng, rng.randint(150, 750))
                done += 1
            yield batch

    with transaction.atomic():
        context = demo.load_context(Organization.objects.all())
        batches = demo.generate_documents(
            context, count=count, seed=SEED, today=date(2026, 11, 1)
        )
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")
        total = demo.insert_documents(
            with_text(batches), stdout=sys.stdout, with_events=False
        )
    rate = total / (time.perf_counter() - started)
    print(f"  generated {total:,} documents ({rate:,.0f}/s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _memory(pid: int) -> dict[str, int]:
    """VmRSS, RssAnon and RssFile of a process, in kB (Linux)."""
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _sep, rest = line.partition(":")
            if name in ("VmRSS", "RssAnon", "RssFile"):
                values[name] = int(rest.split()[0])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return values


MEMORY_CGROUP = Path("/sys/fs/cgroup/memory")


def _memory_cgroup(limit_mb: int) -> Path | None:
    """A cgroup (v1 memory controller) capping memory at `limit_mb`, or None
    where none can be made (not root, no such controller). The cap counts
    the page cache too, which the kernel reclaims under it: a rebuild that
    completes inside the cap needed less than the cap, however big its
    memory-mapped index files are."""
    group = MEMORY_CGROUP / f"hoso-bench-{os.getpid()}"
    try:
        group.mkdir(exist_ok=True)
        (group / "memory.limit_in_bytes").write_text(str(limit_mb * 2**20))
        # No swap to hide in (where the kernel accounts it).
        swap = group / "memory.memsw.limit_in_bytes"
        if swap.exists():
            swap.write_text(str(limit_mb * 2**20))
    except OSError:
        return None
    return group


def _cgroup_figure(group: Path, name: str) -> int:
    try:
        return int((group / name).read_text())
    except (OSError, ValueError):
        return 0


def index(workdir: Path, memory_limit_mb: int = 0) -> dict:
    """`hoso search rebuild --fresh` in a child process: time and peak memory
    (sampled every 0.5 s: resident, anonymous and file-backed, the latter
    being the index's memory-mapped files, which the kernel can drop), and,
    with `memory_limit_mb`, run inside a memory cgroup of that size."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    group = _memory_cgroup(memory_limit_mb) if memory_limit_mb else None
    if memory_limit_mb and group is None:
        print("  (no memory cgroup available: running without the cap)")

    def enter_cgroup():
        if group is not None:
            (group / "cgroup.procs").write_text(str(os.getpid()))

    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "hoso.cli", "search", "rebuild", "--fresh",
         "--batch", "2000", "--commit-every", "200000"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        preexec_fn=enter_cgroup,
    )  # fmt: skip
    peaks = {"VmRSS": 0, "RssAnon": 0, "RssFile": 0}
    loads = []
    while child.poll() is None:
        for name, value in _memory(child.pid).items():
            peaks[name] = max(peaks[name], value)
        loads.append(os.getloadavg()[0])
        time.sleep(0.5)
    output = child.stdout.read()
    seconds = time.perf_counter() - started
    capped = {}
    if group is not None:
        capped = {
            "memory_limit_mb": memory_limit_mb,
            # Anonymous memory and page cache together, at their peak.
            "cgroup_max_usage_mb": _cgroup_figure(group, "memory.max_usage_in_bytes")
            / 2**20,
            # How often the cap was reached (the kernel then reclaimed cache).
            "cgroup_limit_hits": _cgroup_figure(group, "memory.failcnt"),
        }
        group.rmdir()
    if child.returncode:
        sys.exit(f"rebuild failed (exit {child.returncode}, {capped}):\n{output}")
    print(output.strip())
    from hoso.documents.models import Document

    count = Document.objects.count()
    size = sum(f.stat().st_size for f in (workdir / "search-index").rglob("*"))
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "documents": count,
        "seconds": seconds,
        "rate": count / seconds,
        "peak_rss_mb": peaks["VmRSS"] / 1024,
        "peak_anon_mb": peaks["RssAnon"] / 1024,
        "peak_file_mb": peaks["RssFile"] / 1024,
        "max_rss_mb": usage.ru_maxrss / 1024,
        # CPU time is what the load of other processes does not inflate.
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "index_mb": size / 1e6,
        "load_average": statistics.mean(loads) if loads else None,
        **capped,
    }


def fts(workdir: Path) -> dict:
    """Build the FTS5 baseline over the same rows (external content)."""
    db = sqlite3.connect(workdir / "bench.sqlite3")
    db.execute("DROP TABLE IF EXISTS doc_fts")
    db.execute(
        "CREATE VIRTUAL TABLE doc_fts USING fts5(symbol, excerpt, body, "
        "content='documents_document', content_rowid='id', "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    started = time.perf_counter()
    db.execute("INSERT INTO doc_fts(doc_fts) VALUES('rebuild')")
    db.commit()
    seconds = time.perf_counter() - started
    count = db.execute("SELECT count(*) FROM documents_document").fetchone()[0]
    return {"documents": count, "seconds": seconds, "rate": count / seconds}


# Queries ----------------------------------------------------------------------


def query_sets(n: int, symbols: list[str]) -> dict[str, list[str]]:
    """The same queries for both engines (deterministic). Words are drawn
    from the vocabulary past its 40 most frequent entries (function words),
    so their document frequencies spread from a few percent to most
    documents; "broad" takes the most frequent content words."""
    corpus = Corpus()
    rng = random.Random(SEED + 1)
    words = corpus.words
    singles = [w for w in words[40:] if " " not in w]
    multi = [w for w in words[40:2500] if " " in w]
    return {
        "one word": [rng.choice(singles) for _ in range(n)],
        "3-word AND": [" ".join(rng.sample(singles, 3)) for _ in range(n)],
        "phrase": [f'"{rng.choice(multi)}"' for _ in range(n)],
        "accent-less": [
            fold(f"{rng.choice(multi)} {rng.choice(singles)}") for _ in range(n)
        ],
        "symbol": [rng.choice(symbols) for _ in range(n)],
        "broad": [rng.choice([w for w in words[:40] if " " not in w][:8])
                  for _ in range(n)],
    }  # fmt: skip


def visible_symbols(user, count: int) -> list[str]:
    """Symbols of documents the user may see (a random sample)."""
    from hoso.documents.models import Document

    rng = random.Random(SEED + 2)
    top = Document.objects.order_by("-id").values_list("id", flat=True).first()
    sample = rng.sample(range(1, top + 1), min(top, 50_000))
    return sorted(
        set(
            Document.objects.restrict(user, "view")
            .filter(id__in=sample)
            .exclude(symbol="")
            .values_list("symbol", flat=True)[:count]
        )
    )


def fts_match(query: str) -> str:
    """The FTS5 MATCH expression of a user query (same semantics: AND)."""
    phrases = re.findall(r'"([^"]+)"', query)
    rest = re.sub(r'"[^"]*"', " ", query).split()
    return " ".join([f'"{p}"' for p in phrases] + [f'"{w}"' for w in rest])


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def run_queries(workdir: Path, n: int, fts_n: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory

    from hoso.core import permissions
    from hoso.search import api

    def api_search(user, q: str) -> dict:
        """`GET /api/v1/search?q=…` as its view function answers it (the
        permission filter, search, total, facets, snippets, "did you mean",
        the page's database re-check and the response's hits), without the
        HTTP layer."""
        request = RequestFactory().get("/api/v1/search", {"q": q})
        request.user = user
        response = api.search(request, api.SearchIn(q=q))
        return api.SearchOut.model_validate(response).model_dump()

    users = {
        "province secretary": get_user_model().objects.get(username="bench-secretary"),
        "commune clerk": get_user_model().objects.get(username="bench-clerk"),
    }
    sets = {
        who: query_sets(n, visible_symbols(user, 500)) for who, user in users.items()
    }
    results: dict = {"tantivy": {}, "fts5": {}, "load_average": []}
    for who, user in users.items():
        for name, queries in sets[who].items():
            results["load_average"].append(os.getloadavg()[0])
            for q in queries[:10]:  # warm-up
                api_search(user, q)
            times, cpus, totals = [], [], []
            for q in queries:
                cpu, started = time.process_time(), time.perf_counter()
                result = api_search(user, q)
                times.append((time.perf_counter() - started) * 1000)
                cpus.append((time.process_time() - cpu) * 1000)
                totals.append(result["total"])
            results["tantivy"][f"{who}|{name}"] = {
                "p50": statistics.median(times),
                "p95": percentile(times, 95),
                "max": max(times),
                "cpu_p50": statistics.median(cpus),
                "cpu_p95": percentile(cpus, 95),
                "median_hits": statistics.median(totals),
                "min_hits": min(totals),
            }
            print(f"  tantivy {who:20} {name:12} p50 {statistics.median(times):7.1f}"
                  f" ms  p95 {percentile(times, 95):7.1f} ms  CPU p50 "
                  f"{statistics.median(cpus):6.1f} ms  median hits "
                  f"{statistics.median(totals):,.0f}", flush=True)  # fmt: skip
    db = sqlite3.connect(workdir / "bench.sqlite3")
    for who, user in users.items():
        paths = permissions.scope_paths(user, "documents.view_document")
        clearance = permissions.clearance_of(user)
        scope = " OR ".join("d.org_path LIKE ?" for _ in paths)
        where = f"doc_fts MATCH ? AND ({scope}) AND d.secrecy <= ?"
        join = "FROM doc_fts JOIN documents_document d ON d.id = doc_fts.rowid"
        count_sql = f"SELECT count(*) {join} WHERE {where}"  # noqa: S608
        top_sql = (
            f"SELECT d.id, snippet(doc_fts, 2, '<mark>', '</mark>', '…', 20) "  # noqa: S608
            f"{join} WHERE {where} ORDER BY bm25(doc_fts) LIMIT 20"
        )
        for name, queries in sets[who].items():
            if not fts_n:  # --fts-queries 0: Tantivy only
                break
            results["load_average"].append(os.getloadavg()[0])
            times, cpus, totals = [], [], []
            for q in queries[:fts_n]:
                params = [fts_match(q), *(f"{p}%" for p in paths), clearance]
                cpu, started = time.process_time(), time.perf_counter()
                total = db.execute(count_sql, params).fetchone()[0]
                db.execute(top_sql, params).fetchall()
                times.append((time.perf_counter() - started) * 1000)
                cpus.append((time.process_time() - cpu) * 1000)
                totals.append(total)
            results["fts5"][f"{who}|{name}"] = {
                "p50": statistics.median(times),
                "p95": percentile(times, 95),
                "max": max(times),
                "cpu_p50": statistics.median(cpus),
                "cpu_p95": percentile(cpus, 95),
                "median_hits": statistics.median(totals),
                "min_hits": min(totals),
            }
            print(f"  fts5    {who:20} {name:12} p50 {statistics.median(times):7.1f}"
                  f" ms  p95 {percentile(times, 95):7.1f} ms  CPU p50 "
                  f"{statistics.median(cpus):6.1f} ms  median hits "
                  f"{statistics.median(totals):,.0f}", flush=True)  # fmt: skip
    return results


def markdown(report: dict) -> str:
    """The report's query results as a Markdown table: wall-clock p50/p95,
    CPU p50/p95 per query and median hits, Tantivy beside FTS5 and the ratio
    of their p95s."""
    queries = report.get("queries", {})
    tantivy, fts5 = queries.get("tantivy", {}), queries.get("fts5", {})
    lines = [
        "| user | query | Tantivy p50 / p95 (ms) | CPU p50 / p95 (ms) | hits "
        "| FTS5 p50 / p95 (ms) | CPU p50 / p95 (ms) | hits | FTS5 ÷ Tantivy (p95) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, row in tantivy.items():
        who, name = key.split("|")
        cells = [
            who,
            name,
            f"{row['p50']:.1f} / {row['p95']:.1f}",
            f"{row['cpu_p50']:.1f} / {row['cpu_p95']:.1f}",
            f"{row['median_hits']:,.0f}",
        ]
        base = fts5.get(key)
        if base:
            cells += [
                f"{base['p50']:.0f} / {base['p95']:.0f}",
                f"{base['cpu_p50']:.0f} / {base['cpu_p95']:.0f}",
                f"{base['median_hits']:,.0f}",
                f"{base['p95'] / row['p95']:.1f}×",
            ]
        else:
            cells += ["—", "—", "—", "—"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--fts-queries", type=int, default=40)
    parser.add_argument("--workdir", default=str(ROOT / "var" / "bench-search"))
    parser.add_argument(
        "--memory-limit-mb",
        type=int,
        default=1024,
        help="run the rebuild in a memory cgroup of this size (0: no cap)",
    )
    parser.add_argument(
        "--stages", default="generate,index,fts,query", help="or: report"
    )
    args = parser.parse_args()
    workdir = Path(args.workdir).resolve()
    stages = set(args.stages.split(","))
    if "generate" in stages and workdir.exists():
        import shutil

        shutil.rmtree(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    setup_django(workdir)
    report_file = workdir / "report.json"
    report = json.loads(report_file.read_text()) if report_file.exists() else {}
    report["machine"] = f"{platform.machine()}, {os.cpu_count()} CPUs"
    if "generate" in stages:
        started = time.perf_counter()
        generate(workdir, args.docs)
        report["generate_seconds"] = time.perf_counter() - started
        report["docs"] = args.docs
        print(f"generated {args.docs:,} in {report['generate_seconds']:.0f} s")
    if "index" in stages:
        report["rebuild"] = index(workdir, args.memory_limit_mb)
        print("rebuild", report["rebuild"])
    if "fts" in stages:
        report["fts_build"] = fts(workdir)
        print("fts5 build", report["fts_build"])
    if "query" in stages:
        report["queries"] = run_queries(workdir, args.queries, args.fts_queries)
    report_file.write_text(json.dumps(report, indent=2, default=str))
    if report.get("queries"):
        print(markdown(report))
    print(f"report: {report_file}")


if __name__ == "__main__":
    main()
