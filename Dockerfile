FROM python:3.12-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings.production
WORKDIR /app
# WeasyPrint (the award certificates) needs Pango and HarfBuzz, and a font with Korean glyphs.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
      fontconfig fonts-nanum \
 && rm -rf /var/lib/apt/lists/*
COPY requirements/base.txt requirements/base.txt
RUN pip install --no-cache-dir --require-hashes -r requirements/base.txt
COPY . .
# collectstatic and the translations need no secrets or database. Production settings refuse a placeholder secret, so
# this step gets a random one that lives only as long as the command (nothing of it stays in the image).
RUN DJANGO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
      DJANGO_ALLOWED_HOSTS=build DATABASE_URL=sqlite:////tmp/build.sqlite3 EMAIL_HOST=build \
      DEFAULT_FROM_EMAIL=build@localhost \
      python manage.py collectstatic --noinput \
 && pybabel compile --use-fuzzy -D django -d locale \
 && rm -f /tmp/build.sqlite3 \
 && useradd --create-home portal && mkdir -p var/private && chown -R portal var
USER portal
# Published by no one in docker-compose.yml: only Caddy, on the compose network, reaches it.
EXPOSE 8000
CMD ["gunicorn", "-c", "config/gunicorn.py"]
