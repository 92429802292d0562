"""Platform shell: configuration, OpenAPI drift, pages, languages, demo data."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from hoso.core.management.commands.openapi import openapi_text

ROOT = Path(__file__).resolve().parents[4]


def test_committed_openapi_document_is_current():
    committed = (ROOT / "docs" / "openapi.json").read_text()
    assert committed == openapi_text(), (
        "run `make openapi` and commit docs/openapi.json"
    )


def test_openapi_is_served(client, tree, make_user):
    client.force_login(make_user("clerk", tree["a"]))
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert json.loads(response.content)["info"]["title"] == "Hoso API"
    assert client.get("/api/v1/docs").status_code == 200


def _run_settings(env_overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOSO_")}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**env, "DJANGO_SETTINGS_MODULE": "hoso.config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        ({}, "HOSO_SECRET_KEY"),
        ({"HOSO_SECRET_KEY": "s" * 50}, "HOSO_AUDIT_KEY"),
        (
            {"HOSO_SECRET_KEY": "s" * 50, "HOSO_AUDIT_KEY": "a" * 50},
            "HOSO_ALLOWED_HOSTS",
        ),
    ],
)
def test_production_refuses_to_start_without_secrets(tmp_path, given, missing):
    result = _run_settings(
        {"HOSO_PRODUCTION": "true", "HOSO_DATA_DIR": str(tmp_path), **given}
    )
    assert result.returncode != 0
    assert missing in result.stderr


def test_embedded_default_needs_no_configuration(tmp_path):
    result = _run_settings({"HOSO_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert (tmp_path / "audit.key").exists()


def test_bad_boolean_is_named(tmp_path):
    result = _run_settings({"HOSO_DATA_DIR": str(tmp_path), "HOSO_DEBUG": "maybe"})
    assert result.returncode != 0
    assert "HOSO_DEBUG" in result.stderr


def test_home_shows_organization_and_navigation_by_role(client, tree, make_user):
    from django.utils import translation

    def nav_urls():
        response = client.get("/")
        assert response.status_code == 200
        return response, {item["url"] for item in response.context["nav_items"]}

    client.force_login(make_user("member", tree["cell_a"]))
    response, urls = nav_urls()
    assert b'data-test="my-organization"' in response.content
    assert reverse("core:audit-list") not in urls
    assert reverse("accounts:person-list") not in urls
    assert reverse("organizations:tree") in urls
    client.force_login(make_user("secretary", tree["a"]))
    response, urls = nav_urls()
    assert {reverse("core:audit-list"), reverse("accounts:person-list")} <= urls
    with translation.override("vi"):
        labels = {str(item["label"]) for item in response.context["nav_items"]}
    assert "Tổ chức" in labels


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize(("code", "text"), [("vi", "Đăng nhập"), ("en", "Sign in")])
def test_language_switch(client, db, code, text):
    response = client.post(
        "/i18n/setlang/", {"language": code, "next": "/accounts/login/"}
    )
    assert response.status_code == 302
    page = client.get("/accounts/login/")
    assert f'lang="{code}"'.encode() in page.content
    assert text in page.content.decode()


def test_default_language_is_vietnamese(client, db, settings):
    settings.LANGUAGE_CODE = "vi"
    page = client.get("/accounts/login/")
    assert b'lang="vi"' in page.content


def test_audit_log_page_is_scoped(client, tree, make_user):
    from hoso.core import audit

    audit.record("test.a", organization=tree["a"], object_repr="in A")
    audit.record("test.b", organization=tree["b"], object_repr="in B")
    client.force_login(make_user("inspector", tree["a"]))
    response = client.get(reverse("core:audit-list"))
    reprs = {entry.object_repr for entry in response.context["table"].data}
    assert "in A" in reprs and "in B" not in reprs
    b_entry = audit.record("test.b2", organization=tree["b"])
    assert client.get(b_entry.get_absolute_url()).status_code == 404
    api = client.get("/api/v1/audit").json()
    assert {item["object_repr"] for item in api["items"]} >= {"in A"}
    assert "in B" not in {item["object_repr"] for item in api["items"]}


def test_members_cannot_read_the_audit_log(client, tree, make_user):
    client.force_login(make_user("member", tree["cell_a"]))
    response = client.get(reverse("core:audit-list"))
    assert list(response.context["table"].data) == []


def test_small_demo_has_every_role_in_two_communes(db):
    from hoso.accounts.models import Position
    from hoso.demo.small import DEMO_PASSWORD, build_small
    from hoso.organizations.models import Organization

    users = build_small(seed=1)
    assert Organization.objects.filter(level="commune").count() == 4
    roles_by_commune = {}
    for position in Position.objects.select_related("organization", "role"):
        org = position.organization
        commune = org if org.level == "commune" else org.parent
        roles_by_commune.setdefault(commune.code, set()).add(position.role.code)
    full = {
        "secretary",
        "deputy_secretary",
        "standing_member",
        "clerk",
        "specialist",
        "inspector",
        "administrator",
        "member",
    }
    assert sum(1 for roles in roles_by_commune.values() if full <= roles) >= 2
    assert all(user.password == DEMO_PASSWORD for user in users)
    # Deterministic: the same seed gives the same names (the meetings demo
    # appends its cell members, with fixed names, after these).
    names = [user.full_name for user in users]
    rebuilt = [user.full_name for user in _rebuild_names()]
    assert names[: len(rebuilt)] == rebuilt


def _rebuild_names():
    """The names build_small(seed=1) would pick, without touching the DB."""
    import random

    from hoso.demo import small

    rng = random.Random(1)
    users = []
    for _ in range(4 + 2 * (len(small.COMMUNE_ROLES) + 1)):
        users.append(type("U", (), {"full_name": small._name(rng)}))
        rng.randrange(10**7, 10**8)
    return users


def test_browser_language_does_not_override_vietnamese(client, db, settings):
    settings.LANGUAGE_CODE = "vi"
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert b'lang="vi"' in page.content
