"""The shared store and the broker: one Redis server that every node and the archive writer reach.

Keys (all under ``nianbao:``):

- ``blob:<sha256>``: raw bytes of a fetched document or WARC file, written once (``SET NX``);
- ``snapshot:<name>``: a consistent copy of the central archive that crawl jobs start from;
- ``parsed:<parser version>:<sha256>``: a parse result (JSON), written by a parse worker;
- ``results``: a stream with one entry per finished crawl job, read by the archive writer's group.

Dramatiq's own keys (queues ``crawl`` and ``parse``) live under ``dramatiq:``.  A message is
acknowledged only when its actor returns; a worker that dies (SIGKILL, a lost machine) stops sending
heartbeats, and after ``HEARTBEAT_TIMEOUT_MS`` any other worker puts its message back on the queue.
"""

from __future__ import annotations

import os
import threading

import redis
from dramatiq.brokers.redis import MAINTENANCE_SCALE, RedisBroker

PREFIX = "nianbao:"
RESULTS = PREFIX + "results"
WRITER_GROUP = "writer"
# How long a silent worker is taken for dead; busy workers keep theirs alive (see keep_alive).
HEARTBEAT_TIMEOUT_MS = int(os.environ.get("NIANBAO_HEARTBEAT_TIMEOUT_MS", "15000"))
QUEUES = ("crawl", "parse")


def client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)


def broker(url: str) -> RedisBroker:
    """The Dramatiq broker; maintenance (re-queueing a dead worker's messages) on 10% of commands."""
    return RedisBroker(url=url, heartbeat_timeout=HEARTBEAT_TIMEOUT_MS, maintenance_chance=MAINTENANCE_SCALE // 10)


def keep_alive(redis_broker: RedisBroker, stop: threading.Event) -> threading.Thread:
    """Heartbeats while an actor runs for minutes: Dramatiq's consumers are silent while they are busy,
    and a silent worker's message would be handed to another worker."""
    def beat() -> None:
        while not stop.wait(HEARTBEAT_TIMEOUT_MS / 4000):
            for queue in QUEUES:
                redis_broker.do_qsize(queue)  # any broker command refreshes this worker's heartbeat

    thread = threading.Thread(target=beat, name="nianbao-heartbeat", daemon=True)
    thread.start()
    return thread


def put_blob(store: redis.Redis, sha256: str, data: bytes) -> None:
    store.set(PREFIX + "blob:" + sha256, data, nx=True)


def get_blob(store: redis.Redis, sha256: str) -> bytes:
    data = store.get(PREFIX + "blob:" + sha256)
    if not isinstance(data, bytes):
        raise LookupError(f"blob {sha256} is not in the shared store")
    return data
