"""A Redis server of a test's own, on a free port, for tests that stop and start Redis under the degrading cache."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_redis_server(port: int, directory: Path) -> subprocess.Popen:
    """redis-server on 127.0.0.1:`port`, keeping nothing on disk; returns once it answers (the test fails if it
    does not within 5 s)."""
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(directory)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            redis.Redis(port=port).ping()
            return process
        except redis.ConnectionError:
            time.sleep(0.05)
    process.kill()
    pytest.fail("redis-server did not start")
