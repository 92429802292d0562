"""The operations centre end to end: a task assigned down two levels
(commune leadership → its deputy → a cell), progress reported with an
evidence file, results handed in and accepted; and a red light on the live
dashboard that clears, without reloading, when another user enters data.

Every user works in their own browser context; ids come from the JSON API
with the browser's session, statuses are read from `data-test` hooks.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from conftest import sign_in
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

TASK_URL = re.compile(r"/operations/tasks/(\d+)/$")


def _user_page(make_context, username: str):
    page = make_context().new_page()
    sign_in(page, username)
    expect(page).to_have_url(re.compile(r"://[^/]+/$"))
    return page


def _person_id(page) -> int:
    response = page.request.get("/api/v1/people/me")
    assert response.ok, response.text()
    return response.json()["id"]


def _organization_id(page, code: str) -> int:
    response = page.request.get("/api/v1/organizations", params={"q": code})
    assert response.ok, response.text()
    return next(o["id"] for o in response.json()["items"] if o["code"] == code)


def _api_task(page, task_id: int) -> dict:
    response = page.request.get(f"/api/v1/tasks/{task_id}")
    assert response.ok, response.text()
    return response.json()


def _fill_task(page, *, title, organization, lead, coordinator, authority, deadline):
    page.fill("#id_title", title)
    page.select_option("#id_organization", str(organization))
    page.select_option("#id_lead", str(lead))
    page.fill("#id_description", "Rà soát, cập nhật hồ sơ đảng viên lên hệ thống.")
    page.fill("#id_deadline", deadline.isoformat())
    page.select_option("#id_coordinators", [str(coordinator)])
    page.fill("#id_product", "Danh sách hồ sơ đã cập nhật")
    page.select_option("#id_authority", str(authority))
    with page.expect_navigation():
        page.click('[data-test="assign"]')


def test_task_down_two_levels_progress_and_acceptance(make_context, tmp_path):
    secretary = _user_page(make_context, "bithu.nhatrang")
    deputy = _user_page(make_context, "phobithu.nhatrang")
    cell = _user_page(make_context, "dangvien.nhatrang")
    ids = {
        "secretary": _person_id(secretary),
        "deputy": _person_id(deputy),
        "cell": _person_id(cell),
    }
    specialist = _user_page(make_context, "chuyenvien.nhatrang")
    ids["specialist"] = _person_id(specialist)
    commune = _organization_id(secretary, "KH-01")
    cell_org = _organization_id(secretary, "KH-01-C1")
    deadline = date.today() + timedelta(days=20)

    # Level 1: the commune secretary assigns; the six clears are checked.
    secretary.goto("/operations/tasks/add/")
    with secretary.expect_navigation():
        secretary.click('[data-test="assign"]')
    expect(secretary.locator('[data-test="error-lead"]')).to_be_visible()
    _fill_task(
        secretary,
        title="Cập nhật hồ sơ đảng viên năm 2026",
        organization=commune,
        lead=ids["deputy"],
        coordinator=ids["specialist"],
        authority=ids["secretary"],
        deadline=deadline,
    )
    expect(secretary).to_have_url(TASK_URL)
    parent_id = int(TASK_URL.search(secretary.url).group(1))

    # Level 2: the lead splits it for a cell.
    deputy.goto(f"/operations/tasks/{parent_id}/")
    deputy.click('[data-test="add-subtask"]')
    _fill_task(
        deputy,
        title="Cập nhật hồ sơ đảng viên — chi bộ tổ dân phố 1",
        organization=cell_org,
        lead=ids["cell"],
        coordinator=ids["specialist"],
        authority=ids["deputy"],
        deadline=deadline - timedelta(days=5),
    )
    expect(deputy).to_have_url(TASK_URL)
    sub_id = int(TASK_URL.search(deputy.url).group(1))
    assert _api_task(deputy, sub_id)["parent"] == parent_id

    # The cell reports progress with an evidence file, then hands in.
    evidence = tmp_path / "danh-sach.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    cell.goto(f"/operations/tasks/{sub_id}/")
    form = cell.locator('[data-test="progress-form"]')
    form.locator("textarea").fill("Đã cập nhật 18/30 hồ sơ.")
    form.locator('input[name="progress"]').fill("60")
    form.locator('input[type="file"]').set_input_files(str(evidence))
    with cell.expect_navigation():
        form.locator('button[type="submit"]').click()
    expect(cell.locator('[data-test="progress"]')).to_have_text("60%")
    expect(cell.locator('[data-test="timeline"]')).to_contain_text("danh-sach.pdf")
    submit = cell.locator('[data-test="submit-form"]')
    submit.locator("textarea").fill("Hoàn thành 30/30 hồ sơ.")
    with cell.expect_navigation():
        submit.locator('button[type="submit"]').click()
    assert _api_task(cell, sub_id)["status"] == "submitted"

    # The deputy accepts the cell's result and hands in the commune's.
    deputy.goto(f"/operations/tasks/{sub_id}/")
    with deputy.expect_navigation():
        deputy.click('[data-test="accept"]')
    assert _api_task(deputy, sub_id)["status"] == "accepted"
    deputy.goto(f"/operations/tasks/{parent_id}/")
    deputy.locator('[data-test="submit-form"] textarea').fill("Toàn xã đã cập nhật.")
    with deputy.expect_navigation():
        deputy.locator('[data-test="submit-form"] button[type="submit"]').click()

    # The secretary, the accepting authority, accepts.
    secretary.goto(f"/operations/tasks/{parent_id}/")
    expect(secretary.locator('[data-test="subtask"]')).to_have_count(1)
    with secretary.expect_navigation():
        secretary.click('[data-test="accept"]')
    task = _api_task(secretary, parent_id)
    assert task["status"] == "accepted" and task["progress"] == 100
    # The lead was notified of the new task in-app.
    deputy.goto("/notifications/")
    expect(deputy.locator("body")).to_contain_text("Cập nhật hồ sơ đảng viên năm 2026")


def test_red_light_clears_on_the_live_dashboard(make_context):
    secretary = _user_page(make_context, "bithu.nhatrang")
    specialist = _user_page(make_context, "chuyenvien.nhatrang")
    indicators = secretary.request.get("/api/v1/indicators").json()["items"]
    indicator = next(i for i in indicators if i["code"] == "cell-meetings-online")
    commune = _organization_id(secretary, "KH-01")
    cell = _organization_id(secretary, "KH-01-C1")
    today = date.today().isoformat()

    # The cell's current value is red.
    response = specialist.request.post(
        f"/api/v1/indicators/{indicator['id']}/values",
        data={"organization": cell, "period_start": today, "value": 10},
        headers={"X-CSRFToken": _csrf(specialist)},
    )
    assert response.status == 201, response.text()
    secretary.goto(f"/operations/dashboard/{commune}/?indicator={indicator['id']}")
    row = secretary.locator(f'[data-test="child-{cell}"] [data-light]')
    expect(row).to_have_attribute("data-light", "danger")

    # Another user enters the new figure through the indicator page…
    specialist.goto(f"/operations/indicators/{indicator['id']}/")
    form = specialist.locator('[data-test="value-form"]')
    form.locator("#id_organization").select_option(str(cell))
    form.locator("#id_period_start").fill(today)
    form.locator("#id_value").fill("96")
    with specialist.expect_navigation():
        form.locator('[data-test="save-value"]').click()

    # …and the open dashboard turns green by itself (htmx polling).
    expect(row).to_have_attribute("data-light", "success", timeout=15_000)
    secretary.goto(f"/operations/dashboard/{cell}/?indicator={indicator['id']}")
    expect(secretary.locator('[data-test="node-light"]')).to_have_attribute(
        "data-light", "success"
    )


def _csrf(page) -> str:
    page.goto("/")
    return page.locator("body").get_attribute("data-csrf-token")
