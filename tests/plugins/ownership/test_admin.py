"""
The operators' Django admin.
"""
import pytest
from django.urls import reverse

from openedx_cc.plugins.ownership.models import CommitRight, CoreCommitter, Repository

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


MODELS = ["organization", "corecommitter", "commitright", "agreement", "champion", "repository", "extension",
          "repositoryalias", "programphase", "loggedevent"]


@pytest.mark.parametrize("model", MODELS)
def test_every_changelist_renders_and_searches(admin_client, pilot, model):
    url = reverse(f"admin:openedx_cc_{model}_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "opencraft"}).status_code == 200


@pytest.mark.parametrize("params", [{"status__exact": "active"}, {"expiry": "30"}, {"expiry": "expired"},
                                    {"organization__id__exact": "1"}])
def test_committer_filters(admin_client, pilot, params):
    response = admin_client.get(reverse("admin:openedx_cc_corecommitter_changelist"), params)
    assert response.status_code == 200


def test_committer_page_has_rights_agreements_and_champions_inlines(admin_client, pilot):
    committer = CoreCommitter.objects.get(github_key="bradenmacdonald")
    page = admin_client.get(reverse("admin:openedx_cc_corecommitter_change", args=[committer.pk])).content.decode()
    assert "openedx/openedx-platform (whole repository, all branches)" in page
    assert "Dave Ormsbee" in page and "individual" in page


def test_history_is_visible_and_read_only(admin_client, pilot):
    right = CommitRight.objects.first()
    page = admin_client.get(reverse("admin:openedx_cc_commitright_history", args=[right.pk]))
    assert page.status_code == 200
    history = right.history.first()
    revert = admin_client.get(reverse("admin:openedx_cc_commitright_simple_history",
                                      args=[right.pk, history.history_id]))
    assert revert.status_code in {200, 403}
    assert b'name="_save"' not in revert.content  # no revert button


def test_suspend_action(admin_client, pilot):
    committer = CoreCommitter.objects.get(github_key="regisb")
    response = admin_client.post(reverse("admin:openedx_cc_corecommitter_changelist"),
                                 {"action": "suspend", "_selected_action": [committer.pk]}, follow=True)
    assert b"1 committer suspended." in response.content
    committer.refresh_from_db()
    assert committer.status == "suspended"
    assert committer.history.first().history_user.username == "operator"


def test_revoke_rights_action(admin_client, pilot):
    rights = CommitRight.objects.filter(committer__github_key="regisb")
    response = admin_client.post(reverse("admin:openedx_cc_commitright_changelist"),
                                 {"action": "revoke", "_selected_action": [r.pk for r in rights]}, follow=True)
    assert b"5 rights revoked." in response.content
    assert not CommitRight.objects.filter(committer__github_key="regisb", revoked_at__isnull=True).exists()
    assert CommitRight.objects.filter(committer__github_key="regisb").count() == 5


def test_adding_a_right_goes_through_the_api(admin_client, pilot):
    committer = CoreCommitter.objects.get(github_key="regisb")
    repo = Repository.objects.get(key="openedx/xblock")
    url = reverse("admin:openedx_cc_commitright_add")
    bad = admin_client.post(url, {"committer": committer.pk, "repository": repo.pk, "paths": '["../x/"]',
                                  "branches": "[]"})
    assert bad.status_code == 200 and b"leaves the repository" in bad.content
    good = admin_client.post(url, {"committer": committer.pk, "repository": repo.pk, "paths": '["docs/"]',
                                   "branches": "[]"})
    assert good.status_code == 302
    right = CommitRight.objects.get(committer=committer, repository=repo)
    assert right.paths == ["docs/"] and right.source == "admin:operator"


def test_toggles_are_in_the_waffle_admin(admin_client):
    page = admin_client.get(reverse("admin:waffle_switch_changelist")).content.decode()
    assert "openedx_cc.enabled" in page and "openedx_cc.emit_events" in page


REGISTRY_MODELS = ["Organization", "CoreCommitter", "CommitRight", "Agreement", "Champion", "Repository", "Extension",
                   "ProgramPhase"]


@pytest.mark.parametrize("model_name", REGISTRY_MODELS)
def test_nothing_that_decides_effectiveness_can_be_deleted_in_the_admin(model_name, admin_user, admin_client):
    """Hostile input (docs/decisions/0012): not even a superuser gets Delete; revoking, ending and suspending remain."""
    from django.apps import apps
    from django.contrib import admin as django_admin
    from django.test import RequestFactory

    model = apps.get_model("openedx_cc", model_name)
    model_admin = django_admin.site._registry[model]
    request = RequestFactory().get("/")
    request.user = admin_user
    assert not model_admin.has_delete_permission(request)
    assert "delete_selected" not in model_admin.get_actions(request)
    for inline in model_admin.get_inline_instances(request):
        if inline.model._meta.model_name != "repositoryalias":
            assert not inline.can_delete


def test_deleting_a_right_through_the_admin_url_is_refused(admin_client, pilot):
    from openedx_cc.plugins.ownership.models import CommitRight

    right = CommitRight.objects.first()
    response = admin_client.post(f"/admin/openedx_cc/commitright/{right.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert CommitRight.objects.filter(pk=right.pk).exists()
