"""Run the emulator alone: python -m emulator [--port 8081] [--rate 30] [--faults SPEC].

SPEC is a fault spec (emulator/faults.py) as JSON, or @file.json; e.g.
--faults '{"seed": 1, "rules": [{"fault": "error", "probability": 0.05}]}'.
"""
import argparse
import asyncio
import json
from pathlib import Path

from emulator import server
from emulator.world import Limits


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=server.DEFAULT_TOKEN)
    parser.add_argument("--rate", type=float, default=None, help="global messages/s limit")
    parser.add_argument("--faults", default=None, help="fault spec: JSON or @file.json")
    args = parser.parse_args()
    running = await server.start(args.token, port=args.port)
    running.world.set_limits(Limits(global_per_second=args.rate))
    if args.faults:
        spec = args.faults
        running.faults.configure(json.loads(Path(spec[1:]).read_text() if spec.startswith("@")
                                            else spec))
    print(f"emulator on {running.url} (token {args.token})", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
