# Production image: slim Python, non-root, database on a volume, token from the environment.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    BOT_DATABASE_PATH=/data/bot.sqlite3

WORKDIR /app
# Noto CJK: the /stats chart names its stages in Chinese too (without it, numbers).
RUN apt-get update && apt-get install -y --no-install-recommends fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
RUN useradd --system --uid 10001 --home /app bot \
    && mkdir -p /data && chown bot /data
USER bot
VOLUME ["/data"]

# Migrations run at start-up too; running them first makes a failed one visible at once.
# Polling by default; set BOT_WEBHOOK_URL and BOT_WEBHOOK_SECRET (and publish 8443) for webhooks,
# and BOT_DATABASE_URL=postgresql://… for several instances on one database (compose.yaml).
EXPOSE 8443
HEALTHCHECK --interval=60s --timeout=10s --start-period=20s --retries=3 \
    CMD ["python", "healthcheck.py"]
CMD ["sh", "-c", "python bot.py migrate && exec python bot.py run"]
