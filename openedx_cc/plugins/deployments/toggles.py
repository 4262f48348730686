"""
The switch of the deployments applet (docs/reference/settings.rst).
"""
from edx_toggles.toggles import WaffleSwitch

# .. toggle_name: openedx_cc.record_deployments
# .. toggle_implementation: WaffleSwitch
# .. toggle_default: False
# .. toggle_description: Lets CD pipelines report deployments to openedx-cc (POST /api/cc/v1/deployments/ and
#   ``manage.py cc_record_deployment``). While it is off the endpoint answers 503 with a Retry-After header and
#   nothing is recorded; the pipeline should retry later.
# .. toggle_use_cases: open_edx
# .. toggle_creation_date: 2026-11-25
# .. toggle_warning: Also needs OPENEDX_CC_WEBHOOK_SECRET (for the endpoint) and openedx_cc.enabled.
# .. toggle_tickets: https://github.com/openedx/openedx-cc/issues/3
RECORD_DEPLOYMENTS = WaffleSwitch("openedx_cc.record_deployments", __name__)


def recording_enabled() -> bool:
    """
    Return whether deployment reports may be recorded now.
    """
    # bool(): WaffleSwitch is untyped (edx-toggles ships no stubs), is_enabled() returns a bool.
    return bool(RECORD_DEPLOYMENTS.is_enabled())
