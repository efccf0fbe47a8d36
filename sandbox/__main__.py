"""``python -m sandbox``: serve the sandbox alone (no bot), until Ctrl-C.

    python -m sandbox --port 8081 --data-dir var/sandbox [--no-flood-limits] [--token T]
        [--max-token T] [--max-upload-delay SECONDS]

Prints ``sandbox <url> token <token>`` once it listens, then
``sandbox-max <url>/max token <max token>`` (the MAX Bot API).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from pathlib import Path

from sandbox.server import running_sandbox


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    parser.add_argument("--data-dir", type=Path, default=Path("var/sandbox"))
    parser.add_argument("--token", default=None, help="a fixed bot token (digits:letters)")
    parser.add_argument(
        "--no-flood-limits", action="store_true", help="do not enforce the messengers' limits"
    )
    parser.add_argument("--max-token", default=None, help="a fixed token for the MAX bot")
    parser.add_argument(
        "--max-upload-delay",
        type=float,
        default=0.3,
        help="seconds after an upload during which MAX answers attachment.not.ready",
    )
    return parser


async def _serve(args: argparse.Namespace) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with running_sandbox(
        args.data_dir,
        port=args.port,
        host=args.host,
        flood_limits=not args.no_flood_limits,
        token=args.token,
        max_token=args.max_token,
        max_upload_delay=args.max_upload_delay,
    ) as handle:
        print(f"sandbox {handle.url} token {handle.token}", flush=True)
        print(f"sandbox-max {handle.max_url} token {handle.max_token}", flush=True)
        await stop.wait()


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(_serve(_parser().parse_args()))


if __name__ == "__main__":
    main()
