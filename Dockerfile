# One image for web, worker and beat (docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    STATIC_MANIFEST=1

# Pango and fonts for WeasyPrint's PDFs; gettext for compilemessages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core gettext curl \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 genhusning
WORKDIR /app

COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY . .
# collectstatic needs settings; a throwaway key and URL satisfy them at build time only.
RUN SECRET_KEY=build-only DATABASE_URL=postgres://build@localhost/build \
    python manage.py collectstatic --noinput \
    && SECRET_KEY=build-only DATABASE_URL=postgres://build@localhost/build \
    python manage.py compilemessages --ignore '.venv/*'

# The volumes of the private files and the backups start as these folders, owned by the app.
RUN mkdir -p /app/media /backups && chown genhusning:genhusning /app/media /backups

USER genhusning
EXPOSE 8000
CMD ["gunicorn", "genhusning.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", "--access-logfile", "-"]
