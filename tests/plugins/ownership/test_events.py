"""
CC_OWNERSHIP_CHANGED: sent after commit, only while the switches are on, always logged.
"""
import pytest
from django.db import transaction

from openedx_cc.events import CC_OWNERSHIP_CHANGED, CCOwnershipData
from openedx_cc.plugins.eventlog.models import LoggedEvent
from openedx_cc.plugins.ownership import api
from tests.factories import ExtensionFactory, PhaseFactory, RepositoryFactory, effective_committer

pytestmark = pytest.mark.django_db(transaction=True)

TYPE = "org.openedx.core_committer.ownership.changed.v1"


def test_granting_a_right_sends_one_event_after_commit(events_on, captured_events):
    PhaseFactory()
    repo = RepositoryFactory(full_name="openedx/xblock")
    alice = effective_committer(github_username="Alice")
    with transaction.atomic():
        api.grant_right(alice, "edx/XBlock")
        assert captured_events == []  # not before the transaction commits
    assert len(captured_events) == 1
    event_type, kwargs = captured_events[0]
    assert event_type == TYPE
    ownership = kwargs["ownership"]
    assert isinstance(ownership, CCOwnershipData)
    facts = (ownership.github_username, ownership.repository, ownership.scope, ownership.action, ownership.effective)
    assert facts == ("Alice", repo.full_name, "", "granted", True)
    logged = LoggedEvent.objects.get()
    assert logged.event_id == kwargs["metadata"].id and logged.sent_at is not None


def test_nothing_is_sent_for_a_rolled_back_transaction(events_on, captured_events):
    PhaseFactory()
    RepositoryFactory(full_name="openedx/xblock")
    alice = effective_committer(github_username="alice")
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            api.grant_right(alice, "openedx/xblock")
            raise RuntimeError("boom")
    assert captured_events == [] and LoggedEvent.objects.count() == 0


def test_revoking_and_changing_rights_send_events_per_scope(events_on, captured_events):
    PhaseFactory()
    ext = ExtensionFactory(name="video", path="xmodule/video/")
    alice = effective_committer(github_username="alice")
    whole = api.grant_right(alice, ext.repository.full_name)
    paths = api.grant_right(alice, ext.repository.full_name, paths=["docs/", "scripts/"])
    extension = api.grant_right(alice, ext.repository.full_name, extension="video")
    captured_events.clear()
    api.revoke_rights([paths])
    scopes = [(k["ownership"].scope, k["ownership"].action, k["ownership"].effective) for _t, k in captured_events]
    # still effective on those paths: the whole-repository right covers them
    assert scopes == [("docs/", "revoked", True), ("scripts/", "revoked", True)]
    captured_events.clear()
    api.revoke_rights([whole])
    api.update_right_validity(extension, valid_from=None, valid_until=None)  # no change: no event
    assert [(k["ownership"].scope, k["ownership"].effective) for _t, k in captured_events] == [("", False)]
    from tests.conftest import utc

    captured_events.clear()
    api.update_right_validity(extension, valid_from=utc(2020, 1, 1), valid_until=utc(2021, 1, 1))
    assert [(k["ownership"].scope, k["ownership"].action, k["ownership"].effective)
            for _t, k in captured_events] == [("video", "changed", False)]


def test_with_events_switched_off_events_are_logged_not_sent(enabled, captured_events):
    PhaseFactory()
    RepositoryFactory(full_name="openedx/xblock")
    api.grant_right(effective_committer(github_username="alice"), "openedx/xblock")
    assert captured_events == []
    logged = LoggedEvent.objects.get()
    assert logged.event_type == TYPE and logged.sent_at is None


def test_with_the_set_disabled_nothing_is_sent_even_if_emit_events_is_on(captured_events):
    from edx_toggles.toggles.testutils import override_waffle_switch

    from openedx_cc.plugins.eventlog.toggles import EMIT_EVENTS

    PhaseFactory()
    RepositoryFactory(full_name="openedx/xblock")
    with override_waffle_switch(EMIT_EVENTS, True):
        api.grant_right(effective_committer(github_username="alice"), "openedx/xblock")
    assert captured_events == []
    assert LoggedEvent.objects.filter(sent_at__isnull=True).count() == 1


def test_the_signal_is_the_contracts():
    assert CC_OWNERSHIP_CHANGED.event_type == TYPE
    assert CC_OWNERSHIP_CHANGED.init_data == {"ownership": CCOwnershipData}
