# UPR Coalition Hub: application image (web, Celery worker and Celery beat all use it).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# System libraries WeasyPrint needs, plus curl for container health checks.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        fonts-dejavu-core \
        curl \
    && rm -rf /var/lib/apt/lists/*

# Non-root user that runs the application.
RUN groupadd --system app && useradd --system --gid app --create-home --home-dir /home/app app

WORKDIR /app

# Dependencies first, so this layer is cached until pyproject.toml changes.
# ([tool.setuptools] packages = [], so this only installs the dependencies.)
COPY pyproject.toml ./
RUN pip install --no-cache-dir . && rm -rf build *.egg-info

# Then the project itself.
COPY --chown=app:app . .
# The private evidence folder (EVIDENCE_ROOT) is a volume of its own; it is never in the image
# (.dockerignore) and never under a folder a web server serves.
RUN mkdir -p /app/media /app/staticfiles /app/private/evidence \
    && chown app:app /app /app/media /app/staticfiles /app/private /app/private/evidence

USER app

ENV DJANGO_SETTINGS_MODULE=hub.settings.production \
    PYTHONUNBUFFERED=1

RUN SECRET_KEY=build-only python manage.py collectstatic --noinput \
    && SECRET_KEY=build-only python manage.py compile_translations

EXPOSE 8000

CMD ["uvicorn", "hub.asgi:application", "--host", "0.0.0.0", "--port", "8000", "--workers", "3", "--ws", "websockets-sansio"]
