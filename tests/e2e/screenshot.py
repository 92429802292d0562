"""Take docs/screenshot.png: the organization tree of a commune secretary.

Starts a server the way the end-to-end tests do (a throw-away data directory
with the small demo set; PostgreSQL when HOSO_DATABASE_URL says so), signs in
as bithu.nhatrang, opens one branch of the tree and saves a 1280×800 picture.

    .venv/bin/python tests/e2e/screenshot.py [output.png]
"""

from __future__ import annotations

import sys
from pathlib import Path

from conftest import DESKTOP, HosoServer, launch_chromium, new_context, sign_in
from playwright.sync_api import expect, sync_playwright

REPOSITORY = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = REPOSITORY / "docs" / "screenshot.png"


def take(output: Path) -> None:
    with HosoServer() as server, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            context = new_context(browser, server.url, viewport=DESKTOP)
            page = context.new_page()
            sign_in(page, "bithu.nhatrang")
            expect(page.locator("[data-test=my-organization]")).to_be_visible()
            page.goto("/organizations/")
            root = page.locator('li[data-test="node-KH-01"]')
            root.locator(":scope > [data-tree-toggle]").click()
            expect(root.locator('li[data-test="node-KH-01-G1"]')).to_be_visible()
            page.mouse.move(0, 0)
            output.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(output))
            context.close()
        finally:
            browser.close()


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT
    take(target)
    print(target)
