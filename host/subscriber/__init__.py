"""
A small subscriber plugin, as another Open edX plugin would write one: it receives openedx-cc's change events,
in-process or from the event bus (``manage.py consume_events``), de-duplicates them on ``metadata.id`` and appends
each new one as a JSON line to the file named by ``OPENEDX_CC_SUBSCRIBER_LOG``. The event-bus round-trip test runs
it in a consumer process; the README shows the same code.
"""
