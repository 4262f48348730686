"""
The host with the Redis event bus on, and the example subscriber installed: what a consumer process runs with
(``manage.py consume_events --settings host.bus_settings``).

Environment: ``OPENEDX_CC_HOST_REDIS_URL`` (default ``redis://127.0.0.1:6379/``), ``OPENEDX_CC_HOST_TOPIC_PREFIX``
(default ``dev``), ``OPENEDX_CC_SUBSCRIBER_LOG`` (where the subscriber writes what it received).
"""
import os

from host.settings import *  # noqa: F401,F403
from host.settings import EVENT_BUS_PRODUCER_CONFIG, INSTALLED_APPS

INSTALLED_APPS = INSTALLED_APPS + ["edx_event_bus_redis", "host.subscriber"]

EVENT_BUS_PRODUCER = "edx_event_bus_redis.create_producer"
EVENT_BUS_CONSUMER = "edx_event_bus_redis.RedisEventConsumer"
EVENT_BUS_REDIS_CONNECTION_URL = os.environ.get("OPENEDX_CC_HOST_REDIS_URL", "redis://127.0.0.1:6379/")
EVENT_BUS_TOPIC_PREFIX = os.environ.get("OPENEDX_CC_HOST_TOPIC_PREFIX", "dev")
EVENT_BUS_REDIS_CONSUMER_POLL_TIMEOUT = 1
EVENT_BUS_REDIS_CONSUMER_POLL_FAILURE_SLEEP = 0.2

# The operator's part: turn on the topics the plugin declared (disabled) in EVENT_BUS_PRODUCER_CONFIG.
for _event_type, _topics in EVENT_BUS_PRODUCER_CONFIG.items():
    if _event_type.startswith("org.openedx.core_committer."):
        for _topic in _topics.values():
            _topic["enabled"] = True
