"""
Privacy by construction (docs/reference/hub.rst, "Wire"): whatever the event log holds -- extra keys at any level,
people's logins, emails, bodies, services, releases, deployment ids, environment names, the host's name in the
metadata -- what the forwarder actually puts on the wire (captured by the stub hub) holds only the allow-listed
fields, copied as they were logged, and nothing else.
"""
import json
import uuid

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openedx_cc.plugins.eventlog.models import LoggedEvent
from openedx_cc.plugins.hub.api import forward_pending
from openedx_cc.plugins.hub.models import ForwardedEvent
from openedx_cc.plugins.hub.wire import CHANGE_FIELDS, DEPLOYED, FORWARDED_TYPES, REVERT_FIELDS, REVERTED

pytestmark = pytest.mark.django_db

SENTINEL = "Zq7SENTINEL"  # in every value that must not leave the instance
SECRET_NUMBER = 987654321  # a number that must not leave either (a revert's pull request number)

CHANGE = {"repository": "openedx/openedx-platform", "pr_number": 36001, "title": "feat: a change",
          "url": "https://github.com/openedx/openedx-platform/pull/36001", "merge_sha": "a" * 40,
          "core_committer": "bradenmacdonald", "merged_at": "2026-11-24T18:00:00+00:00"}
DEPLOYED_AT = "2026-11-25T10:00:00+00:00"
REVERT = {"kind": "revert", "reverted_at": "2026-11-26T09:00:00+00:00"}

KEYS = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=12)
LEAK = st.builds(lambda tail: f"{SENTINEL}{tail}", st.text(st.characters(codec="utf-8", exclude_characters="\x00"),
                                                           max_size=8))
LEAKY_VALUES = st.recursive(LEAK, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner,
                                                                                               max_size=3),
                            max_leaves=6)


def extras(allowed):
    """Extra keys (none of the allow-listed names) holding values that must not leak."""
    return st.dictionaries(KEYS.filter(lambda key: key not in allowed), LEAKY_VALUES, max_size=4)


@st.composite
def logged_events(draw):
    """What a logged change event's data and metadata might hold, the allow-listed fields among much else."""
    event_type = draw(st.sampled_from(FORWARDED_TYPES))
    leak = draw(LEAK)
    change = {**CHANGE, "author": leak, "merged_by": leak, "body": leak, "email": f"{SENTINEL}@example.org",
              **draw(extras(CHANGE_FIELDS))}
    deployment = {"environment": f"prod-{SENTINEL}-eu", "deployed_at": DEPLOYED_AT, "deployment_id": leak,
                  "service": leak, "release": leak, **draw(extras({"deployed_at"}))}
    revert = {**REVERT, "by_deployment_id": leak, "revert_pr_number": SECRET_NUMBER, "revert_merge_sha": leak,
              **draw(extras(REVERT_FIELDS))}
    data = {"change": change, "deployment": deployment, "person": {"email": leak, "name": leak},
            **draw(extras({"change", "deployment", "revert"}))}
    if event_type == REVERTED or draw(st.booleans()):  # a deployed event with a revert in its log entry too
        data["revert"] = revert
    metadata = {"time": "2026-11-25T10:00:01+00:00", "sourcehost": leak, "source": leak, "minorversion": 0,
                **draw(extras({"time"}))}
    return event_type, data, metadata


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(events=st.lists(logged_events(), min_size=1, max_size=3))
def test_nothing_but_the_allow_list_reaches_the_wire(sharing, events):
    hub = sharing
    hub.requests.clear()
    rows = [LoggedEvent.objects.create(event_id=uuid.uuid4(), event_type=event_type, metadata=metadata, data=data,
                                       recorded_at=timezone.now())
            for event_type, data, metadata in events]
    try:
        result = forward_pending()
        assert result.complete, result.error
        (request,) = hub.requests
        text = request.body.decode("utf-8")
        assert SENTINEL not in text and str(SECRET_NUMBER) not in text
        sent = json.loads(text)
        assert list(sent) == ["events"]
        for event, row in zip(sent["events"], rows, strict=True):
            assert set(event) == {"event_id", "event_type", "time", "data"}
            assert (event["event_id"], event["event_type"], event["time"]) == (
                str(row.event_id), row.event_type, "2026-11-25T10:00:01Z")
            data = event["data"]
            assert set(data) == ({"change", "deployment", "revert"} if row.event_type == REVERTED
                                 else {"change", "deployment"})
            assert data["change"] == {**CHANGE, "merged_at": "2026-11-24T18:00:00Z"}
            assert data["deployment"] == {"environment_class": "production", "deployed_at": "2026-11-25T10:00:00Z"}
            if row.event_type == REVERTED:
                assert data["revert"] == {"kind": "revert", "reverted_at": "2026-11-26T09:00:00Z"}
            else:
                assert row.event_type == DEPLOYED
    finally:
        ForwardedEvent.objects.all().delete()
        LoggedEvent.objects.all().delete()
