"""Sign-in, second factor, lockout, sessions, password policy, API tokens."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from hoso.accounts import services
from hoso.accounts.models import ApiToken
from hoso.core.choices import Secrecy
from hoso.core.models import AuditEntry

PASSWORD = "Str0ng-Passw0rd!"
LOGIN = "/accounts/login/"


def sign_in(client, user, password=PASSWORD):
    return client.post(LOGIN, {"username": user.username, "password": password})


def test_argon2_is_the_product_hasher():
    """The test suite prepends a fast hasher; the product's list starts with
    argon2."""
    from hoso.config import settings as product_settings

    assert product_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@pytest.mark.parametrize(
    "password", ["short1!", "12345678901", "alllowercaseletters", "password123"]
)
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_strong_password_passes():
    validate_password("Cay-lua-2026-xanh")


def test_sign_in_and_out_are_audited(client, tree, make_user):
    user = make_user("clerk", tree["a"])
    response = sign_in(client, user)
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="auth.login", actor=user).exists()
    client.post(reverse("accounts:logout"))
    assert AuditEntry.objects.filter(action="auth.logout", actor=user).exists()


def test_failed_sign_in_is_audited_without_password(client, tree, make_user):
    user = make_user("clerk", tree["a"])
    response = sign_in(client, user, "wrong-Passw0rd!")
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="auth.login_failed")
    assert entry.object_repr == user.username
    assert "wrong" not in str(entry.changes)


def test_lockout_after_repeated_failures(client, tree, make_user, settings):
    user = make_user("clerk", tree["a"])
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, user, "wrong-Passw0rd!")
    response = sign_in(client, user)
    assert response.status_code == 429
    assert b'data-test="locked-out"' in response.content
    assert "_auth_user_id" not in client.session


def test_cleared_user_must_enrol_totp(client, tree, make_user):
    """GIVEN a user with the Mật clearance WHEN they sign in with the password
    THEN every page sends them to enrol a TOTP device, and the API refuses."""
    user = make_user("secretary", tree["a"], clearance=Secrecy.SECRET)
    response = sign_in(client, user)
    assert response.url.startswith(reverse("accounts:otp-setup"))
    assert client.get("/").url.startswith(reverse("accounts:otp-setup"))
    assert client.get("/api/v1/organizations").status_code == 403
    # Creating an API token is not a way around the second factor.
    assert client.get(reverse("accounts:tokens")).status_code == 302


def test_totp_enrolment_then_verification(client, tree, make_user):
    user = make_user("secretary", tree["a"], clearance=Secrecy.SECRET)
    sign_in(client, user)
    client.get(reverse("accounts:otp-setup"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    bad = client.post(reverse("accounts:otp-setup"), {"token": "000000"})
    assert bad.status_code == 200 and bad.context["form"].errors
    ok = client.post(
        reverse("accounts:otp-setup"), {"token": str(totp(device.bin_key)).zfill(6)}
    )
    assert ok.status_code == 302
    assert client.get("/").status_code == 200
    assert AuditEntry.objects.filter(action="auth.totp_enrolled").exists()

    client.post(reverse("accounts:logout"))
    response = sign_in(client, user)
    assert response.url.startswith(reverse("accounts:otp-verify"))
    assert client.get("/").status_code == 302
    device.refresh_from_db()
    # A code from the next time step (django-otp refuses to replay a code).
    code = str(totp(device.bin_key, t0=-30)).zfill(6)
    client.post(reverse("accounts:otp-verify"), {"token": code})
    assert client.get("/").status_code == 200


def test_sessions_expire(settings):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_SAVE_EVERY_REQUEST
    assert 0 < settings.SESSION_COOKIE_AGE <= 8 * 3600


def test_security_headers(client, tree, make_user):
    client.force_login(make_user("clerk", tree["a"]))
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


# API tokens ----------------------------------------------------------------


def test_token_is_stored_hashed_and_authenticates(client, tree, make_user):
    user = make_user("secretary", tree["a"])
    token, plaintext = services.create_token(user, name="script", scopes=["read"])
    assert plaintext not in {token.digest, token.prefix}
    assert not ApiToken.objects.filter(digest__contains=plaintext[10:]).exists()
    response = client.get(
        "/api/v1/organizations", HTTP_AUTHORIZATION=f"Bearer {plaintext}"
    )
    assert response.status_code == 200
    assert {item["id"] for item in response.json()["items"]} == {
        tree["a"].pk,
        tree["cell_a"].pk,
    }


def test_read_token_cannot_write(client, tree, make_user):
    user = make_user("secretary", tree["a"])
    _token, plaintext = services.create_token(user, name="ro", scopes=["read"])
    response = client.patch(
        f"/api/v1/organizations/{tree['a'].pk}",
        {"name": "X"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {plaintext}",
    )
    assert response.status_code == 403


def test_write_token_can_write(client, tree, make_user):
    user = make_user("secretary", tree["a"])
    _token, plaintext = services.create_token(user, name="rw", scopes=["write"])
    response = client.patch(
        f"/api/v1/organizations/{tree['a'].pk}",
        {"name": "Đảng bộ xã An Mới"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {plaintext}",
    )
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="organizations.updated")
    assert entry.actor == user


def test_revoked_and_bad_tokens_are_refused(client, tree, make_user):
    user = make_user("secretary", tree["a"])
    token, plaintext = services.create_token(user, name="x", scopes=["read"])
    services.revoke_token(token, acting_user=user)
    for candidate in (plaintext, plaintext[:-2] + "xx", "nonsense"):
        response = client.get(
            "/api/v1/organizations", HTTP_AUTHORIZATION=f"Bearer {candidate}"
        )
        assert response.status_code == 401


def test_token_scopes_validated(tree, make_user):
    user = make_user("secretary", tree["a"])
    with pytest.raises(ValidationError):
        services.create_token(user, name="x", scopes=["admin"])


def test_token_api_shows_plaintext_once(client, tree, make_user):
    client.force_login(make_user("clerk", tree["a"]))
    response = client.post(
        "/api/v1/tokens",
        {"name": "ci", "scopes": ["read"], "expires_days": 30},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["token"].startswith("hoso_")
    listed = client.get("/api/v1/tokens").json()
    assert "token" not in listed[0]


def test_token_command_prints_a_working_token(client, tree, make_user, capsys):
    from django.core.management import call_command

    user = make_user("clerk", tree["a"])
    call_command("token", "create", user.username, "--scope", "read")
    plaintext = capsys.readouterr().out.strip()
    response = client.get("/api/v1/people/me", HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert response.status_code == 200
    assert response.json()["username"] == user.username


# Current position ----------------------------------------------------------


def test_choose_position(client, tree, make_user):
    from hoso.accounts.models import Position, Role

    user = make_user("member", tree["cell_a"])
    second = Position.objects.create(
        person=user.person, organization=tree["a"], role=Role.objects.get(code="clerk")
    )
    client.force_login(user)
    response = client.post(reverse("accounts:choose-position"), {"position": second.pk})
    assert response.status_code == 302
    home = client.get("/")
    assert home.context["current_position"] == second
    other = make_user("clerk", tree["b"]).person.positions.get()
    client.post(reverse("accounts:choose-position"), {"position": other.pk})
    assert client.get("/").context["current_position"] == second
