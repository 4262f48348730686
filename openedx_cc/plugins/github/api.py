"""
Public Python API of the GitHub intake applet (docs/reference/rest.rst, "GitHub intake"): receiving GitHub's signed
webhook deliveries and processing them again.

``receive_delivery`` stores a delivery (whose signature ``verify_github_signature`` checked) under its delivery id,
then processes it after the commit: merged pull requests, pushes, deployments and their statuses become deployments
recorded through the deployments applet, exactly as reports are. ``process_again`` is what
``cc_process_github_deliveries`` runs.

This module only re-exports; each concern has its module (see readme.rst). The models stay inside the applet.
"""
from openedx_cc.plugins.github.deliveries import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    MAX_DELIVERY_BYTES,
    DeliveryNotStored,
    ProcessingSummary,
    Receipt,
    ReceivedDelivery,
    process_again,
    receive_delivery,
)
from openedx_cc.plugins.github.signature import SIGNATURE_HEADER, GitHubSignatureError, verify_github_signature

__all__ = [
    "DELIVERY_HEADER",
    "DeliveryNotStored",
    "EVENT_HEADER",
    "GitHubSignatureError",
    "MAX_DELIVERY_BYTES",
    "ProcessingSummary",
    "Receipt",
    "ReceivedDelivery",
    "SIGNATURE_HEADER",
    "process_again",
    "receive_delivery",
    "verify_github_signature",
]
