"""
Public Python API of the ownership registry.

Everything outside this applet -- the REST API, management commands, the other applets -- goes through these names
(and the data classes of ``data.py``); models other applets' models point at are in ``models_api.py``. This module
only gathers: each name is defined in the module that owns its concern (see readme.rst). The central question is
answered by ``check_ownership``: *is GitHub user U an effective Core Committer of repository R (path P, branch B)
at time T, and why (not)?*
"""
from openedx_cc.plugins.ownership.checks import check_ownership, check_ownership_many
from openedx_cc.plugins.ownership.data import (
    PHASE_DEFAULTS,
    AgreementState,
    CheckedRight,
    CommitterName,
    CommitterState,
    Contact,
    DiscoveredExtension,
    EffectiveCommitter,
    ExpiringItem,
    OwnershipCheck,
    PolicyData,
    RegistrySummary,
    RightData,
    ScopeQuestion,
)
from openedx_cc.plugins.ownership.extensions import record_discovered_extensions
from openedx_cc.plugins.ownership.formats.people import find_orgs_file, looks_like_orgs, looks_like_people
from openedx_cc.plugins.ownership.formats.roster import is_roster
from openedx_cc.plugins.ownership.formats.salesforce import looks_like_salesforce
from openedx_cc.plugins.ownership.models import AgreementKind, CommitterStatus, Phase
from openedx_cc.plugins.ownership.overview import (
    committer_states,
    contacts_for,
    effective_committer_names_by_key,
    effective_committers,
    effective_committers_by_key,
    expiring_items,
    registry_summary,
)
from openedx_cc.plugins.ownership.registry import (
    committer_login_for_user,
    committers_holding_rights_on,
    committers_with_rights,
    get_committer,
    get_committers,
    get_installed_extensions,
    get_repositories,
    policy_in_force,
    resolve_repository,
    resolve_repository_names,
)
from openedx_cc.plugins.ownership.scopes import normalize_path
from openedx_cc.plugins.ownership.services import (
    grant_right,
    import_snapshot,
    merge_snapshots,
    parse_import_file,
    registry_view,
    revoke_rights,
    set_committer_status,
    supported_import_formats,
    suspend_committers,
    update_right_validity,
    validate_right,
)

__all__ = [
    # data (data.py) and choices
    "AgreementKind",
    "AgreementState",
    "CheckedRight",
    "CommitterName",
    "CommitterState",
    "CommitterStatus",
    "Contact",
    "DiscoveredExtension",
    "EffectiveCommitter",
    "ExpiringItem",
    "OwnershipCheck",
    "PHASE_DEFAULTS",
    "Phase",
    "PolicyData",
    "RegistrySummary",
    "RightData",
    "ScopeQuestion",
    # the ownership check (checks.py)
    "check_ownership",
    "check_ownership_many",
    # reads of the registry (registry.py)
    "committer_login_for_user",
    "committers_holding_rights_on",
    "committers_with_rights",
    "get_committer",
    "get_committers",
    "get_installed_extensions",
    "get_repositories",
    "normalize_path",
    "policy_in_force",
    "resolve_repository",
    "resolve_repository_names",
    # the registry as a whole (overview.py)
    "committer_states",
    "contacts_for",
    "effective_committer_names_by_key",
    "effective_committers",
    "effective_committers_by_key",
    "expiring_items",
    "registry_summary",
    # writes (services.py, extensions.py)
    "grant_right",
    "import_snapshot",
    "record_discovered_extensions",
    "revoke_rights",
    "set_committer_status",
    "suspend_committers",
    "update_right_validity",
    "validate_right",
    # import files (formats/)
    "find_orgs_file",
    "is_roster",
    "looks_like_orgs",
    "looks_like_people",
    "looks_like_salesforce",
    "merge_snapshots",
    "parse_import_file",
    "registry_view",
    "supported_import_formats",
]
