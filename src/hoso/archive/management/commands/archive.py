"""`hoso archive dedup|completeness|export|import|verify`: the archive's
upkeep from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from hoso.archive import completeness, handover, services
from hoso.documents.models import Document
from hoso.organizations.models import Organization


class Command(BaseCommand):
    help = (
        "dedup ORG_CODE: fingerprint an organization's archive and flag its "
        "duplicates; completeness ORG_CODE: print the completeness report; "
        "export: write chosen documents as a BagIt handover package; import: "
        "verify a package and register its records; verify: check a package "
        "without importing it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        dedup = actions.add_parser("dedup", help="Flag duplicates in an archive.")
        dedup.add_argument("organization", help="Organization code.")
        dedup.add_argument(
            "--threshold",
            type=float,
            default=services.DEFAULT_THRESHOLD,
            help="Least similarity of a near duplicate (default 0.8).",
        )
        dedup.add_argument(
            "--rebuild",
            action="store_true",
            help="Recompute every fingerprint (after a tokenizer change).",
        )
        report = actions.add_parser("completeness", help="Print the report.")
        report.add_argument("organization", help="Organization code.")
        report.add_argument("--user", required=True, help="Report as this user.")
        report.add_argument("--json", action="store_true", help="Print JSON.")
        export = actions.add_parser("export", help="Write a handover package.")
        export.add_argument("documents", nargs="+", type=int, help="Document ids.")
        export.add_argument("--user", required=True, help="Export as this user.")
        export.add_argument("--out", required=True, help="Directory for the bag.")
        export.add_argument("--zip", action="store_true", help="Also write a .zip.")
        importer = actions.add_parser("import", help="Import a handover package.")
        importer.add_argument("package", help="A bag directory or a .zip of one.")
        importer.add_argument("--organization", required=True, help="Receiving org.")
        importer.add_argument("--user", required=True, help="Import as this user.")
        verify = actions.add_parser("verify", help="Validate a bag directory.")
        verify.add_argument("package", help="A bag directory.")

    def handle(self, *args, action: str, **options) -> None:
        try:
            getattr(self, f"_{action}")(**options)
        except ValidationError as error:
            for message in error.messages:
                self.stderr.write(self.style.ERROR(message))
            sys.exit(1)
        except (PermissionDenied, Document.DoesNotExist):
            raise CommandError(
                _("The user may not do this with these records.")
            ) from None

    def _organization(self, code: str) -> Organization:
        organization = Organization.objects.filter(code=code).first()
        if organization is None:
            raise CommandError(_("No organization has the code %s.") % code)
        return organization

    def _user(self, username: str):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("No user is called %s.") % username)
        return user

    def _dedup(self, *, organization: str, threshold: float, rebuild: bool, **_o):
        result = services.scan_organization(
            self._organization(organization), threshold=threshold, rebuild=rebuild
        )
        self.stdout.write(
            _(
                "%(documents)d documents, %(fingerprinted)d fingerprinted, "
                "%(flags)d new duplicate flags."
            )
            % {
                "documents": result.documents,
                "fingerprinted": result.fingerprinted,
                "flags": result.flags_created,
            }
        )

    def _completeness(self, *, organization: str, user: str, json: bool, **_o):
        org = self._organization(organization)
        reader = self._user(user)
        if not completeness.may_view(reader, org):
            raise PermissionDenied
        report = completeness.completeness_report(org, user=reader)
        from hoso.archive.api import CompletenessOut

        data = CompletenessOut.from_report(report).model_dump(mode="json")
        if json:
            self.stdout.write(_dump(data))
            return
        self.stdout.write(f"{org.code} {org.name}")
        self.stdout.write(
            _("Documents: %(documents)d, with files: %(files)d, pages: %(pages)d")
            % {
                "documents": report.documents,
                "files": report.with_files,
                "pages": report.pages,
            }
        )
        self.stdout.write(
            _("Awaiting review: %(count)d") % {"count": report.awaiting_review}
        )
        for row in report.rows:
            self.stdout.write(f"  {row.year}\t{row.doc_type}\t{row.total}")
        for register in report.registers_with_gaps:
            self.stdout.write(f"  {register.label}: {register.text}")

    def _export(self, *, documents, user: str, out: str, zip: bool, **_o):
        dest = Path(out)
        dest.mkdir(parents=True, exist_ok=True)
        package = handover.export_package(
            documents, acting_user=self._user(user), dest_dir=dest
        )
        self.stdout.write(str(package.bag_path))
        if package.skipped:
            self.stdout.write(
                _("Left out (classified): %(ids)s")
                % {"ids": ", ".join(str(item["id"]) for item in package.skipped)}
            )
        if zip:
            target = package.bag_path.with_suffix(".zip")
            with target.open("wb") as handle:
                handover.zip_bag(package.bag_path, handle)
            self.stdout.write(str(target))

    def _import(self, *, package: str, organization: str, user: str, **_o):
        org = self._organization(organization)
        actor = self._user(user)
        path = Path(package)
        if path.is_file():
            with path.open("rb") as handle:
                created = handover.import_zip(
                    handle, organization=org, acting_user=actor
                )
        else:
            created = handover.import_bag(path, organization=org, acting_user=actor)
        self.stdout.write(
            _("Imported %(count)d records: %(ids)s")
            % {
                "count": len(created),
                "ids": ", ".join(str(document.pk) for document in created),
            }
        )

    def _verify(self, *, package: str, **_o):
        description = handover.describe_bag(package)
        self.stdout.write(self.style.SUCCESS(_("OK: every checksum matches.")))
        self.stdout.write(_dump(description))


def _dump(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)
