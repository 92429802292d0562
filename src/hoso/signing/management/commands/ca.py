"""`hoso ca`: the internal certificate authority and imported certificates.

hoso ca init [--name NAME] [--untrusted]
hoso ca issue person USERNAME [--organization CODE] [--image PNG]
hoso ca issue organization CODE [--image PNG]
hoso ca import-p12 FILE --password PW (--person USERNAME | --organization CODE)
hoso ca trust FILE
hoso ca revoke FINGERPRINT
hoso ca list
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from hoso.signing import ca
from hoso.signing.models import Certificate


class Command(BaseCommand):
    help = "Manage the internal certificate authority and signing certificates."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        init = sub.add_parser("init", help="Create an internal CA.")
        init.add_argument("--name", default="Hoso", help="Deployment or body name.")
        init.add_argument(
            "--untrusted",
            action="store_true",
            help="Do not trust the new CA's signatures until `hoso ca trust`.",
        )

        issue = sub.add_parser("issue", help="Issue a certificate from the CA.")
        issue.add_argument("kind", choices=["person", "organization"])
        issue.add_argument("who", help="USERNAME of the person or organization CODE.")
        issue.add_argument(
            "--organization", help="For a person: the organization CODE to name."
        )
        issue.add_argument("--image", type=Path, help="Signature or seal PNG.")

        imp = sub.add_parser("import-p12", help="Import a PKCS#12 certificate.")
        imp.add_argument("file", type=Path)
        imp.add_argument("--password", default="")
        owner = imp.add_mutually_exclusive_group(required=True)
        owner.add_argument("--person", metavar="USERNAME")
        owner.add_argument("--organization", metavar="CODE")
        imp.add_argument("--image", type=Path, help="Signature or seal PNG.")

        trust = sub.add_parser("trust", help="Trust a root (PEM or DER file).")
        trust.add_argument("file", type=Path)

        revoke = sub.add_parser("revoke", help="Revoke a certificate.")
        revoke.add_argument("fingerprint", help="SHA-256 fingerprint (or a prefix).")

        sub.add_parser("list", help="List certificates.")

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"_{action.replace('-', '_')}")(**options)
        except (ca.CertificateError, ValidationError, OSError) as exc:
            message = "; ".join(getattr(exc, "messages", [])) or str(exc)
            raise CommandError(message) from exc

    def _show(self, certificate: Certificate) -> None:
        self.stdout.write(
            f"{certificate.fingerprint[:16]}  {certificate.kind:<13} "
            f"{certificate.subject_cn}  "
            f"{certificate.not_before:%Y-%m-%d}–{certificate.not_after:%Y-%m-%d}"
            f"{'  trusted' if certificate.trusted else ''}"
            f"{'  REVOKED' if certificate.revoked_at else ''}"
            f"{'  key' if certificate.has_private_key else ''}"
        )

    def _init(self, *, name, untrusted, **options):
        self._show(ca.init_internal_ca(name, trusted=not untrusted))

    def _issue(self, *, kind, who, organization, image, **options):
        image_bytes = image.read_bytes() if image else None
        if kind == "person":
            org = _organization(organization) if organization else None
            certificate = ca.issue_person_certificate(
                _person(who), organization=org, image=image_bytes
            )
        else:
            certificate = ca.issue_organization_certificate(
                _organization(who), image=image_bytes
            )
        self._show(certificate)

    def _import_p12(self, *, file, password, person, organization, image, **options):
        certificate = ca.import_pkcs12(
            file.read_bytes(),
            password,
            person=_person(person) if person else None,
            organization=_organization(organization) if organization else None,
            image=image.read_bytes() if image else None,
        )
        self._show(certificate)

    def _trust(self, *, file, **options):
        for root in ca.import_trust_roots(file.read_bytes()):
            self._show(root)

    def _revoke(self, *, fingerprint, **options):
        matches = list(
            Certificate.objects.filter(fingerprint__startswith=fingerprint.lower())[:2]
        )
        if len(matches) != 1:
            raise CommandError(f"No single certificate matches {fingerprint!r}.")
        self._show(ca.revoke_certificate(matches[0]))

    def _list(self, **options):
        for certificate in Certificate.objects.order_by("kind", "subject_cn"):
            self._show(certificate)


def _person(username: str):
    user = get_user_model().objects.filter(username=username).first()
    person = getattr(user, "person", None) if user else None
    if person is None:
        raise CommandError(f"No person with the user name {username!r}.")
    return person


def _organization(code: str):
    from hoso.organizations.models import Organization

    organization = Organization.objects.filter(code=code).first()
    if organization is None:
        raise CommandError(f"No organization with the code {code!r}.")
    return organization
