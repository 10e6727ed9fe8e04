"""Container health: the bot's event loop wrote its heartbeat file recently.

A hung or dead loop stops the heartbeat (runtime.Runtime writes it every
HEARTBEAT_SECONDS). No call to Telegram: a Telegram outage must not make the
orchestrator restart a bot that is fine and retrying.
"""
import sys
import time

import config
from runtime import HEARTBEAT_SECONDS, heartbeat_path


def main() -> int:
    try:
        path = heartbeat_path(config.load())
        age = time.time() - path.stat().st_mtime
    except (OSError, config.ConfigError) as exc:
        print(f"unhealthy: {exc}")
        return 1
    if age > 3 * HEARTBEAT_SECONDS:
        print(f"unhealthy: last heartbeat {age:.0f} s ago")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
