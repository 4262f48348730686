"""
When forwarding to the hub happens: after each commit that logged a change event, in the background, never in the
request (docs/decisions/0017-community-hub.rst).

``on_events_logged`` (the receiver of the eventlog applet's ``events_logged``, which is sent after the logging
transaction commits) only wakes this process's forwarder thread: it neither waits for nor fails because of the hub
or the Celery broker. The thread, one per process at a time, hands the work to the Celery task
``openedx_cc.forward_to_hub`` where the host runs Celery (a broker that is down costs the thread, not the request,
its connection attempts; then the thread forwards itself), and else forwards itself: it drains the outbox and, while
the hub fails, sleeps the backoff the failure set and tries again, at most ``MAX_RETRIES`` times; after that the
events wait for the next logged change event or ``cc_forward_to_hub``. A wake-up while the thread runs makes it go
round once more. When the process exits, an attempt under way may finish (``TIMEOUT`` and a little more), no retry.
"""
from __future__ import annotations

import atexit
import logging
import threading
import time
from typing import Any, Callable

from django.db import connections
from edx_django_utils.cache import RequestCache

from openedx_cc.lib.background import celery_ready
from openedx_cc.plugins.hub import tasks
from openedx_cc.plugins.hub.config import HubSettingInvalid, hub_config
from openedx_cc.plugins.hub.forwarding import TIMEOUT, ForwardingResult, forward_pending
from openedx_cc.plugins.hub.tasks import MAX_RETRIES, seconds_until
from openedx_cc.plugins.hub.toggles import sharing_enabled
from openedx_cc.plugins.hub.wire import FORWARDED_TYPES

log = logging.getLogger(__name__)

_state = threading.Lock()  # guards the two below
_worker: threading.Thread | None = None  # this process's forwarder thread, while it runs
_again = False  # woken while running: go round once more
_exiting = threading.Event()  # the interpreter is exiting: finish the attempt under way, retry no more


def _sleep(seconds: float) -> None:
    """How the thread waits out a backoff (tests shorten it); cut short when the process exits."""
    _exiting.wait(seconds)


@atexit.register
def _finish_at_exit() -> None:
    """
    Let an attempt under way end before the process does (a command such as ``cc_record_deployment`` logs change
    events and exits at once): at most one request's timeout and a little more; no retry is waited for.
    """
    _exiting.set()
    wait_until_idle(TIMEOUT + 5)


def on_events_logged(*, event_types: Any = (), **kwargs: Any) -> None:
    """
    After a commit that logged events: if a change event was among them, sharing is on and a hub is set, start
    forwarding in the background. Returns at once; never raises.
    """
    try:
        if not set(event_types or ()) & set(FORWARDED_TYPES) or not sharing_enabled():
            return
        try:
            if hub_config() is None:
                return
        except HubSettingInvalid as exc:
            log.error("Not forwarding to the hub: OPENEDX_CC_HUB is malformed: %s", exc)
            return
        forward_soon()
    except Exception:  # the request that logged the events must not fail for the hub's sake
        log.exception("Could not start forwarding to the hub; the events wait in the event log")


def forward_soon() -> None:
    """Wake this process's forwarder thread (start it, or make it go round once more)."""
    global _worker, _again
    with _state:
        if _worker is not None:
            _again = True
            return
        worker = threading.Thread(target=_run, name="openedx-cc-hub-forwarder", daemon=True)
        _worker, _again = worker, False
        try:
            worker.start()
        except RuntimeError:  # no thread can be started now (interpreter shutting down, thread limit)
            _worker = None
            log.exception("Could not start the thread that forwards to the hub; the events wait in the event log")


def wait_until_idle(timeout: float | None = None) -> bool:
    """Wait for this process's forwarder thread to finish (tests, a clean shutdown); whether it did."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        with _state:
            worker = _worker
        if worker is None:
            return True
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and left <= 0:
            return False
        worker.join(left)


def _run() -> None:
    global _worker, _again
    try:
        while True:
            try:
                _hand_over_or_forward()
            except Exception:
                log.exception("Forwarding to the hub failed; the events wait in the event log")
            with _state:
                if not _again:
                    _worker = None
                    return
                _again = False
    finally:
        with _state:
            if _worker is threading.current_thread():
                _worker = None
        connections.close_all()  # this thread's connections only


def _hand_over_or_forward() -> None:
    if celery_ready() and tasks.forward_to_hub_task is not None:
        try:
            tasks.forward_to_hub_task.apply_async()
            return
        except Exception:  # a broker that is down: forward here rather than leave the events waiting
            log.exception("Could not queue forwarding to the hub with Celery; forwarding in this process")
    drain()


def drain(*, max_retries: int | None = None, sleep: Callable[[float], None] | None = None) -> ForwardingResult:
    """
    Forward until nothing is pending, or sharing is off, or ``max_retries`` retries after failures (each after the
    backoff its failure set) did not get everything through.
    """
    max_retries = MAX_RETRIES if max_retries is None else max_retries
    retries = 0
    while True:
        RequestCache.clear_all_namespaces()  # this thread's cache of switch values: see a switch flipped meanwhile
        result = forward_pending()
        if result.retry_at is None:
            return result
        if _exiting.is_set():
            return result
        if retries >= max_retries:
            log.warning("Gave up forwarding to the hub for now after %d retries (%d event(s) pending): %s", retries,
                        result.pending, result.error)
            return result
        retries += 1
        (sleep or _sleep)(seconds_until(result.retry_at, minimum=0.1))
