import os

from django.core.asgi import get_asgi_application

from config.process import tune_process

tune_process()

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_asgi_application()
