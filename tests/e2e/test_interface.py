"""Language switch and the phone-sized layout."""

import re

import pytest
from conftest import PHONE, sign_in
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

SIGN_IN_LABEL = {"en": "Sign in", "bn": "সাইন ইন", "vi": "Đăng nhập"}


def _choose_language(page, code: str) -> None:
    with page.expect_navigation():
        page.select_option("select[data-test=language]", code)
    expect(page.locator("html")).to_have_attribute("lang", code)


def test_language_switch_on_sign_in_page(page):
    """GIVEN the sign-in page (a Vietnamese browser)
    WHEN another language is chosen in the footer
    THEN the page is in that language, the sign-in button included."""
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")

    for code in ("en", "bn", "vi"):
        _choose_language(page, code)
        expect(page).to_have_url(re.compile(r"/accounts/login/"))
        expect(page.locator("select[data-test=language]")).to_have_value(code)
        expect(page.locator("#sign-in")).to_have_text(SIGN_IN_LABEL[code])


def test_language_switch_after_sign_in(page):
    """GIVEN a signed-in secretary
    WHEN they choose another language in the navbar
    THEN the page is in that language and they stay on it, signed in."""
    sign_in(page, "bithu.nhatrang")
    expect(page.locator("[data-test=my-organization]")).to_be_visible()
    page.goto("/organizations/")

    for code in ("en", "bn", "vi"):
        _choose_language(page, code)
        expect(page).to_have_url(re.compile(r"/organizations/$"))
        expect(page.locator("[data-test=tree]")).to_be_visible()
        expect(page.locator("nav select[data-test=language]")).to_have_value(code)

    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("[data-test=my-organization]")).to_be_visible()


def test_home_on_a_phone_has_a_collapsed_menu(make_context):
    """GIVEN a phone-sized screen WHEN a secretary signs in
    THEN the home page fits the width, the menu is collapsed behind the
    toggler, AND the toggler opens it."""
    page = make_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    sign_in(page, "bithu.nhatrang")

    expect(page.locator("[data-test=my-organization]")).to_be_visible()
    toggler = page.locator(".navbar-toggler")
    expect(toggler).to_be_visible()
    expect(page.locator("#user-menu")).to_be_hidden()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"

    toggler.click()
    expect(page.locator("#user-menu")).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "true")
