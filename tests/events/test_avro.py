"""
The set's events survive the event bus's Avro serialization of whichever openedx-events the host runs: 10.x on the
Python 3.11 hosts, 11.x on the 3.12 ones (make test runs this under both). openedx-events 11 accepts nested lists and
dicts of attrs classes that 10 refuses, so a payload field of such a type would pass on one host and fail on the
other; this test fails on the host that cannot carry it.
"""
from datetime import datetime, timezone

import pytest
from openedx_events.event_bus.avro.deserializer import deserialize_bytes_to_event_data
from openedx_events.event_bus.avro.serializer import serialize_event_data_to_bytes

from openedx_cc.events.data import CCChangeData, CCDeploymentData, CCOwnershipData, CCRevertData
from openedx_cc.events.signals import ALL_SIGNALS, CC_CHANGE_DEPLOYED, CC_CHANGE_REVERTED, CC_OWNERSHIP_CHANGED

AT = datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc)
CHANGE = CCChangeData(repository="openedx/openedx-platform", pr_number=36001, title="feat: x",
                      url="https://github.com/openedx/openedx-platform/pull/36001", merge_sha="a" * 40,
                      author="alice", merged_by="bob", core_committer="bob", merged_at=AT)
DEPLOYMENT = CCDeploymentData(deployment_id="lms-prod-1", environment="production", service="lms",
                              release="release/verawood", deployed_at=AT)
PAYLOADS = {
    CC_CHANGE_DEPLOYED: {"change": CHANGE, "deployment": DEPLOYMENT},
    CC_CHANGE_REVERTED: {"change": CHANGE, "deployment": DEPLOYMENT,
                         "revert": CCRevertData(kind="rollback", by_deployment_id="lms-prod-2", reverted_at=AT)},
    CC_OWNERSHIP_CHANGED: {"ownership": CCOwnershipData(github_username="bob", repository="openedx/xblock", scope="",
                                                        action="granted", effective=True, changed_at=AT)},
}


def test_every_signal_has_a_payload_here():
    assert set(PAYLOADS) == set(ALL_SIGNALS)


@pytest.mark.parametrize("signal", ALL_SIGNALS, ids=lambda signal: signal.event_type)
def test_payloads_round_trip_through_avro(signal):
    data = PAYLOADS[signal]
    wire = serialize_event_data_to_bytes(data, signal)
    assert deserialize_bytes_to_event_data(wire, signal) == data


def test_a_revert_without_a_revert_pr_round_trips_its_nulls():
    data = PAYLOADS[CC_CHANGE_REVERTED]
    back = deserialize_bytes_to_event_data(serialize_event_data_to_bytes(data, CC_CHANGE_REVERTED), CC_CHANGE_REVERTED)
    assert back["revert"].revert_pr_number is None and back["revert"].revert_merge_sha is None
