#!/usr/bin/env bash
# The image builds, runs as non-root, and its HEALTHCHECK command passes once the bot runs
# (against the emulator, from the same image). Run by .ci/run where `docker info` answers.
set -euo pipefail
cd "$(dirname "$0")/.."
tag=ev-cert-bot:ci
docker build -q -t "$tag" . >/dev/null
emu=$(docker run -d --rm --network host "$tag" python -m emulator --port 18081)
bot=$(docker run -d --rm --network host -e BOT_TOKEN=123456789:EMULATOR-local-token_0123456789abcdef \
      -e BOT_API_BASE_URL=http://127.0.0.1:18081 -e BOT_RATES_FEED_URL= "$tag")
trap 'docker rm -f "$bot" "$emu" >/dev/null 2>&1 || true' EXIT
uid=$(docker exec "$bot" id -u)
[ "$uid" != 0 ] || { echo "docker: the image runs as root"; exit 1; }
for _ in $(seq 30); do
    if docker exec "$bot" python healthcheck.py >/dev/null 2>&1; then
        echo "docker: image built, runs as uid $uid, HEALTHCHECK passes"
        exit 0
    fi
    sleep 1
done
docker exec "$bot" python healthcheck.py || true
docker logs "$bot" | tail -20
exit 1
