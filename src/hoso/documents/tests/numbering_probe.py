"""Run 50 registrations in parallel against a fresh database and print the
arrival numbers as JSON (used by test_numbering.py in a subprocess, so the
threads use real, separate connections and real commits).

Usage: python numbering_probe.py  (HOSO_DATA_DIR / HOSO_DATABASE_URL set)
"""

import json
import os
import threading

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hoso.config.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from hoso.accounts.models import Person, Position, Role  # noqa: E402
from hoso.documents import services  # noqa: E402
from hoso.documents.models import Document, DocumentType  # noqa: E402
from hoso.organizations.models import Organization  # noqa: E402

WORKERS = 50
FAILING = {7, 19, 33}  # these registrations roll back after taking a number


class Rollback(Exception):
    pass


def main() -> None:
    call_command("migrate", verbosity=0, interactive=False)
    from django.contrib.auth import get_user_model

    org = Organization.objects.create(
        level="commune", kind="committee", code="P", name="Đảng bộ xã Thử", path="/x/"
    )
    org.path = f"/{org.pk}/"
    org.save()
    user = get_user_model().objects.create_user("clerk", password="x")
    person = Person.objects.create(user=user, full_name="Văn thư")
    Position.objects.create(
        person=person, organization=org, role=Role.objects.get(code="clerk")
    )
    doc_type = DocumentType.objects.get(system="party", code="CV")
    barrier = threading.Barrier(WORKERS)
    errors = []

    def register(index: int) -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                services.create_incoming(
                    organization=org,
                    acting_user=user,
                    doc_type=doc_type,
                    issuer_name="Tỉnh ủy",
                    excerpt=f"Công văn số {index}",
                )
                if index in FAILING:
                    raise Rollback
        except Rollback:
            pass
        except Exception as exc:  # reported to the test
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(i,)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    numbers = sorted(
        Document.objects.filter(organization=org).values_list(
            "arrival_number", flat=True
        )
    )
    print(json.dumps({"numbers": numbers, "errors": errors}))


if __name__ == "__main__":
    main()
