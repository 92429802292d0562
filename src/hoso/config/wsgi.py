"""WSGI entry point (served by granian in `hoso serve`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hoso.config.settings")
application = get_wsgi_application()
