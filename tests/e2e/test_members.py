"""Member records in the browser: admission to full membership, a transfer
between two communes, and a month of dues."""

import re
from datetime import date

import pytest
from conftest import sign_in
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def open_action(page, name: str) -> None:
    """Open a lifecycle action's accordion item and wait until it has
    finished opening (a click during the animation can miss its target)."""
    page.click(f"#open-{name}")
    expect(page.locator(f"#action-{name}")).to_have_class(
        re.compile(r"(^|\s)show(\s|$)")
    )


def submit_action(page, name: str) -> None:
    """Submit a lifecycle action's form and wait for the answer's page."""
    with page.expect_navigation():
        page.click(f"#submit-{name}")


def _months_ago(months: int) -> str:
    today = date.today()
    year, month = divmod(today.month - 1 - months, 12)
    return date(today.year + year, month + 1, min(today.day, 28)).isoformat()


@pytest.fixture
def page(make_context):
    """A browser asking for English (assertions read data attributes)."""
    return make_context(locale="en-US").new_page()


def test_admit_then_full_membership(page):
    """GIVEN the secretary of commune KH-01
    WHEN they admit an applicant introduced by two full members, 13 months ago,
    THEN the member page shows a probationary member with the admission on
    the timeline, AND after the cell's vote the member is a full member."""
    sign_in(page, "bithu.nhatrang")
    page.goto("/members/admit/")
    cell = page.locator(
        "#id_organization option", has_text=re.compile(r"^Chi bộ tổ dân phố")
    )
    cell_value = cell.first.get_attribute("value")
    page.select_option("#id_organization", cell_value)
    page.fill("#id_admitted_on", _months_ago(13))
    options = page.locator("#id_introducers option")
    page.select_option(
        "#id_introducers",
        [options.nth(0).get_attribute("value"), options.nth(1).get_attribute("value")],
    )
    page.fill("#id_full_name", "Trịnh Văn Khải")
    page.fill("#id_date_of_birth", "1996-04-12")
    page.select_option("#id_sex", "male")
    page.click("main form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/members/\d+/$"))
    expect(page.locator("#member-name")).to_have_text("Trịnh Văn Khải")
    expect(page.locator("#member-status")).to_have_attribute(
        "data-status", "probationary"
    )
    expect(page.locator("#timeline [data-kind=admitted]")).to_have_count(1)

    # The cell votes: more than half of its full members in favour.
    member_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    response = page.request.get(
        f"/api/v1/members?organization={cell_value}&status=full&page_size=500"
    )
    full_members = response.json()["count"]
    open_action(page, "vote")
    page.fill("#id_vote-votes_for", str(full_members))
    page.fill("#id_vote-votes_against", "0")
    submit_action(page, "vote")
    expect(page).to_have_url(re.compile(rf"/members/{member_id}/$"))
    expect(page.locator("#member-status")).to_have_attribute("data-status", "full")
    expect(page.locator("#timeline [data-kind=full_membership]")).to_have_count(1)


def test_transfer_between_two_communes(make_context):
    """GIVEN a full member of a cell of phường Nha Trang
    WHEN the Nha Trang secretary sends them to a cell of xã Diên Khánh
    THEN the Diên Khánh secretary finds them in the transfer inbox, receives
    them, and the member now belongs to the Diên Khánh cell; Nha Trang no
    longer sees the member."""
    origin = make_context(locale="en-US").new_page()
    sign_in(origin, "bithu.nhatrang")
    members = origin.request.get("/api/v1/members?status=full&page_size=50").json()
    member = members["items"][-1]
    origin.goto(f"/members/{member['id']}/")
    name = origin.locator("#member-name").inner_text()
    open_action(origin, "transfer")
    target = origin.locator(
        "#id_transfer-target option", has_text=re.compile(r"^Chi bộ.*xã Diên Khánh")
    ).first
    target_name = target.inner_text().strip()
    origin.select_option("#id_transfer-target", target.get_attribute("value"))
    submit_action(origin, "transfer")
    expect(origin.locator(".alert-success")).to_be_visible()
    expect(origin.locator("#member-name")).to_have_text(name)

    target_page = make_context(locale="en-US").new_page()
    sign_in(target_page, "bithu.dienkhanh")
    target_page.goto("/members/transfers/")
    row = target_page.locator(f"#incoming tr[data-member='{member['id']}']")
    expect(row).to_be_visible()
    row.locator("[data-action=receive]").click()
    expect(target_page.locator(".alert-success")).to_be_visible()
    expect(
        target_page.locator(f"#incoming tr[data-member='{member['id']}']")
    ).to_have_count(0)
    target_page.goto(f"/members/{member['id']}/")
    expect(target_page.locator("#member-name")).to_have_text(name)
    expect(target_page.locator("main")).to_contain_text(target_name)
    # The page is in Vietnamese: read the event's kind, not its label.
    expect(
        target_page.locator("#timeline [data-kind=transfer_received]")
    ).to_have_count(1)

    response = origin.goto(f"/members/{member['id']}/")
    assert response.status == 404


def test_a_month_of_dues(page):
    """GIVEN the current month, not yet collected
    WHEN the secretary opens the cell's dues sheet, ticks every member and
    records the dues THEN every row shows as paid and the paid total equals
    the total due."""
    sign_in(page, "bithu.nhatrang")
    page.goto("/members/dues/")
    cell = page.locator("#dues-org option", has_text=re.compile(r"^Chi bộ tổ dân phố"))
    page.select_option("#dues-org", cell.first.get_attribute("value"))
    page.click("main form button[type=submit]")
    expect(page.locator("#dues-table")).to_be_visible()
    boxes = page.locator("#dues-table input[type=checkbox]")
    count = boxes.count()
    assert count > 0
    for index in range(count):
        boxes.nth(index).check()
    page.click("#record-dues")
    expect(page.locator(".alert-success")).to_contain_text(str(count))
    expect(page.locator("#dues-table input[type=checkbox]")).to_have_count(0)
    due = page.locator("#total-due").inner_text()
    expect(page.locator("#total-paid")).to_have_text(due)
