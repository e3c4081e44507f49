FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
# postgresql-client: pg_dump and pg_restore for `manage.py backup_check` (bookworm ships 15, as compose runs).
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 postgresql-client \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# Build-time settings only: collectstatic and compilemessages need no secrets or database.
RUN DJANGO_DEBUG=1 python manage.py compilemessages --ignore=.venv -v 0 \
    && DJANGO_DEBUG=0 DJANGO_SECRET_KEY=build PERSONAL_DATA_KEYS=ZGV2LW9ubHktZmVybmV0LWtleS0zMi1ieXRlcyEhISE= \
       PERSONAL_DATA_HASH_KEY=build DJANGO_STATIC_ROOT=/app/staticfiles python manage.py collectstatic --noinput -v 0
RUN useradd --create-home portal && chown -R portal /app
USER portal
EXPOSE 8000
CMD ["gunicorn", "lequing_tuoyu.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
