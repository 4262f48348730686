"""
List filters of the REST API (django-filter).
"""
import django_filters
from django import forms
from django.db.models import Q

from rest_framework.exceptions import ValidationError

from openedx_cc.lib.errors import InvalidValue
from openedx_cc.lib.timeutil import parse_aware_datetime
from openedx_cc.plugins.ownership import api as ownership_api


class CommitterFilter(django_filters.FilterSet):
    """Filters of ``GET committers/``."""

    status = django_filters.ChoiceFilter(choices=ownership_api.CommitterStatus.choices)
    organization = django_filters.CharFilter(field_name="organization__slug", lookup_expr="iexact")
    repository = django_filters.CharFilter(method="filter_repository", help_text="Holds a right on it (owner/name).")
    q = django_filters.CharFilter(method="filter_q", help_text="Part of the GitHub login or the name.")

    class Meta:  # the model comes from the view's queryset (``ownership_api.get_committers()``)
        fields = ["status", "organization", "repository", "q"]

    def filter_repository(self, queryset, name, value):
        try:
            return ownership_api.committers_holding_rights_on(queryset, value)
        except InvalidValue as exc:
            raise ValidationError({"repository": [str(exc)]}) from exc

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(github_key__icontains=value.strip()) | Q(name__icontains=value.strip()))


class RepositoryFilter(django_filters.FilterSet):
    """Filters of ``GET repositories/``."""

    owner = django_filters.CharFilter(field_name="owner", lookup_expr="iexact")
    q = django_filters.CharFilter(field_name="key", lookup_expr="icontains", help_text="Part of owner/name.")

    class Meta:  # the model comes from the view's queryset (``ownership_api.get_repositories()``)
        fields = ["owner", "q"]


class AwareDateTimeField(forms.Field):
    """An ISO 8601 datetime with a time zone, parsed by the one rule of the set (``parse_aware_datetime``)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_aware_datetime(value)
        except InvalidValue as exc:
            raise forms.ValidationError(str(exc)) from exc


class AwareDateTimeFilter(django_filters.Filter):
    """A filter on a datetime field that refuses values without a time zone or out of range (400, not 500)."""

    field_class = AwareDateTimeField


class DeploymentFilter(django_filters.FilterSet):
    """Filters of ``GET deployments/``."""

    environment = django_filters.CharFilter()
    release = django_filters.CharFilter()
    kind = django_filters.ChoiceFilter(choices=[("deploy", "deploy"), ("rollback", "rollback")])
    since = AwareDateTimeFilter(field_name="deployed_at", lookup_expr="gte")
    until = AwareDateTimeFilter(field_name="deployed_at", lookup_expr="lt")
