"""
Public Python API of the hub applet (docs/reference/hub.rst): both sides of a community hub. Each name is defined in
the module that owns it (readme.rst); this module only re-exports, and offers no model.
"""
from openedx_cc.plugins.hub.dispatch import forward_soon, on_events_logged
from openedx_cc.plugins.hub.config import (
    HubConfig,
    HubSettingInvalid,
    hub_config,
    hub_setting_problems,
    hub_url_in_clear,
)
from openedx_cc.plugins.hub.forwarding import ForwardingResult, ForwardingSummary, forward_pending, forwarding_summary
from openedx_cc.plugins.hub.toggles import hub_enabled, sharing_enabled
from openedx_cc.plugins.hub.wire import (
    EVENTS_PATH,
    FORWARDED_TYPES,
    INSTANCE_HEADER,
    MAX_BATCH_BYTES,
    MAX_EVENTS,
    SIGNATURE_HEADER,
    encode_batch,
    wire_event,
)

# The hub side: registered instances (instances.py), receiving batches (receiving.py), reading (reads.py).
from openedx_cc.plugins.hub.instances import (
    InstanceData,
    InstanceError,
    InstanceExists,
    InstanceRefused,
    IssuedSecret,
    UnknownInstance,
    check_instance_name,
    list_instances,
    register_instance,
    revoke_instance,
    rotate_instance_secret,
)
from openedx_cc.plugins.hub.reads import (
    hub_change_fates,
    hub_changes,
    hub_repository_key,
    no_hub_changes,
)
from openedx_cc.plugins.hub.receiving import BatchReceipt, ReceivingBusy, receive_batch

__all__ = [
    "EVENTS_PATH",
    "FORWARDED_TYPES",
    "INSTANCE_HEADER",
    "MAX_BATCH_BYTES",
    "MAX_EVENTS",
    "SIGNATURE_HEADER",
    "encode_batch",
    "wire_event",
    "hub_enabled",
    "sharing_enabled",
    # the hub side
    "BatchReceipt",
    "InstanceData",
    "InstanceError",
    "InstanceExists",
    "InstanceRefused",
    "IssuedSecret",
    "ReceivingBusy",
    "UnknownInstance",
    "check_instance_name",
    "hub_change_fates",
    "hub_changes",
    "hub_repository_key",
    "list_instances",
    "no_hub_changes",
    "receive_batch",
    "register_instance",
    "revoke_instance",
    "rotate_instance_secret",
    # the instance side: forwarding (forwarding.py) and when it happens (dispatch.py)
    "ForwardingResult",
    "ForwardingSummary",
    "HubConfig",
    "HubSettingInvalid",
    "forward_pending",
    "forward_soon",
    "forwarding_summary",
    "hub_config",
    "hub_setting_problems",
    "hub_url_in_clear",
    "on_events_logged",
]
