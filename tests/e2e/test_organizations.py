"""Browsing the organization tree within one's scope."""

import re

import pytest
from conftest import sign_in
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

NHA_TRANG = "Đảng bộ phường Nha Trang"


def _organization_id(make_context, code: str) -> int:
    """The id of an organization, looked up through the API as the admin."""
    admin = make_context().new_page()
    sign_in(admin, "admin")
    response = admin.request.get(f"/api/v1/organizations?q={code}")
    assert response.ok, response.text()
    body = response.json()
    assert body["count"] >= 1, body
    (match,) = [item for item in body["items"] if item["code"] == code]
    admin.context.close()
    return match["id"]


def test_tree_shows_own_commune_only_and_opens_branches(page, make_context):
    """GIVEN the secretary of commune KH-01
    WHEN they open the organization tree
    THEN their commune is the only root and the other commune is absent,
    AND opening the branch loads its children, AND a child opens its page
    with breadcrumbs, AND the other commune's page answers 404."""
    other_id = _organization_id(make_context, "KH-02")
    sign_in(page, "bithu.nhatrang")
    page.goto("/organizations/")

    tree = page.locator("[data-test=tree]")
    expect(tree).to_be_visible()
    expect(tree.locator(":scope > li")).to_have_count(1)
    root = tree.locator('li[data-test="node-KH-01"]')
    expect(root).to_be_visible()
    expect(root.locator(":scope > a")).to_have_text(NHA_TRANG)
    expect(page.locator('li[data-test="node-KH-02"]')).to_have_count(0)

    # Open the branch: htmx loads the children.
    toggle = root.locator(":scope > [data-tree-toggle]")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    child = root.locator('li[data-test="node-KH-01-G1"]')
    expect(child).to_have_count(0)
    with page.expect_response(re.compile(r"/organizations/\d+/children/")):
        toggle.click()
    expect(child).to_be_visible()
    expect(root.locator("li[data-test^=node-KH-01-]")).to_have_count(5)
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator('li[data-test="node-KH-02"]')).to_have_count(0)

    # Closing and reopening a loaded branch works without a new request.
    toggle.click()
    expect(child).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(child).to_be_visible()

    link = child.locator(":scope > a")
    child_name = link.inner_text().strip()
    link.click()
    expect(page).to_have_url(re.compile(r"/organizations/\d+/$"))
    expect(page.locator("h1")).to_have_text(child_name)
    crumbs = page.locator(".breadcrumb .breadcrumb-item")
    expect(crumbs).to_have_count(3)
    expect(crumbs.nth(1)).to_have_text(NHA_TRANG)
    expect(crumbs.nth(2)).to_have_text(child_name)
    expect(crumbs.nth(2)).to_have_attribute("aria-current", "page")

    # Back up the breadcrumb to the commune.
    crumbs.nth(1).locator("a").click()
    expect(page.locator("h1")).to_have_text(NHA_TRANG)

    # Another commune is outside the scope: 404, on the page and in the API.
    response = page.goto(f"/organizations/{other_id}/")
    assert response.status == 404
    api = page.request.get(f"/api/v1/organizations/{other_id}")
    assert api.status == 404
