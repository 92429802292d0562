"""`hoso openapi`: print the OpenAPI document (committed as docs/openapi.json)."""

import json

from django.core.management.base import BaseCommand


def openapi_text() -> str:
    from hoso.config.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = "Print the OpenAPI 3 document of /api/v1/."

    def handle(self, *args, **options):
        self.stdout.write(openapi_text(), ending="")
