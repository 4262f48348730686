"""
The Redis event bus, for real (edx-event-bus-redis): a deployment recorded here reaches a subscriber in another
process through ``manage.py consume_events``; with Redis down the API still answers 201 and nothing is lost:
``cc_replay_events`` delivers the missed event, with the same metadata id, once Redis is back.

Runs its own ``redis-server`` on a free loopback port, so it can stop and start it; needs ``redis-server`` on PATH.
"""
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from copy import deepcopy
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from edx_toggles.toggles.testutils import override_waffle_switch

from openedx_cc.plugins.deployments.toggles import RECORD_DEPLOYMENTS
from tests.integration.servers import RedisServer, free_port
from tests.plugins.deployments import helpers as h

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
TOPIC = "core-committer-change-lifecycle"


class Consumer:
    """``manage.py consume_events`` for the change topic, with the example subscriber installed."""

    def __init__(self, env, log_path):
        self.env, self.log_path, self.process = env, log_path, None

    def start(self):
        command = [sys.executable, "manage.py", "consume_events", "-t", TOPIC, "-g", "openedx-cc-test",
                   "--extra", json.dumps({"consumer_name": "c1", "check_backlog": True}),
                   "--settings", "host.bus_settings"]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL,
            stdout=open(self.log_path, "ab"), stderr=subprocess.STDOUT,
        )

    def running(self):
        return self.process is not None and self.process.poll() is None

    def stop(self):
        if self.running():
            self.process.terminate()
            self.process.wait(10)


def _received(path):
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _wait_for(path, event_id, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(item["id"] == event_id for item in _received(path)):
            return True
        time.sleep(0.2)
    return False


def test_round_trip_through_redis_and_replay_after_an_outage(client, pilot, events_on, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the round trip runs once, with the SQLite suite")
    assert shutil.which("redis-server"), "redis-server is needed (scripts/ensure-services installs it)"
    port, prefix = free_port(), f"occ-test-{uuid.uuid4().hex[:8]}"
    received = tmp_path / "received.jsonl"
    redis = RedisServer(port, tmp_path)
    env = dict(os.environ, OPENEDX_CC_HOST_REDIS_URL=f"redis://127.0.0.1:{port}/", OPENEDX_CC_HOST_TOPIC_PREFIX=prefix,
               OPENEDX_CC_SUBSCRIBER_LOG=str(received), OPENEDX_CC_HOST_DB="sqlite",
               OPENEDX_CC_HOST_SQLITE=str(tmp_path / "consumer.sqlite3"), DJANGO_SETTINGS_MODULE="host.bus_settings")
    consumer = Consumer(env, tmp_path / "consumer.log")
    producer_config = deepcopy(settings.EVENT_BUS_PRODUCER_CONFIG)
    for topics in producer_config.values():
        for topic in topics.values():
            topic["enabled"] = True
    bus = override_settings(
        EVENT_BUS_PRODUCER="edx_event_bus_redis.create_producer",
        EVENT_BUS_REDIS_CONNECTION_URL=f"redis://127.0.0.1:{port}/",
        EVENT_BUS_TOPIC_PREFIX=prefix,
        EVENT_BUS_PRODUCER_CONFIG=producer_config,
    )
    redis.start()
    try:
        with bus, override_waffle_switch(RECORD_DEPLOYMENTS, True):
            consumer.start()
            time.sleep(2)  # let the consumer create its group
            first = h.post(client, h.report("bus-1", changes=[h.change(merged_by="bradenmacdonald")]))
            assert first.status_code == 201
            first_id = first.json()["events"][0]["event_id"]
            assert _wait_for(received, first_id), (tmp_path / "consumer.log").read_text()[-3000:]
            item = next(i for i in _received(received) if i["id"] == first_id)
            assert item["from_event_bus"] is True and item["change"]["core_committer"] == "bradenmacdonald"

            redis.stop()  # the bus goes down; the consumer exits (as it does on a connection error)
            before_outage = timezone.now()
            second = h.post(client, h.report("bus-2", changes=[h.change(merged_by="bradenmacdonald")],
                                             deployed_at="2026-11-25T11:00:00Z"))
            assert second.status_code == 201  # the API does not notice the outage...
            second_id = second.json()["events"][0]["event_id"]
            assert not _wait_for(received, second_id, timeout=2)  # ...and the event did not get through

            redis.start()
            consumer.stop()
            consumer.start()  # a process manager restarts the consumer
            time.sleep(2)
            call_command("cc_replay_events", "--since", before_outage.isoformat())
            assert _wait_for(received, second_id), (tmp_path / "consumer.log").read_text()[-3000:]
            ids = [i["id"] for i in _received(received)]
            assert ids.count(second_id) == 1 and ids.count(first_id) == 1
    finally:
        consumer.stop()
        redis.stop()
