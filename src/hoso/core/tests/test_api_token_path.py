"""API calls with a bearer token take the shorter middleware chain: same
security headers and language, no session, and the token alone decides
who is calling."""

import pytest
from django.test import Client

from hoso.accounts import services

SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Content-Language",
)


@pytest.fixture
def bearer(tree, make_user):
    user = make_user("secretary", tree["a"])
    plaintext = services.create_token(user, name="t", scopes=["read", "write"])[1]
    return user, {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def test_token_call_has_the_same_security_headers(client, tree, make_user, bearer):
    """The short chain sets what the full chain sets, and no cookie."""
    _user, headers = bearer
    fast = client.get("/api/v1/organizations", **headers)
    client.force_login(make_user("secretary", tree["b"]))
    full = client.get("/api/v1/organizations")
    assert fast.status_code == full.status_code == 200
    for name in SECURITY_HEADERS:
        assert fast[name] == full[name], name
    assert not fast.cookies
    assert "Cookie" not in fast.get("Vary", "")


def test_token_decides_who_calls_not_the_session(client, tree, make_user, bearer):
    """GIVEN a browser session of commune B's secretary
    WHEN the same request carries commune A's token, or a wrong token
    THEN the token's scope applies, and a wrong token is refused (the
    session is not a fallback)."""
    _user, headers = bearer
    client.force_login(make_user("secretary", tree["b"]))
    with_token = client.get("/api/v1/organizations", **headers)
    assert {item["id"] for item in with_token.json()["items"]} == {
        tree["a"].pk,
        tree["cell_a"].pk,
    }
    wrong = client.get("/api/v1/organizations", HTTP_AUTHORIZATION="Bearer hoso_x_y")
    assert wrong.status_code == 401
    session_only = client.get("/api/v1/organizations")
    assert {item["id"] for item in session_only.json()["items"]} == {
        tree["b"].pk,
        tree["cell_b"].pk,
    }


def test_token_call_speaks_the_chosen_language(client, bearer, settings):
    """Language comes from the cookie or the default, as on every page."""
    settings.LANGUAGE_CODE = "vi"
    _user, headers = bearer
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "bn"
    response = client.get("/api/v1/documents/0", **headers)
    assert response.status_code == 404
    assert response["Content-Language"] == "bn"
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert client.get("/api/v1/documents/0", **headers)["Content-Language"] == "vi"


def test_token_writes_are_audited_with_the_client_address(bearer, tree):
    """The client address middleware stays on the short chain."""
    from hoso.core.models import AuditEntry

    _user, headers = bearer
    response = Client(REMOTE_ADDR="203.0.113.9").patch(
        f"/api/v1/organizations/{tree['a'].pk}",
        {"name": "Đảng bộ xã An Mới"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="organizations.updated")
    assert entry.client_ip == "203.0.113.9"


def test_csp_header_follows_the_settings(client, bearer, settings):
    """The API's policy header is built once, and again when the policy
    setting changes."""
    _user, headers = bearer
    first = client.get("/api/v1/organizations", **headers)
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    second = client.get("/api/v1/organizations", **headers)
    assert first["Content-Security-Policy"] != second["Content-Security-Policy"]
    assert second["Content-Security-Policy"] == "default-src 'none'"
