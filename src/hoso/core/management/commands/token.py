"""`hoso token create USERNAME [--scope read --scope write] [--name N] [--days D]`."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from hoso.accounts import services


class Command(BaseCommand):
    help = "Create a personal API token and print it (shown once)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token for a user.")
        create.add_argument("username")
        create.add_argument(
            "--scope", action="append", dest="scopes", choices=["read", "write"]
        )
        create.add_argument("--name", default="command line")
        create.add_argument("--days", type=int, default=None)

    def handle(self, *args, action, username, scopes, name, days, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        try:
            _token, plaintext = services.create_token(
                user, name=name, scopes=scopes or ["read"], expires_days=days
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(plaintext)
