"""Seed 004's own sample client runs unchanged against the emulator: only the address is swapped.

The client is cut out of the seed text, its address replaced, and run in a subprocess by a wrapper
that stops it after it printed two `video_id event_id` lines (its loop never ends by itself).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.emulator.model import DeviceRecord, EventRecord, IdentityRecord
from conformance.emulator.render_ws import EventRecordWsRenderer
from conformance.emulator.websocket_server import WsThread
from conformance.paths import SEEDS_DIR

SEED = SEEDS_DIR / "004_067160dd4d695f5a.txt"
SEED_ADDRESS = "ws://192.168.1.180:5679"
CLIENT_TIMEOUT_S = 30

# Stops the unmodified client after two printed lines; everything else is the seed's code.
WRAPPER = """
import builtins, sys
_lines = []
def _counting_print(*args, **kwargs):
    builtins.__dict__['_real_print'](*args, **kwargs, flush=True)
    _lines.append(args)
    if len(_lines) == 2:
        sys.exit(0)
builtins.__dict__['_real_print'] = builtins.print
code = open(sys.argv[1], encoding='utf-8').read().replace(sys.argv[2], sys.argv[3])
exec(compile(code, 'seed-004-client', 'exec'), {'__name__': '__main__', 'print': _counting_print})
"""


def seed_client_code() -> str:
    """The Python block that follows the seed's "python脚本模拟的websocket客户端" sentence."""
    text = SEED.read_text(encoding="utf-8")
    after = text.split("python脚本模拟的websocket客户端", 1)[1]
    block = after.split("```", 2)[1]
    assert "s.recv_data(4096)" in block and SEED_ADDRESS in block
    return block.strip("\n")


@pytest.fixture
def push() -> Iterator[WsThread[EventRecord]]:
    running = WsThread(EventRecordWsRenderer()).start()
    yield running
    running.stop()


def test_the_seed_sample_client_prints_video_id_and_event_id(
    push: WsThread[EventRecord], tmp_path: Path
) -> None:
    client = tmp_path / "seed_client.py"
    client.write_text(seed_client_code(), encoding="utf-8")
    device = DeviceRecord("f9f0768f-497c-45f3-9307-ae80a9d89390", "gate", "192.168.1.101", "photo", "0")
    other = DeviceRecord("11111111-0000-0000-0000-000000000000", "elsewhere", "192.168.1.9", "rtsp", "3")
    person = IdentityRecord("666666", "小明", 5, "g1", "default_group", face_seed=7)
    events = [
        EventRecord(f"seed-ev-{i}", 1_566_016_554_020 + i, dev, person, 5, 0.62, 7, i)
        for i, dev in enumerate([other, device, other, device, device])
    ]
    process = subprocess.Popen(
        [sys.executable, "-c", WRAPPER, str(client), SEED_ADDRESS, push.url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + CLIENT_TIMEOUT_S
        while push.call(lambda: push.server.stats.frames_received) == 0:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the sample client never sent its configuration"
            time.sleep(0.02)
        push.publish(events)
        out, err = process.communicate(timeout=CLIENT_TIMEOUT_S)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == 0, err
    assert out.splitlines() == [f"{device.device_id} seed-ev-1", f"{device.device_id} seed-ev-3"]
