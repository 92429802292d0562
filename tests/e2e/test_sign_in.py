"""Signing in and out: password only, a second factor (TOTP), lockout."""

import re
import time

import pytest
from conftest import DEMO_PASSWORD, sign_in, sign_out, totp_code, totp_step
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

LOGIN = re.compile(r"/accounts/login/")
HOME = re.compile(r"://[^/]+/$")


def test_secretary_signs_in_sees_their_commune_and_signs_out(page):
    """GIVEN the secretary of a commune (no clearance)
    WHEN they sign in with their password
    THEN the home page shows the organization they act for,
    AND signing out through the user menu returns to the sign-in page."""
    sign_in(page, "bithu.nhatrang")

    expect(page).to_have_url(HOME)
    card = page.locator("[data-test=my-organization]")
    expect(card).to_be_visible()
    expect(card).to_contain_text("Đảng bộ phường Nha Trang")
    expect(card).to_contain_text("KH-01")

    sign_out(page)
    expect(page.locator("#sign-in")).to_be_visible()
    # Signed out for real: the home page sends us back to sign in.
    page.goto("/")
    expect(page).to_have_url(LOGIN)


def test_wrong_password_is_refused_and_stays_on_sign_in(page):
    """GIVEN a demo user WHEN they type a wrong password
    THEN the sign-in page shows an error and nobody is signed in."""
    sign_in(page, "phobithu.nhatrang", "not-the-password")

    expect(page).to_have_url(LOGIN)
    expect(page.locator("[data-test=login-error]")).to_be_visible()
    expect(page.locator("#id_username")).to_have_value("phobithu.nhatrang")
    page.goto("/")
    expect(page).to_have_url(LOGIN)


def _other_code(secret: str, around: int) -> str:
    """A code that is valid for none of the steps near `around`."""
    valid = {totp_code(secret, step) for step in range(around - 3, around + 4)}
    candidate = int(totp_code(secret, around))
    while f"{candidate:06d}" in valid:
        candidate = (candidate + 1) % 1_000_000
    return f"{candidate:06d}"


def test_cleared_user_enrols_totp_then_needs_a_code(page):
    """GIVEN the province secretary, whose clearance requires a second factor
    WHEN they sign in for the first time
    THEN they must enrol an authenticator before anything else,
    AND a later sign-in asks for a code, refuses a wrong one, accepts a new one."""
    sign_in(page, "bithu.tinh")
    expect(page).to_have_url(re.compile(r"/accounts/otp/setup/"))
    # Every other page holds them at the enrolment step.
    page.goto("/organizations/")
    expect(page).to_have_url(re.compile(r"/accounts/otp/setup/"))

    secret = page.locator("[data-test=totp-secret]").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]+=*", secret), secret
    enrolled_step = totp_step()
    page.fill("input[name=token]", totp_code(secret, enrolled_step))
    with page.expect_navigation():
        page.click("#confirm-totp")
    expect(page).to_have_url(HOME)
    expect(page.locator("[data-test=my-organization]")).to_contain_text("KH")

    sign_out(page)
    sign_in(page, "bithu.tinh")
    expect(page).to_have_url(re.compile(r"/accounts/otp/\?"))
    page.goto("/")  # not without the code
    expect(page).to_have_url(re.compile(r"/accounts/otp/"))

    page.fill("input[name=token]", _other_code(secret, totp_step()))
    with page.expect_navigation():
        page.click("#verify")
    expect(page).to_have_url(re.compile(r"/accounts/otp/"))
    expect(page.locator(".invalid-feedback")).to_be_visible()
    expect(page.locator("[data-test=my-organization]")).to_have_count(0)

    # django-otp throttles a device for 1 s after one failure.
    time.sleep(1.5)
    # The enrolment step's code was used; django-otp refuses replays. The next
    # step's code is within the device's tolerance of one step, so no waiting.
    step = max(enrolled_step + 1, totp_step())
    page.fill("input[name=token]", totp_code(secret, step))
    with page.expect_navigation():
        page.click("#verify")
    expect(page).to_have_url(HOME)
    expect(page.locator("[data-test=my-organization]")).to_be_visible()


def test_five_wrong_passwords_lock_the_account(page):
    """GIVEN a clerk (no other test signs in with this account)
    WHEN five wrong passwords are typed for their username
    THEN the account is locked, AND even the right password is refused."""
    for attempt in range(1, 6):
        sign_in(page, "vanthu.dienkhanh", f"wrong-password-{attempt}")
        if attempt < 5:
            expect(page.locator("[data-test=login-error]")).to_be_visible()
            expect(page.locator("[data-test=locked-out]")).to_have_count(0)
    expect(page.locator("[data-test=locked-out]")).to_be_visible()

    sign_in(page, "vanthu.dienkhanh", DEMO_PASSWORD)
    expect(page.locator("[data-test=locked-out]")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(LOGIN)
