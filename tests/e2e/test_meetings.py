"""Paperless meetings and the member handbook, end to end.

A cell meeting from invitation to signed minutes: the cell's secretary
(`dangvien.nhatrang`, who also holds the cell secretary's position and a
signing certificate in the demo set) schedules it, a member accepts the
invitation, shows their QR code, is checked in at the secretary's desk,
votes by secret ballot while the room screen updates by itself, and the
secretary closes the vote and the meeting, drafts the minutes in one
action, approves and signs them.

The handbook on a phone: a member opens the library, reads Resolution 57,
bookmarks it, goes offline and reloads the page: the service worker serves
the copy opened before.
"""

from __future__ import annotations

import re
import time
import uuid
from datetime import datetime, timedelta

import pytest
from conftest import DEMO_PASSWORD, PHONE, sign_in
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

CELL = "Chi bộ tổ dân phố 1, phường Nha Trang"
MEETING_URL = re.compile(r"/meetings/(\d+)/$")


def _user_page(make_context, username: str, **options):
    page = make_context(**options).new_page()
    sign_in(page, username)
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    return page


def _expect_success(page) -> None:
    messages = page.locator(".hoso-messages")
    expect(messages.locator(".alert-danger")).to_have_count(0)
    expect(messages.locator(".alert-success")).to_have_count(1)


def _post_click(page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).click()


def test_cell_meeting_from_invitation_to_signed_minutes(make_context):
    """GIVEN the cell secretary and a member of the cell
    WHEN the secretary schedules a meeting, the member accepts and is
    checked in by QR code, votes by secret ballot, and the secretary closes
    the vote and the meeting, drafts, approves and signs the minutes
    THEN every step shows on the pages, the room screen follows the vote
    without a reload, and the minutes are a signed PDF."""
    marker = uuid.uuid4().hex[:6]
    title = f"Sinh hoạt chi bộ chuyên đề {marker}"
    secretary = _user_page(make_context, "dangvien.nhatrang")
    me = secretary.request.get("/api/v1/people/me").json()

    # Scheduling: the cell's people are invited.
    secretary.goto("/meetings/add/")
    secretary.select_option("#id_organization", label=CELL)
    secretary.select_option("#id_kind", "cell")
    secretary.fill("#id_title", title)
    starts = datetime.now() + timedelta(days=2)
    secretary.fill("#id_starts_at", starts.strftime("%Y-%m-%dT%H:%M"))
    secretary.fill(
        "#id_ends_at", (starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    )
    secretary.fill("#id_location", "Nhà văn hóa tổ dân phố 1")
    secretary.select_option("#id_chair", str(me["id"]))
    with secretary.expect_navigation(url=MEETING_URL):
        secretary.click("main button[type=submit]")
    _expect_success(secretary)
    meeting_id = int(MEETING_URL.search(secretary.url).group(1))
    expect(secretary.locator("[data-test=meeting-title]")).to_have_text(title)
    participants = secretary.request.get(
        f"/api/v1/meetings/{meeting_id}/participants"
    ).json()
    assert len(participants) == 5, participants

    # The agenda, with a document published to the participants in advance.
    secretary.fill(
        "[data-test=agenda-form] input[name=title]", "Quán triệt Nghị quyết 57-NQ/TW"
    )
    _post_click(secretary, "[data-test=add-item]")
    secretary.locator("[data-test=agenda] details summary").first.click()
    document_select = secretary.locator(
        "[data-test=agenda] select[name=document]"
    ).first
    document_select.select_option(index=1)
    _post_click(secretary, "[data-test=attach]")
    _post_click(secretary, "[data-test=publish]")
    _expect_success(secretary)
    expect(secretary.locator("[data-test=late-flag]")).to_have_count(0)

    # The member accepts and sees the published document.
    member = _user_page(make_context, "dangvien2.nhatrang")
    member.goto(f"/meetings/{meeting_id}/")
    expect(member.locator("[data-test=agenda-document]")).to_have_count(1)
    _post_click(member, "[data-test=accept]")
    expect(member.locator("[data-test=invitation-status]")).to_have_text(
        re.compile(".")
    )
    answered = [
        p
        for p in member.request.get(
            f"/api/v1/meetings/{meeting_id}/participants"
        ).json()
        if p["invitation"] == "accepted"
    ]
    assert len(answered) == 1, answered
    member_person = answered[0]["person_id"]

    # The meeting starts; the member shows their QR code at the desk.
    _post_click(secretary, "[data-test=start]")
    member.goto(f"/meetings/{meeting_id}/my-code/")
    expect(member.locator("[data-test=qr] svg")).to_be_visible()
    token = member.locator("[data-test=qr-token]").text_content().strip()
    assert token
    secretary.goto(f"/meetings/{meeting_id}/checkin/")
    secretary.fill("[data-test=checkin-token]", token)
    secretary.click("[data-test=checkin-submit]")
    expect(secretary.locator("[data-test=checked-in]")).to_be_visible()
    # The field is ready for the next code; a forged code is refused.
    expect(secretary.locator("[data-test=checkin-token]")).to_have_value("")
    secretary.fill("[data-test=checkin-token]", token[:-3] + "abc")
    secretary.click("[data-test=checkin-submit]")
    expect(
        secretary.locator("[data-test=checkin-result] .alert-danger")
    ).to_be_visible()
    secretary.goto(f"/meetings/{meeting_id}/")
    expect(
        secretary.locator(f"[data-test=attendance-{member_person}]")
    ).to_contain_text(re.compile("."))
    present = [
        p
        for p in secretary.request.get(
            f"/api/v1/meetings/{meeting_id}/participants"
        ).json()
        if p["attendance"] == "present"
    ]
    assert [(p["person_id"], p["checkin_method"]) for p in present] == [
        (member_person, "qr")
    ]

    # A secret ballot.
    secretary.locator("[data-test=votes]").locator("..").locator(
        "details summary"
    ).click()
    form = secretary.locator("[data-test=vote-form]")
    form.locator("#id_question").fill(f"Thông qua nghị quyết chuyên đề {marker}")
    form.locator("#id_kind").select_option("yes_no")
    form.locator("#id_secret").check()
    form.locator("#id_quorum_percent").fill("10")
    _post_click(secretary, "[data-test=create-vote]")
    _post_click(secretary, "[data-test=open-vote]")
    vote_url = secretary.url

    # The room screen, opened before anyone votes, follows by itself.
    screen = make_context().new_page()
    sign_in(screen, "dangvien.nhatrang")
    screen.goto(f"/meetings/{meeting_id}/screen/")
    # A secret ballot shows turnout while open, never the counts.
    expect(screen.locator("[data-test=turnout]")).to_contain_text("0 ")
    expect(screen.locator("[data-test=secret-pending]")).to_be_visible()
    expect(screen.locator("[data-test=count-yes]")).to_have_count(0)
    expect(screen.locator("[data-test=screen-present]")).to_have_text("1 / 5")

    member.goto(vote_url)
    _post_click(member, "[data-test=choice-yes]")
    expect(member.locator("[data-test=voted]")).to_be_visible()
    expect(member.locator("[data-test=ballot]")).to_have_count(0)
    expect(screen.locator("[data-test=turnout]")).to_contain_text("1 ", timeout=10_000)

    _post_click(secretary, "[data-test=close-vote]")
    expect(secretary.locator("[data-test=outcome]")).to_be_visible()

    # Closing, then the minutes in one action; approved and signed.
    secretary.goto(f"/meetings/{meeting_id}/")
    _post_click(secretary, "[data-test=close]")
    secretary.goto(f"/meetings/{meeting_id}/minutes/")
    _post_click(secretary, "[data-test=generate-minutes]")
    text = secretary.locator("[data-test=minutes-text]")
    expect(text).to_contain_text("Quán triệt Nghị quyết 57-NQ/TW")
    expect(text).to_contain_text(f"Thông qua nghị quyết chuyên đề {marker}")
    text.fill(text.input_value() + "\nThư ký ghi bổ sung.\n")
    _post_click(secretary, "[data-test=save-minutes]")
    _post_click(secretary, "[data-test=approve-minutes]")
    secretary.fill("[data-test=sign-password]", DEMO_PASSWORD)
    _post_click(secretary, "[data-test=sign-minutes]")
    _expect_success(secretary)
    expect(secretary.locator("[data-test=signed]")).to_be_visible()
    minutes = secretary.request.get(f"/api/v1/meetings/{meeting_id}/minutes").json()
    assert minutes["status"] == "signed", minutes
    assert "Thư ký ghi bổ sung." in minutes["text"]
    assert "secret ballot" in minutes["text"] or "bỏ phiếu kín" in minutes["text"]
    pdf = secretary.request.get(f"/meetings/{meeting_id}/minutes/pdf/")
    assert pdf.headers["content-type"] == "application/pdf"
    body = pdf.body()
    assert body.startswith(b"%PDF") and b"/ByteRange" in body
    # The member reads the signed minutes too.
    assert member.request.get(f"/meetings/{meeting_id}/minutes/pdf/").body() == body


def test_handbook_on_a_phone_reads_offline(make_context):
    """GIVEN a member on a phone-sized screen
    WHEN they open Resolution 57 in the handbook's library, bookmark it,
    then lose the network and reload
    THEN the page is served from the phone's copy; their profile, dues
    state and meetings show too."""
    context = make_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    sign_in(page, "dangvien2.nhatrang")
    page.goto("/handbook/")
    # The service worker takes control of the page.
    # (Polled from here: wait_for_function evaluates a string, which the
    # page's CSP rightly forbids.)
    deadline = time.monotonic() + 15
    while not page.evaluate("navigator.serviceWorker.controller !== null"):
        assert time.monotonic() < deadline, "the service worker never took control"
        page.wait_for_timeout(200)
    manifest = page.request.get("/manifest.webmanifest").json()
    assert manifest["display"] == "standalone" and manifest["icons"]

    page.goto("/handbook/profile/")
    expect(page.locator("[data-test=member-card]")).to_be_visible()
    page.goto("/handbook/dues/")
    expect(page.locator("[data-test=dues-unavailable]")).to_be_visible()
    page.goto("/handbook/meetings/")
    expect(page.locator("[data-test=hb-meetings] a").first).to_be_visible()

    page.goto("/handbook/library/")
    page.fill("[data-test=hb-search]", "nghi quyet 57")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    entry = page.locator("[data-test=hb-entry]").first
    expect(entry).to_contain_text("57")
    with page.expect_navigation():
        entry.click()
    title = page.locator("[data-test=hb-entry-title]").text_content()
    _post_click(page, "[data-test=hb-bookmark]")
    expect(page.locator("[data-test=hb-bookmark] .bi-bookmark-fill")).to_be_visible()
    text = page.locator("[data-test=hb-document-text]").text_content()
    assert text.strip()
    # The page width fits the phone: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    context.set_offline(True)
    page.reload()
    expect(page.locator("[data-test=hb-entry-title]")).to_have_text(title)
    expect(page.locator("[data-test=hb-document-text]")).to_have_text(text)
    expect(page.locator("[data-test=offline-badge]")).to_be_visible()
    # A page never opened is the offline notice, not a browser error.
    page.goto("/handbook/study/add/")
    expect(page.locator("h1")).to_contain_text(
        re.compile("offline|ngoại tuyến|Offline", re.I)
    )
    context.set_offline(False)
