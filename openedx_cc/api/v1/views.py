"""
Views of the REST API v1 (docs/reference/rest.rst). Thin: validate, call the Python API, serialize.
"""
import yaml
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.templatetags.static import static
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from openedx_cc import __version__, python_api
from openedx_cc.lib.errors import InvalidValue, Problem, ValidationFailed
from openedx_cc.plugins.catalog import api as catalog_api
from openedx_cc.plugins.deployments import api as deployments_api
from openedx_cc.plugins.github import api as github_api
from openedx_cc.plugins.hub import api as hub_api
from openedx_cc.plugins.metrics import api as metrics_api
from openedx_cc.plugins.ownership import api as ownership_api

from . import schema as _openapi_extensions  # noqa: F401  (JWT, session)
from .base import CCPagination, CCViewMixin
from .base import problems_response
from .filters import CommitterFilter, DeploymentFilter, RepositoryFilter
from .permissions import IsStaff, IsStaffOrBackstage, is_staff
from .serializers import (
    AuditQuerySerializer,
    CommitterSerializer,
    DeploymentDetailSerializer,
    DeploymentHeadsQuerySerializer,
    DeploymentHeadsSerializer,
    DeploymentSerializer,
    EffectiveCommitterSerializer,
    HubBatchReceiptSerializer,
    HubChangeSerializer,
    HubChangesQuerySerializer,
    InstalledExtensionSerializer,
    MetricsQuerySerializer,
    OwnershipCheckQuerySerializer,
    OwnershipCheckSerializer,
    CatalogInfoSerializer,
    RepositoryDetailSerializer,
    RepositorySerializer,
)


# Decorating the class (not the method) keeps drf-spectacular's AutoSchema of CCViewMixin as the base, whatever the
# host's DEFAULT_SCHEMA_CLASS is.
@extend_schema(
    parameters=[OwnershipCheckQuerySerializer],
    responses={200: OwnershipCheckSerializer},
    summary="Check whether a GitHub user is an effective Core Committer of a repository or path",
)
class OwnershipCheckView(CCViewMixin, APIView):
    """
    Is a GitHub user an effective Core Committer of a repository (and path) at a time, and why (not)?
    """

    permission_classes = [IsAuthenticated]

    def get(self, request):
        query = OwnershipCheckQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        result = ownership_api.check_ownership(
            params["user"],
            params["repository"],
            path=params.get("path"),
            branch=params.get("branch"),
            at=params.get("at"),
        )
        return Response(OwnershipCheckSerializer(result).data)


class _CommitterMixin(CCViewMixin, generics.GenericAPIView):
    """Queryset and serializer context of the committer views."""

    permission_classes = [IsAuthenticated]
    serializer_class = CommitterSerializer

    def get_queryset(self):
        return ownership_api.get_committers().order_by("github_key")

    def get_serializer(self, *args, **kwargs):
        instances = args[0] if args else kwargs.get("instance")
        context = self.get_serializer_context()
        if instances is not None:
            items = list(instances) if kwargs.get("many") else [instances]
            # DRF's get_serializer_context makes a new dict at each call; the stubs type it as a read-only Mapping
            context["states"] = ownership_api.committer_states(items, timezone.now())  # type: ignore[index]
        kwargs["context"] = context
        return self.get_serializer_class()(*args, **kwargs)


class CommitterListView(_CommitterMixin, generics.ListAPIView):
    """
    Core Committers with their organization, status, agreement status and rights.
    """

    pagination_class = CCPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = CommitterFilter


class CommitterDetailView(_CommitterMixin, generics.RetrieveAPIView):
    """
    One Core Committer, by GitHub login (case-insensitive).
    """

    def get_object(self):
        return get_object_or_404(self.get_queryset(), github_key=self.kwargs["github_username"].lower())


class _RepositoryMixin(CCViewMixin, generics.GenericAPIView):
    """Queryset and serializer context of the repository views."""

    permission_classes = [IsAuthenticated]
    serializer_class = RepositorySerializer

    def get_queryset(self):
        return ownership_api.get_repositories().order_by("key")

    def get_serializer(self, *args, **kwargs):
        instances = args[0] if args else kwargs.get("instance")
        context = self.get_serializer_context()
        if instances is not None:
            items = list(instances) if kwargs.get("many") else [instances]
            # DRF's get_serializer_context makes a new dict at each call; the stubs type it as a read-only Mapping
            context["effective"] = ownership_api.effective_committers(items, timezone.now())  # type: ignore[index]
        kwargs["context"] = context
        return self.get_serializer_class()(*args, **kwargs)


class RepositoryListView(_RepositoryMixin, generics.ListAPIView):
    """
    Repositories with their aliases, extensions and effective Core Committers now.
    """

    pagination_class = CCPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = RepositoryFilter


class RepositoryDetailView(_RepositoryMixin, generics.RetrieveAPIView):
    """
    One repository by ``owner/name`` (case-insensitive; former names are followed), with its catalog-info entry. A
    repository known only from its catalog-info.yaml is shown too: no aliases or extensions, and only the
    committers whose rights cover its whole owner (``owner/*``).
    """

    serializer_class = RepositoryDetailSerializer

    def retrieve(self, request, *args, **kwargs):
        name = f"{self.kwargs['owner']}/{self.kwargs['name']}"
        try:
            resolved, repository = ownership_api.resolve_repository(name)
        except InvalidValue as exc:
            raise ValidationFailed([Problem(field="repository", message=str(exc))]) from exc
        entry = catalog_api.get_catalog_entry(resolved.key)
        if repository is not None:
            repository = get_object_or_404(self.get_queryset(), pk=repository.pk)
            repository.catalog_entry = entry
            return Response(self.get_serializer(repository).data)
        if entry is None:
            raise Http404(f"no repository {name} is recorded")
        committers = catalog_api.effective_committers_of_unrecorded(entry, timezone.now())
        return Response({
            "full_name": entry.repository, "owner": entry.repository_key.split("/", 1)[0], "aliases": [],
            "extensions": [], "effective_committers": EffectiveCommitterSerializer(committers, many=True).data,
            "catalog": CatalogInfoSerializer(entry).data,
        })


class _DeploymentReadMixin(CCViewMixin, generics.GenericAPIView):
    """Who reads deployments: staff all of them, a Core Committer those of their own changes."""

    permission_classes = [IsAuthenticated]
    serializer_class = DeploymentSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator, not a reader
            return deployments_api.no_deployments()
        queryset = deployments_api.deployments_to_show(self.request.user)
        if queryset is None:
            raise PermissionDenied("Only staff and Core Committers (linked to this account) see deployments.")
        return queryset

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not is_staff(self.request.user):
            # DRF's get_serializer_context makes a new dict at each call; the stubs type it as a read-only Mapping
            context["only_login"] = ownership_api.committer_login_for_user(self.request.user)  # type: ignore[index]
        return context


def _declared_length(request) -> int:
    """The request's Content-Length, or 0 when it gives none (or nonsense)."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class _SignedBodyMixin:
    """
    What the two endpoints that record deployments from a signed body (a report, a GitHub delivery) check before
    its signature: that recording is switched on, and that the body is no larger than they accept.
    """

    def recording_off(self):
        """A 503 with ``Retry-After`` while deployment recording is switched off, else None."""
        if deployments_api.recording_allowed():
            return None
        response = problems_response(
            [Problem(field="", message="deployment recording is switched off (openedx_cc.record_deployments); "
                                       "retry later")],
            status.HTTP_503_SERVICE_UNAVAILABLE,
        )
        response["Retry-After"] = "300"
        return response

    def read_body(self, django_request, limit: int, what: str):
        """``(raw body, None)``, or ``(None, a 413)`` for a body larger than ``limit`` (declared or as read)."""
        declared = _declared_length(django_request)
        raw = b"" if declared > limit else django_request.read(limit + 1)
        if declared > limit or len(raw) > limit:
            return None, problems_response([Problem(field="", message=f"the {what} is larger than {limit} bytes")],
                                           status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        return raw, None

    def signature_refused(self, exc, header: str):
        """The answer to a body whose signature did not verify: 503 when no secret is set, else 401."""
        if not exc.configured:
            return problems_response([Problem(field="", message=str(exc))], status.HTTP_503_SERVICE_UNAVAILABLE)
        return Response({"detail": str(exc)}, status=status.HTTP_401_UNAUTHORIZED,
                        headers={"WWW-Authenticate": f'HMAC-SHA256 header="{header}"'})


# The HTTP answer to each outcome of a deployment report (docs/reference/report-format.rst).
_RECORD_STATUS = {
    deployments_api.RecordOutcome.RECORDED: status.HTTP_201_CREATED,
    deployments_api.RecordOutcome.ALREADY_RECORDED: status.HTTP_200_OK,
    deployments_api.RecordOutcome.CONFLICT: status.HTTP_409_CONFLICT,
}


@extend_schema(
    methods=["POST"],
    request={"application/json": {"type": "object",
                                  "description": "A deployment report (docs/reference/report-format.rst)."}},
    responses={201: dict, 200: dict, 400: dict, 401: dict, 409: dict, 413: dict, 503: dict},
    summary="Record a deployment report (signed with X-CC-Signature-256)",
)
class DeploymentListView(_SignedBodyMixin, _DeploymentReadMixin, generics.ListAPIView):
    """
    ``GET``: recorded deployments (staff; a Core Committer sees those of their own changes).
    ``POST``: a CD pipeline reports a deployment, signed with ``X-CC-Signature-256`` (docs/reference/report-format.rst).
    """

    pagination_class = CCPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = DeploymentFilter

    def get_permissions(self):
        if self.request.method == "POST":
            return [AllowAny()]  # the HMAC signature authenticates the pipeline
        return super().get_permissions()

    def perform_authentication(self, request):
        if request.method != "POST":  # no session (nor its CSRF check) for signed reports
            super().perform_authentication(request)

    def post(self, request):
        refused = self.recording_off()
        if refused is not None:
            return refused
        django_request = request._request
        raw, too_large = self.read_body(django_request, deployments_api.MAX_REPORT_BYTES, "report")
        if too_large is not None:
            return too_large
        try:
            deployments_api.verify_signature(raw, django_request.META.get("HTTP_X_CC_SIGNATURE_256"))
        except deployments_api.SignatureError as exc:
            return self.signature_refused(exc, deployments_api.SIGNATURE_HEADER)
        try:
            result = deployments_api.record_deployment(raw)
        except deployments_api.RecordingBusy as exc:
            response = problems_response([deployments_api.Problem(field="", message=str(exc))],
                                         status.HTTP_503_SERVICE_UNAVAILABLE)
            response["Retry-After"] = "5"
            return response
        return Response(result.body, status=_RECORD_STATUS[result.outcome])


# The HTTP answer to each way a GitHub delivery is received (docs/reference/rest.rst, "GitHub intake").
_RECEIPT_STATUS = {
    github_api.Receipt.ACCEPTED: status.HTTP_202_ACCEPTED,
    github_api.Receipt.KNOWN: status.HTTP_200_OK,
}


@extend_schema(
    request={"application/json": {"type": "object", "description": "A GitHub webhook payload, as GitHub sends it."}},
    responses={200: dict, 202: dict, 400: dict, 401: dict, 413: dict, 503: dict},
    summary="Receive a GitHub webhook delivery (signed with X-Hub-Signature-256)",
)
class GitHubDeliveryView(_SignedBodyMixin, CCViewMixin, APIView):
    """
    ``POST``: GitHub delivers a webhook event (pull requests, pushes, deployments and deployment statuses), signed
    with ``X-Hub-Signature-256`` (docs/reference/rest.rst, "GitHub intake"). The delivery is stored, then processed
    after the commit; the answer says how it was received: 202 stored now, 200 a ping or a delivery stored before.
    """

    permission_classes = [AllowAny]  # the HMAC signature authenticates GitHub

    def perform_authentication(self, request):
        pass  # no session (nor its CSRF check) for signed deliveries

    def post(self, request):
        refused = self.recording_off()
        if refused is not None:
            return refused
        django_request = request._request
        raw, too_large = self.read_body(django_request, github_api.MAX_DELIVERY_BYTES, "delivery")
        if too_large is not None:
            return too_large
        try:
            github_api.verify_github_signature(raw, django_request.META.get("HTTP_X_HUB_SIGNATURE_256"))
        except github_api.GitHubSignatureError as exc:
            return self.signature_refused(exc, github_api.SIGNATURE_HEADER)
        try:
            received = github_api.receive_delivery(raw, event=django_request.META.get("HTTP_X_GITHUB_EVENT"),
                                                   delivery_id=django_request.META.get("HTTP_X_GITHUB_DELIVERY"))
        except github_api.DeliveryNotStored as exc:
            response = problems_response([Problem(field="", message=str(exc))], status.HTTP_503_SERVICE_UNAVAILABLE)
            response["Retry-After"] = "60"
            return response
        code = _RECEIPT_STATUS[received.receipt]
        if received.event == "ping":
            code = status.HTTP_200_OK
        return Response(received.as_dict(), status=code)



class _HubMixin(CCViewMixin):
    """The hub's endpoints: 404 while this service is no hub (``openedx_cc.hub`` or ``openedx_cc.enabled`` off)."""

    def initial(self, request, *args, **kwargs):
        if not hub_api.hub_enabled():
            raise Http404("this service is no community hub (openedx_cc.hub is off)")
        super().initial(request, *args, **kwargs)


@extend_schema(
    request={"application/json": {"type": "object",
                                  "description": "A batch of at most 500 events (docs/reference/hub.rst, \"Wire\")."}},
    responses={200: HubBatchReceiptSerializer, 400: dict, 401: dict, 404: dict, 413: dict, 503: dict},
    summary="Receive a batch of events from an instance of this hub (signed with X-CC-Signature-256)",
)
class HubEventsView(_SignedBodyMixin, _HubMixin, APIView):
    """
    ``POST``: an instance forwards the fate of CC changes, named by ``X-CC-Instance`` and signed with its secret in
    ``X-CC-Signature-256`` (docs/reference/hub.rst). 200 with what was accepted, what was a duplicate and which
    events were of types this hub does not know; 401 for an unknown or revoked instance or a wrong signature; 400
    naming each wrong field of a malformed batch, nothing stored.
    """

    permission_classes = [AllowAny]  # the instance's signature authenticates it

    def perform_authentication(self, request):
        pass  # no session (nor its CSRF check) for signed batches

    def post(self, request):
        django_request = request._request
        raw, too_large = self.read_body(django_request, hub_api.MAX_BATCH_BYTES, "batch")
        if too_large is not None:
            return too_large
        try:
            receipt = hub_api.receive_batch(raw, django_request.META.get("HTTP_X_CC_INSTANCE"),
                                            django_request.META.get("HTTP_X_CC_SIGNATURE_256"))
        except hub_api.InstanceRefused as exc:
            return Response({"detail": exc.reason}, status=status.HTTP_401_UNAUTHORIZED,
                            headers={"WWW-Authenticate": f'HMAC-SHA256 header="{hub_api.SIGNATURE_HEADER}"'})
        except hub_api.ReceivingBusy as exc:
            response = problems_response([Problem(field="", message=str(exc))], status.HTTP_503_SERVICE_UNAVAILABLE)
            response["Retry-After"] = "5"
            return response
        return Response(receipt.as_dict())


@extend_schema(
    parameters=[HubChangesQuerySerializer],
    responses={200: HubChangeSerializer(many=True), 400: dict, 403: dict, 404: dict},
    summary="Where the instances of this hub deployed and removed each change (staff; a CC their own changes)",
)
class HubChangesView(_HubMixin, generics.ListAPIView):
    """
    The changes the instances of this hub reported, newest first: where each was deployed (instance, environment
    class, first deployed) and where, how and when it was removed (docs/reference/hub.rst, "Hub reads"). Staff read
    every change; a Core Committer (linked to this account) reads their own changes only.
    """

    permission_classes = [IsAuthenticated]
    serializer_class = HubChangeSerializer
    pagination_class = CCPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator, not a reader
            return hub_api.no_hub_changes()
        query = HubChangesQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        user = params.get("user")
        if not is_staff(self.request.user):
            login = ownership_api.committer_login_for_user(self.request.user)
            if login is None:
                raise PermissionDenied("Only staff and Core Committers (linked to this account) read the hub.")
            if user and user.lower() != login.lower():
                raise PermissionDenied("A Core Committer reads their own changes only.")
            user = login
        try:
            return hub_api.hub_changes(core_committer=user, repository=params.get("repository"),
                                       since=params.get("since"))
        except InvalidValue as exc:
            raise ValidationFailed([Problem(field="repository", message=str(exc))]) from exc

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        changes = list(page) if page is not None else []
        context = dict(self.get_serializer_context(), fates=hub_api.hub_change_fates(changes))
        return self.get_paginated_response(HubChangeSerializer(changes, many=True, context=context).data)


class DeploymentDetailView(_DeploymentReadMixin, generics.RetrieveAPIView):
    """One recorded deployment, by its report id, with the fate of each of its changes and what it removed."""

    serializer_class = DeploymentDetailSerializer
    lookup_field = "report_id"
    lookup_url_kwarg = "deployment_id"


@extend_schema(
    parameters=[DeploymentHeadsQuerySerializer],
    responses={200: DeploymentHeadsSerializer, 400: dict, 401: dict, 403: dict},
    summary="Where each repository stands in an environment (staff, or a reporter signing the request)",
)
class DeploymentHeadsView(CCViewMixin, APIView):
    """
    The latest head of each repository in an environment, so that the next report (or GitHub's next deployment)
    knows where to start. Staff read it; so does a reporter that signs the request's path and query string with
    ``X-CC-Signature-256`` (docs/reference/report-format.rst).
    """

    permission_classes = [IsStaff]

    def _signed(self, request) -> bool:
        return bool(request.META.get("HTTP_X_CC_SIGNATURE_256"))

    def get_permissions(self):
        if self._signed(self.request):
            return [AllowAny()]  # the HMAC signature of the path authenticates the reporter
        return super().get_permissions()

    def perform_authentication(self, request):
        if not self._signed(request):
            super().perform_authentication(request)

    def get(self, request):
        if self._signed(request):
            try:
                deployments_api.verify_signature(request.get_full_path().encode("utf-8"),
                                                 request.META.get("HTTP_X_CC_SIGNATURE_256"))
            except deployments_api.SignatureError as exc:
                code = status.HTTP_401_UNAUTHORIZED if exc.configured else status.HTTP_503_SERVICE_UNAVAILABLE
                return Response({"detail": str(exc)}, status=code)
        query = DeploymentHeadsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        environment = query.validated_data["environment"]
        heads = deployments_api.current_heads(environment)
        return Response(DeploymentHeadsSerializer({"environment": environment, "heads": heads}).data)


@extend_schema(responses={200: InstalledExtensionSerializer(many=True)},
               summary="The Open edX extensions installed in this service, with their repositories")
class ExtensionListView(CCViewMixin, APIView):
    """
    What this service runs: the entry points of the Open edX plugin groups, their distribution, version and
    repository (staff only). ``manage.py cc_discover_extensions`` records them in the registry.
    """

    permission_classes = [IsStaff]

    def get(self, request):
        return Response(InstalledExtensionSerializer(catalog_api.discover_extensions(), many=True).data)


@extend_schema(parameters=[AuditQuerySerializer], responses={200: dict},
               summary="The staleness audit of the registry (manage.py cc_audit)")
class AuditView(CCViewMixin, APIView):
    """
    What needs an operator's action before the registry goes stale (staff only).
    """

    permission_classes = [IsStaff]

    def get(self, request):
        query = AuditQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(python_api.audit(days=query.validated_data["days"]).as_dict())


@extend_schema(
    parameters=[MetricsQuerySerializer],
    responses={200: dict},
    summary="Change-failure metrics of CC changes and of all changes, for a window and filters",
)
class MetricsView(CCViewMixin, APIView):
    """
    How changes fare once deployed: deployed, reverted, rolled back, change failure rate and time to revert, for CC
    changes and for all changes, overall and by Core Committer, repository, environment, release and month.
    A Core Committer who is not staff sees the figures of their own changes only.
    """

    permission_classes = [IsAuthenticated]

    def get(self, request):
        params = {key: request.query_params.get(key) for key in request.query_params}
        if not is_staff(request.user):
            login = ownership_api.committer_login_for_user(request.user)
            if login is None:
                raise PermissionDenied("Only staff and Core Committers (linked to this account) see metrics.")
            if params.get("user") and params["user"].lower() != login.lower():
                raise PermissionDenied("A Core Committer sees the figures of their own changes only.")
            params["user"] = login
        return Response(metrics_api.compute_metrics(name_unknown_values=is_staff(request.user), **params))


class YAMLRenderer(BaseRenderer):
    """Multi-document YAML, as the Backstage entities are served (errors too, when a client asks for YAML)."""

    media_type = "application/yaml"
    format = "yaml"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, str):
            return data.encode("utf-8")
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode("utf-8")


@extend_schema(
    parameters=[OpenApiParameter("token", str, description="OPENEDX_CC_BACKSTAGE_TOKEN, for a Backstage location")],
    responses={(200, "application/yaml"): OpenApiTypes.STR, 401: dict, 403: dict},
    summary="The registry as Backstage entities: a Group per repository with effective CCs, a User per effective CC",
)
class BackstageEntitiesView(CCViewMixin, APIView):
    """
    A multi-document YAML of Backstage entities that a Backstage ``url`` location ingests (docs/reference/rest.rst,
    "Backstage"). Staff read it, or anyone with ``?token=`` equal to ``OPENEDX_CC_BACKSTAGE_TOKEN``.
    """

    permission_classes = [IsStaffOrBackstage]
    renderer_classes = [JSONRenderer, YAMLRenderer]

    def get(self, request):
        location = request.build_absolute_uri(request.path)  # never the query string: the token stays out
        body = catalog_api.backstage_entities_yaml(location)
        return HttpResponse(body, content_type="application/yaml; charset=utf-8")


_SCHEMA_SETTINGS = {
    "TITLE": "openedx-cc REST API",
    "DESCRIPTION": "The Core Committer program's registry, deployments and metrics (docs/reference/rest.rst).",
    "VERSION": __version__,
    "SCHEMA_PATH_PREFIX": r"/api/cc/v[0-9]+",
}


class SchemaView(CCViewMixin, SpectacularAPIView):
    """The OpenAPI 3 document of this API."""

    permission_classes = [IsAuthenticated]
    schema = None  # not an operation of the API itself
    custom_settings = _SCHEMA_SETTINGS
    urlconf = "openedx_cc.urls"


class DocsView(CCViewMixin, SpectacularSwaggerView):
    """Browsable documentation of this API (Swagger UI, served from the package, no CDN)."""

    permission_classes = [IsAuthenticated]
    schema = None  # not an operation of the API itself
    url_name = "openedx_cc:v1:schema"
    title = "openedx-cc REST API"

    @staticmethod
    def _swagger_ui_resource(filename):
        return static(f"drf_spectacular_sidecar/swagger-ui-dist/{filename}")

    @staticmethod
    def _swagger_ui_favicon():
        return static("drf_spectacular_sidecar/swagger-ui-dist/favicon-32x32.png")
