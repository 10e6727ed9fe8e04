"""Run the emulator alone: python -m emulator [--port 8081] [--rate 30]."""
import argparse
import asyncio

from emulator import server
from emulator.world import Limits


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=server.DEFAULT_TOKEN)
    parser.add_argument("--rate", type=float, default=None, help="global messages/s limit")
    args = parser.parse_args()
    running = await server.start(args.token, port=args.port)
    running.world.set_limits(Limits(global_per_second=args.rate))
    print(f"emulator on {running.url} (token {args.token})", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
