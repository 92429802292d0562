"""End-to-end fixtures: the real Hoso server in a subprocess, Debian's Chromium.

The server is started the way an operator starts it (`python -m hoso migrate`,
`demo --scale small`, `serve --no-worker`) with its own data directory, and the
tests talk to it over HTTP only: no Django test database, no ORM. Under
pytest-xdist every worker starts its own server (the fixtures are per session,
and every worker is a session).

When the run's environment has `HOSO_DATABASE_URL=postgres…`, every server gets
a fresh, uniquely named PostgreSQL database that is dropped afterwards;
otherwise the server uses SQLite under its data directory.

`screenshot.py` next to this file imports the helpers below.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from playwright.sync_api import expect

E2E_DIR = Path(__file__).resolve().parent
ARTIFACTS_DIR = E2E_DIR / "artifacts"
DEMO_PASSWORD = "Hoso@demo2026"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
STARTUP_TIMEOUT = 90  # seconds for the web server to answer once demo data is in
COMMAND_TIMEOUT = 300  # seconds for migrate / demo
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


# Time-based one-time passwords (RFC 6238) --------------------------------------

TOTP_STEP = 30


def totp_step(now: float | None = None) -> int:
    """The RFC 6238 time step of `now` (default: the current time)."""
    return int((time.time() if now is None else now) // TOTP_STEP)


def totp_code(secret: str, step: int) -> str:
    """The 6-digit HMAC-SHA1 code of a base32 secret for one time step."""
    secret = secret.strip().replace(" ", "").upper()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


# The server -----------------------------------------------------------------


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


class ServerError(RuntimeError):
    """The server could not be prepared or did not start."""


class HosoServer:
    """One Hoso server process with its own data directory (and database).

    Use as a context manager, or call start() and stop().
    """

    def __init__(self, database_url: str | None = None, port: int | None = None):
        if database_url is None:
            database_url = os.environ.get("HOSO_DATABASE_URL", "")
        self.postgres_url = database_url if database_url.startswith("postgres") else ""
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir: Path | None = None
        self.database_name: str | None = None
        self.process: subprocess.Popen | None = None
        self.log_path: Path | None = None
        self._log = None

    # Environment and database

    def _environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env["HOSO_DATA_DIR"] = str(self.data_dir)
        env.pop("HOSO_PRODUCTION", None)
        env.pop("HOSO_SECURE_COOKIES", None)
        env.pop("HOSO_SSL_REDIRECT", None)
        env["PYTHONUNBUFFERED"] = "1"
        if self.database_name:
            env["HOSO_DATABASE_URL"] = _with_database(
                self.postgres_url, self.database_name
            )
        else:
            env.pop("HOSO_DATABASE_URL", None)
        return env

    def _maintenance(self):
        import psycopg

        return psycopg.connect(
            _with_database(self.postgres_url, "postgres"), autocommit=True
        )

    def _create_database(self) -> None:
        from psycopg import sql

        name = f"hoso_e2e_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        with self._maintenance() as connection:
            connection.execute(
                sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
            )
        self.database_name = name

    def _drop_database(self) -> None:
        from psycopg import sql

        if not self.database_name:
            return
        with self._maintenance() as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(self.database_name)
                )
            )
        self.database_name = None

    # Processes

    def _manage(self, *args: str) -> str:
        command = [sys.executable, "-m", "hoso", *args]
        try:
            result = subprocess.run(
                command,
                env=self._environment(),
                cwd=self.data_dir,
                capture_output=True,
                text=True,
                timeout=COMMAND_TIMEOUT,
            )
        except subprocess.TimeoutExpired as exc:
            raise ServerError(f"{' '.join(args)} did not finish: {exc}") from exc
        if result.returncode != 0:
            raise ServerError(
                f"`hoso {' '.join(args)}` failed ({result.returncode}):\n"
                f"{result.stdout}\n{result.stderr}"
            )
        return result.stdout

    def server_output(self) -> str:
        if self.log_path and self.log_path.exists():
            return self.log_path.read_text(errors="replace")
        return ""

    def start(self) -> HosoServer:
        self.data_dir = Path(tempfile.mkdtemp(prefix="hoso-e2e-"))
        try:
            if self.postgres_url:
                self._create_database()
            self._manage("migrate", "--noinput")
            self._manage("demo", "--scale", "small")
            self.log_path = self.data_dir / "server.log"
            self._log = self.log_path.open("w")
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "hoso",
                    "serve",
                    "--no-worker",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                env=self._environment(),
                cwd=self.data_dir,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        last_error: object = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(
                    f"The server exited with {self.process.returncode}:\n"
                    f"{self.server_output()}"
                )
            try:
                with urllib.request.urlopen(
                    f"{self.url}/accounts/login/", timeout=5
                ) as response:
                    if response.status == 200:
                        return
                    last_error = f"HTTP {response.status}"
            except (urllib.error.URLError, OSError) as exc:
                last_error = exc
            time.sleep(0.25)
        raise ServerError(
            f"The server did not answer on {self.url} within {STARTUP_TIMEOUT} s "
            f"(last error: {last_error}):\n{self.server_output()}"
        )

    def stop(self) -> None:
        """Terminate the server, then drop its database and data directory."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)  # `serve` stops granian itself
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                # The server runs in its own process group, which we created.
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None
        try:
            self._drop_database()
        finally:
            if self.data_dir is not None:
                shutil.rmtree(self.data_dir, ignore_errors=True)
                self.data_dir = None

    def __enter__(self) -> HosoServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


# The browser ------------------------------------------------------------------


# Assertions wait as long as actions do: under CI the other xdist worker may
# be running OCR on both cores, and a form post can take more than the
# default 5 s to come back.
expect.set_options(timeout=15_000)


def launch_chromium(playwright):
    """Debian's Chromium, never a downloaded browser."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def new_context(browser, base_url: str, **options):
    """A fresh browser context: Vietnamese browser, desktop window."""
    options.setdefault("viewport", DESKTOP)
    options.setdefault("locale", "vi-VN")
    context = browser.new_context(base_url=base_url, **options)
    context.set_default_timeout(15_000)
    return context


def sign_in(page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Fill the sign-in form and submit it (does not check the outcome)."""
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("#sign-in")


def sign_out(page) -> None:
    """Sign out through the user menu."""
    page.click("#user-menu")
    with page.expect_navigation(url=re.compile(r"/accounts/login/")):
        page.click("#sign-out")


# Fixtures --------------------------------------------------------------------

_REPORTS = pytest.StashKey[dict]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def hoso_server():
    """A running Hoso server with the small demo set (one per xdist worker)."""
    server = HosoServer()
    try:
        server.start()
    except ServerError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server
    finally:
        output = server.server_output()
        server.stop()
        ARTIFACTS_DIR.mkdir(exist_ok=True)
        (ARTIFACTS_DIR / f"server-{_worker()}.log").write_text(output)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def make_context(request, browser, hoso_server):
    """Open fresh browser contexts; on failure every open page is saved as a
    screenshot in tests/e2e/artifacts/."""
    contexts = []

    def factory(**options):
        context = new_context(browser, hoso_server.url, **options)
        contexts.append(context)
        return context

    yield factory

    report = request.node.stash.get(_REPORTS, {}).get("call")
    if report is None or report.failed:
        ARTIFACTS_DIR.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        for c_index, context in enumerate(contexts):
            for p_index, page in enumerate(context.pages):
                path = ARTIFACTS_DIR / f"{name}-{c_index}-{p_index}.png"
                try:
                    page.screenshot(path=str(path), full_page=True)
                except Exception as exc:  # a failure must not hide the first one
                    print(f"screenshot {path} failed: {exc}", file=sys.stderr)
    for context in contexts:
        context.close()


@pytest.fixture
def page(make_context):
    """A page in a fresh desktop context."""
    return make_context().new_page()


# Page helpers shared by the scenario tests ------------------------------------

DOCUMENT_URL = re.compile(r"/documents/(\d+)/$")


def user_page(make_context, username: str):
    """A signed-in page in a fresh browser context of its own."""
    page = make_context().new_page()
    sign_in(page, username)
    expect(page).to_have_url(re.compile(r"://[^/]+/$"))
    return page


def api_document(page, document_id: int) -> dict:
    """A document as the JSON API shows it to the page's user."""
    response = page.request.get(f"/api/v1/documents/{document_id}")
    assert response.ok, f"{response.status}: {response.text()}"
    return response.json()


def open_document_id(page) -> int:
    """The id of the document whose page is open."""
    expect(page).to_have_url(DOCUMENT_URL)
    return int(DOCUMENT_URL.search(page.url).group(1))


def expect_success(page) -> None:
    """The last request ended with a success message and no error."""
    messages = page.locator(".hoso-messages")
    expect(messages.locator(".alert-danger")).to_have_count(0)
    expect(messages.locator(".alert-success")).to_have_count(1)


def open_form(page, action: str):
    """Open an action's collapsed form on a document page; return it."""
    form = page.locator(f"[data-test=form-{action}]")
    expect(form).to_be_hidden()
    page.locator(f"[data-test=actions] [data-test=open-{action}]").click()
    expect(form).to_be_visible()
    return form


def submit_form(page, form, action: str) -> None:
    """Submit an action's form and wait for the next page."""
    with page.expect_navigation():
        form.locator(f"[data-test=submit-{action}]").click()
