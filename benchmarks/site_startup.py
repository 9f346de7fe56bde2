"""How long a site-mode emulator takes to start with its default history (goal: well under 5 s)."""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from conformance.emulator.server import EmulatorConfig, start_emulator_thread


def main() -> None:
    """Start site boxes on fresh databases and print the time to the first accepted connection."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--history-days", type=float, default=3.0)
    parser.add_argument("--history-per-day", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for n in range(args.repeat):
        with tempfile.TemporaryDirectory() as folder:
            config = EmulatorConfig(
                http_port=0,
                ws_port=0,
                version_port=-1,
                db_path=Path(folder) / "site.sqlite3",
                site=True,
                live_rate=0,
                history_days=args.history_days,
                history_per_day=args.history_per_day,
                seed=n,
            )
            started = time.perf_counter()
            running = start_emulator_thread(config)
            elapsed = time.perf_counter() - started
            events = running.state.store.event_count
            running.stop()
            print(f"run {n}: {events} events, started in {elapsed:.2f} s")


if __name__ == "__main__":
    main()
