"""
Serializers of the REST API: separate input serializers (validating query parameters and bodies) and output
serializers (shaping what the Python API returns).
"""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from openedx_cc.lib.errors import InvalidValue
from openedx_cc.lib.formats import github_login
from openedx_cc.lib.repositories import parse_repository_name
from openedx_cc.lib.timeutil import parse_aware_datetime
from openedx_cc.plugins.deployments import api as deployments_api
from openedx_cc.python_api import MAX_AUDIT_DAYS

from .permissions import is_staff

# -- input -----------------------------------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.DATETIME)
class AwareDateTimeField(serializers.Field):
    """An ISO 8601 datetime that must carry a time zone; returned in UTC."""

    def to_internal_value(self, data):
        try:
            return parse_aware_datetime(data)
        except InvalidValue as exc:
            raise serializers.ValidationError(str(exc)) from exc

    def to_representation(self, value):
        return value.isoformat()


class _UserAndRepositoryQuery(serializers.Serializer):
    """The ``user`` (a GitHub login) and ``repository`` (``owner/name``) query parameters' checks, shared by the
    queries that take them; each query declares the fields."""

    def validate_user(self, value):
        try:
            return github_login(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from exc

    def validate_repository(self, value):
        try:
            parse_repository_name(value)
        except InvalidValue as exc:
            raise serializers.ValidationError(str(exc)) from exc
        return value


class OwnershipCheckQuerySerializer(_UserAndRepositoryQuery):
    """Query parameters of ``GET ownership/check/``. Values are taken as sent: a line break is refused, not trimmed."""

    user = serializers.CharField(max_length=39, trim_whitespace=False, help_text="GitHub login.")
    repository = serializers.CharField(max_length=140, trim_whitespace=False,
                                       help_text="owner/name; aliases are followed.")
    path = serializers.CharField(required=False, max_length=1000, trim_whitespace=False,
                                 help_text="A file or directory path in it.")
    branch = serializers.CharField(required=False, max_length=255, trim_whitespace=False, help_text="A branch name.")
    at = AwareDateTimeField(required=False, help_text="ISO 8601 datetime with time zone (default: now).")


# -- output ----------------------------------------------------------------------------------------------------------


class RightDataSerializer(serializers.Serializer):
    """A right (``RightData``)."""

    id = serializers.IntegerField()
    repository = serializers.CharField()
    paths = serializers.ListField(child=serializers.CharField())
    extension = serializers.CharField(allow_blank=True)
    extension_path = serializers.CharField(allow_blank=True)
    branches = serializers.ListField(child=serializers.CharField())
    valid_from = serializers.DateTimeField(allow_null=True)
    valid_until = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)


class CheckedRightSerializer(serializers.Serializer):
    """A right considered by a check: whether it covers the scope and is valid at the time asked."""

    right = RightDataSerializer()
    covers = serializers.BooleanField()
    valid = serializers.BooleanField()

    def to_representation(self, instance):
        data = RightDataSerializer(instance.right).data
        data["covers_scope"] = instance.covers
        data["valid_at"] = instance.valid
        return data


class OwnershipCheckSerializer(serializers.Serializer):
    """The answer of ``GET ownership/check/`` (docs/reference/rest.rst)."""

    allowed = serializers.BooleanField()
    user = serializers.CharField()
    repository = serializers.CharField()
    path = serializers.CharField(allow_null=True)
    at = serializers.DateTimeField()
    reasons = serializers.ListField(child=serializers.CharField())
    rights = CheckedRightSerializer(many=True)


class OrganizationSerializer(serializers.Serializer):
    """An organization, as shown with a committer."""

    slug = serializers.CharField()
    name = serializers.CharField()
    openedx_provider = serializers.BooleanField()


class AgreementStateSerializer(serializers.Serializer):
    """The state of one kind of agreement."""

    state = serializers.CharField()
    signed_on = serializers.DateField(allow_null=True)
    expires_on = serializers.DateField(allow_null=True)


class CommitRightSerializer(serializers.Serializer):
    """A right of a committer, with whether it is valid now."""

    id = serializers.IntegerField()
    repository = serializers.CharField(source="repository_display")
    paths = serializers.ListField(child=serializers.CharField())
    extension = serializers.SerializerMethodField()
    branches = serializers.ListField(child=serializers.CharField())
    valid_from = serializers.DateTimeField(allow_null=True)
    valid_until = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)

    def get_extension(self, obj) -> str:
        return obj.extension.name if obj.extension_id else ""


class CommitterSerializer(serializers.Serializer):
    """
    A Core Committer. ``email`` and ``champions`` (personal data) only for staff and for the committer themselves;
    a committer sees who their champions are, but not the champions' email addresses (staff do).
    """

    github_username = serializers.CharField()
    name = serializers.CharField()
    organization = OrganizationSerializer(allow_null=True)
    status = serializers.CharField()
    status_since = serializers.DateTimeField(allow_null=True)
    status_until = serializers.DateTimeField(allow_null=True)
    in_good_standing = serializers.SerializerMethodField(
        help_text="Status, agreements and champions all satisfy the program policy now (rights aside)."
    )
    agreements = serializers.SerializerMethodField()
    problems = serializers.SerializerMethodField(help_text="Why the committer is not in good standing, if not.")
    champion_count = serializers.SerializerMethodField()
    rights = CommitRightSerializer(many=True)
    email = serializers.EmailField(required=False)
    champions = serializers.SerializerMethodField()

    def _state(self, obj):
        return self.context["states"][obj.id]

    def get_in_good_standing(self, obj) -> bool:
        return self._state(obj).in_good_standing

    def get_problems(self, obj) -> list[str]:
        return list(self._state(obj).problems)

    def get_champion_count(self, obj) -> int:
        return self._state(obj).champions

    def get_agreements(self, obj) -> dict:
        return {
            kind: AgreementStateSerializer(state).data for kind, state in self._state(obj).agreements.items()
        }

    def get_champions(self, obj) -> list[dict]:
        return [
            {"name": c.name, "email": c.email, "valid_from": c.valid_from, "valid_until": c.valid_until}
            for c in obj.champions.all()
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if is_staff(user):
            return data
        if instance.user_id and user is not None and instance.user_id == user.id:
            for champion in data.get("champions", []):
                champion.pop("email", None)
        else:
            data.pop("email", None)
            data.pop("champions", None)
        return data


class ExtensionSerializer(serializers.Serializer):
    """An extension of a repository; ``installed`` when discovery found it running in this service."""

    name = serializers.CharField()
    path = serializers.CharField()
    installed = serializers.BooleanField()
    entry_point_group = serializers.CharField()
    entry_point = serializers.CharField()
    distribution = serializers.CharField()
    version = serializers.CharField()


class EffectiveCommitterSerializer(serializers.Serializer):
    """A committer effective on a repository (or part of it) now, with the rights that make them so."""

    github_username = serializers.CharField()
    name = serializers.CharField()
    whole_repository = serializers.BooleanField()
    rights = RightDataSerializer(many=True)


class RepositorySerializer(serializers.Serializer):
    """A repository with its aliases, extensions and effective Core Committers now."""

    full_name = serializers.CharField()
    owner = serializers.CharField()
    aliases = serializers.SerializerMethodField()
    extensions = ExtensionSerializer(many=True, source="extensions.all")
    effective_committers = serializers.SerializerMethodField()

    def get_aliases(self, obj) -> list[str]:
        return [a.full_name for a in obj.aliases.all()]

    def get_effective_committers(self, obj) -> list[dict]:
        # many=True makes a ListSerializer, whose data is a list (ReturnList); the stubs type every data as a ReturnDict
        committers = self.context["effective"].get(obj.id, [])
        return EffectiveCommitterSerializer(committers, many=True).data  # type: ignore[return-value]


class CatalogInfoSerializer(serializers.Serializer):
    """What a repository's catalog-info.yaml says about it (``GET repositories/<owner>/<name>/``)."""

    owner = serializers.CharField(help_text="spec.owner as written, e.g. group:committers-xblock.")
    type = serializers.CharField()
    lifecycle = serializers.CharField()
    release = serializers.CharField(allow_null=True, help_text="The openedx.org/release annotation.")
    # The serializer's metaclass takes its declared fields off the class, so this field does not replace the source
    # attribute that every field (a serializer too) has; the stubs see a class attribute of that name.
    source = serializers.CharField(help_text="The catalog-info file it was imported from.")  # type: ignore[assignment]


class RepositoryDetailSerializer(RepositorySerializer):
    """One repository; ``catalog`` is its catalog-info entry (null when none was imported)."""

    catalog = CatalogInfoSerializer(allow_null=True, source="catalog_entry")


class InstalledExtensionSerializer(serializers.Serializer):
    """An extension installed in this service, as discovery finds it."""

    group = serializers.CharField()
    name = serializers.CharField()
    entry_point = serializers.CharField(source="value")
    distribution = serializers.CharField()
    version = serializers.CharField()
    declared_repository = serializers.CharField()
    repository = serializers.CharField()


class AuditQuerySerializer(serializers.Serializer):
    """Query parameters of ``GET audit/``."""

    days = serializers.IntegerField(required=False, default=30, min_value=0, max_value=MAX_AUDIT_DAYS)


class DeploymentChangeSerializer(serializers.Serializer):
    """A change of a deployment, with its attribution and revert detection."""

    repository = serializers.CharField()
    pr_number = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField()
    merge_sha = serializers.CharField()
    author = serializers.CharField(help_text="GitHub login; empty when the sender could not tell it")
    merged_by = serializers.CharField(help_text="GitHub login; empty when nobody said who merged")
    merged_by_from = serializers.CharField(source="merged_by_source",
                                           help_text="where merged_by came from: report, github, or empty")
    merged_at = serializers.DateTimeField()
    cc_change = serializers.BooleanField(source="is_cc_change")
    core_committer = serializers.CharField()
    attribution = serializers.CharField()
    revert = serializers.CharField(source="revert_rule")


class DirectPushSerializer(serializers.Serializer):
    """A deployed commit of no pull request, credited to nobody."""

    repository = serializers.CharField()
    sha = serializers.CharField()
    title = serializers.CharField()


class DeploymentSerializer(serializers.Serializer):
    """
    A recorded deployment. A Core Committer who is not staff sees only their own changes in it.
    """

    id = serializers.CharField(source="report_id")
    environment = serializers.CharField()
    service = serializers.CharField()
    release = serializers.CharField()
    kind = serializers.CharField()
    # a declared field, not the attribute every field has (see CatalogInfoSerializer.source)
    source = serializers.CharField(help_text="report, reporter or github")  # type: ignore[assignment]
    result = serializers.CharField(help_text="success, or failure for a failed attempt (it deployed nothing)")
    deployed_at = serializers.DateTimeField()
    received_at = serializers.DateTimeField()
    rolls_back = serializers.SerializerMethodField()
    heads = serializers.SerializerMethodField()
    direct_pushes = DirectPushSerializer(many=True)
    unresolved = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField()

    def get_rolls_back(self, obj) -> list[str]:
        return [d.report_id for d in obj.rolls_back.all()]

    def get_heads(self, obj) -> dict[str, str]:
        return {head.repository: head.sha for head in obj.heads.all()}

    def get_unresolved(self, obj) -> dict | None:
        """What is missing for a deployment whose changes are not resolved yet; None when they are."""
        return {"missing": obj.missing} if obj.missing else None

    def get_changes(self, obj) -> list[dict]:
        login = self.context.get("only_login")
        changes = [c for c in obj.changes.all() if login is None or c.core_committer.lower() == login.lower()]
        # many=True makes a ListSerializer, whose data is a list (ReturnList); the stubs type every data as a ReturnDict
        return DeploymentChangeSerializer(changes, many=True).data  # type: ignore[return-value]


class DeploymentDetailSerializer(DeploymentSerializer):
    """
    One recorded deployment, with the fate of each of its changes in its environment (still there, or reverted or
    rolled back, by which deployment) and the changes it removed. A Core Committer who is not staff sees their own.
    """

    completed_by = serializers.SerializerMethodField()
    removed = serializers.SerializerMethodField()

    def get_completed_by(self, obj) -> str | None:
        """The report that said what this deployment, unresolved when GitHub reported it, brought."""
        return obj.completed_by.report_id if obj.completed_by is not None else None

    def get_changes(self, obj) -> list[dict]:
        changes = super().get_changes(obj)
        fates = deployments_api.change_fates(obj)
        ids = {(c.repository, c.pr_number): c.pk for c in obj.changes.all()}
        none = {"present": False, "removals": [], "reverted_by": None}
        for change in changes:
            change["fate"] = fates.get(ids[(change["repository"], change["pr_number"])], none)
        return changes

    def get_removed(self, obj) -> list[dict]:
        return deployments_api.changes_removed_by(obj, login=self.context.get("only_login"))


class DeploymentHeadsQuerySerializer(serializers.Serializer):
    """Query parameters of ``GET deployments/heads/``."""

    environment = serializers.RegexField(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}\Z", help_text="environment name")


class HeadSerializer(serializers.Serializer):
    """The commit a repository stands at in an environment, and the deployment that put it there."""

    sha = serializers.CharField()
    deployment_id = serializers.CharField()
    deployed_at = serializers.DateTimeField()


class DeploymentHeadsSerializer(serializers.Serializer):
    """``GET deployments/heads/``: the latest head of each repository in an environment."""

    environment = serializers.CharField()
    heads = serializers.DictField(child=HeadSerializer())


class MetricsQuerySerializer(serializers.Serializer):
    """Query parameters of ``GET metrics/`` (for the schema; the metrics API validates them)."""

    since = serializers.CharField(required=False, help_text="ISO 8601 datetime with time zone: deployed at or after.")
    until = serializers.CharField(required=False, help_text="ISO 8601 datetime with time zone: deployed before.")
    user = serializers.CharField(required=False, help_text="GitHub login of a Core Committer.")
    repository = serializers.CharField(required=False, help_text="owner/name (aliases are followed).")
    environment = serializers.CharField(required=False)
    release = serializers.CharField(required=False)


# -- community hub (docs/reference/hub.rst) --------------------------------------------------------------------------


class HubChangesQuerySerializer(_UserAndRepositoryQuery):
    """Query parameters of ``GET hub/changes/``. Values are taken as sent: a line break is refused, not trimmed."""

    user = serializers.CharField(required=False, max_length=39, trim_whitespace=False,
                                 help_text="GitHub login of the Core Committer credited.")
    repository = serializers.CharField(required=False, max_length=140, trim_whitespace=False,
                                       help_text="owner/name; aliases are followed.")
    since = AwareDateTimeField(required=False, help_text="ISO 8601 datetime with time zone: changes of which an "
                                                         "instance reported something received at or after it.")


class HubDeployedSerializer(serializers.Serializer):
    """Where an instance deployed a change: an environment class and when first."""

    instance = serializers.CharField()
    environment_class = serializers.CharField(help_text="production, staging or other")
    first_deployed_at = serializers.DateTimeField()


class HubRemovedSerializer(serializers.Serializer):
    """Where an instance removed a change, how and when."""

    instance = serializers.CharField()
    environment_class = serializers.CharField(help_text="production, staging or other")
    kind = serializers.CharField(help_text="revert or rollback")
    at = serializers.DateTimeField()


class HubChangeSerializer(serializers.Serializer):
    """A change as the instances of a hub reported it (``GET hub/changes/``)."""

    repository = serializers.CharField()
    pr_number = serializers.IntegerField()
    core_committer = serializers.CharField()
    deployed = serializers.SerializerMethodField()
    removed = serializers.SerializerMethodField()

    def _fate(self, obj) -> dict:
        return self.context["fates"].get(obj.pk, {"deployed": [], "removed": []})

    @extend_schema_field(HubDeployedSerializer(many=True))
    def get_deployed(self, obj) -> list[dict]:
        # many=True makes a ListSerializer, whose data is a list (ReturnList); the stubs type every data as a ReturnDict
        return HubDeployedSerializer(self._fate(obj)["deployed"], many=True).data  # type: ignore[return-value]

    @extend_schema_field(HubRemovedSerializer(many=True))
    def get_removed(self, obj) -> list[dict]:
        return HubRemovedSerializer(self._fate(obj)["removed"], many=True).data  # type: ignore[return-value]


class HubBatchReceiptSerializer(serializers.Serializer):
    """The answer of ``POST hub/events/`` (for the schema)."""

    accepted = serializers.IntegerField(help_text="events new from this instance, stored")
    duplicates = serializers.IntegerField(help_text="events this instance had sent before")
    unknown = serializers.ListField(child=serializers.CharField(),
                                    help_text="ids of the events of types this hub does not know (left out)")
