import os

from django.core.wsgi import get_wsgi_application

from config.process import tune_process

tune_process()

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
django_application = get_wsgi_application()

from config.warmup import warm_up  # noqa: E402 - after Django is set up
from portal.request_limits import ChunkedBodyLimit  # noqa: E402 - after Django is set up

warm_up()

# A body sent without a length is read only up to the request cap (portal/request_limits.py).
application = ChunkedBodyLimit(django_application)
