"""`hoso demo [--scale small|province|national] [--seed N]`."""

from django.core.management.base import BaseCommand, CommandError

from hoso.organizations.models import Organization


def print_users(stdout, users) -> None:
    """A table of demo users and their passwords (role names in Vietnamese)."""
    from django.conf import settings
    from django.utils import translation

    stdout.write("\nDemo users (password / username / role / organization):")
    with translation.override(settings.LANGUAGE_CODE):
        _print_rows(stdout, users)
    stdout.write("")


def _print_rows(stdout, users) -> None:
    from django.utils.translation import gettext

    for user in users:
        stdout.write(
            f"  {user.password:<16} {user.username:<22} {gettext(user.role):<28} "
            f"{user.organization}"
        )


class Command(BaseCommand):
    help = "Load a deterministic demo data set into an empty database."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", choices=["small", "province", "national"], default="small"
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--documents",
            type=int,
            default=None,
            help="Demo documents to generate (default: 600 for small, 500,000 "
            "for province, none for national).",
        )

        parser.add_argument(
            "--members",
            type=int,
            default=None,
            help="Members to generate for province/national (default: 150,000 "
            "and 5,600,000).",
        )

    def handle(self, *args, scale, seed, documents, members=None, **options):
        if Organization.objects.exists():
            raise CommandError(
                "The database already holds organizations; demo data loads only "
                "into an empty database."
            )
        if scale == "small":
            from hoso.demo.small import build_small

            print_users(self.stdout, build_small(seed, documents=documents))
        else:
            from hoso.demo.trees import build_tree

            counts = build_tree(
                scale,
                seed=seed,
                stdout=self.stdout,
                documents=documents,
                members=members,
            )
            self.stdout.write(
                ", ".join(f"{name}: {count}" for name, count in counts.items())
            )
