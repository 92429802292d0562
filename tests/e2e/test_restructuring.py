"""Merging a cell into another one: preview, confirm, the ended cell's page."""

import re

import pytest
from conftest import sign_in
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

# Two village cells of a commune no other browser test uses, so merging them
# changes nothing another test looks at.
SOURCE, TARGET = "KH-04-C3", "KH-04-C2"


def _organization(page, code: str) -> dict:
    response = page.request.get(f"/api/v1/organizations?q={code}")
    assert response.ok, response.text()
    (match,) = [item for item in response.json()["items"] if item["code"] == code]
    return match


def test_merge_a_cell_with_preview_and_confirmation(page):
    """GIVEN the administrator on a village cell's page
    WHEN they choose Restructure, merge into the neighbouring cell, preview
    THEN the counts appear without leaving the page,
    AND confirming leads to the successor's page with a success message,
    AND the merged cell's page says it ended and names its successor."""
    sign_in(page, "admin")
    source, target = _organization(page, SOURCE), _organization(page, TARGET)
    page.goto(f"/organizations/{source['id']}/")
    page.click("[data-test=restructure]")
    expect(page).to_have_url(
        re.compile(rf"/organizations/{source['id']}/restructure/$")
    )

    page.check("input[name=action][value=merge]")
    page.select_option("#id_target", str(target["id"]))
    with page.expect_response(re.compile(r"/restructure/$")):
        page.click("[data-test=preview]")
    preview = page.locator("[data-test=restructure-preview]")
    expect(preview).to_be_visible()
    expect(preview).to_contain_text(target["name"])
    expect(preview.locator("[data-count=members]")).to_have_text(re.compile(r"^\d+$"))
    expect(page).to_have_url(re.compile(r"/restructure/$"))

    with page.expect_navigation():
        page.click("[data-test=confirm]")
    expect(page).to_have_url(re.compile(rf"/organizations/{target['id']}/$"))
    expect(page.locator(".alert-success")).to_contain_text(source["name"])

    page.goto(f"/organizations/{source['id']}/")
    ended = page.locator("[data-test=ended]")
    expect(ended).to_be_visible()
    expect(ended.locator("a")).to_have_text(target["name"])
    expect(page.locator("[data-test=restructure]")).to_have_count(0)
