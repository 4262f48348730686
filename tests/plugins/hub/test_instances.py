"""
The instances of a hub (``cc_hub_instance``): registered with a secret printed once and stored nowhere, revoked,
rotated, listed; a batch authenticated with the secret derived from SECRET_KEY or one of SECRET_KEY_FALLBACKS.
"""
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from openedx_cc.lib.errors import InvalidValue
from openedx_cc.plugins.hub import api as hub_api
from openedx_cc.plugins.hub.instances import authenticate_instance, derive_secret
from openedx_cc.plugins.hub.models import HubInstance
from tests.plugins.hub.hub_builders import signature

pytestmark = pytest.mark.django_db


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command("cc_hub_instance", *args, stdout=out)
    return out.getvalue()


def test_add_prints_the_secret_once_alone_on_the_last_line_and_stores_it_nowhere(settings):
    output = run("add", "edx.org-prod_1", "--contact", "ops@example.org")
    secret = output.strip().splitlines()[-1]
    assert len(secret) == 64 and int(secret, 16) >= 0
    row = HubInstance.objects.get(name="edx.org-prod_1")
    assert row.contact == "ops@example.org" and row.revoked_at is None
    assert secret == derive_secret(row.name, row.secret_salt, settings.SECRET_KEY)
    assert all(secret not in str(value) for value in HubInstance.objects.values().first().values())
    assert secret not in run("list")


@pytest.mark.parametrize("name", ["", "a b", "a/b", "é", "x" * 101, "name\n"])
def test_a_malformed_name_is_refused(name):
    with pytest.raises(InvalidValue, match="not an instance name"):
        hub_api.register_instance(name)
    assert not HubInstance.objects.exists()


def test_a_name_of_100_characters_is_fine():
    assert hub_api.register_instance("n" * 100).instance.name == "n" * 100


def test_a_malformed_contact_is_refused():
    with pytest.raises(CommandError, match="--contact: 'not an email' is not an email address"):
        run("add", "edx-prod", "--contact", "not an email")
    assert not HubInstance.objects.exists()


def test_a_name_is_registered_once_in_any_case_and_never_given_again():
    run("add", "edx-prod")
    with pytest.raises(CommandError, match="an instance named 'edx-prod' is already registered"):
        run("add", "edx-prod")
    with pytest.raises(CommandError, match="already registered"):
        run("add", "EDX-prod")
    run("revoke", "edx-prod")
    with pytest.raises(CommandError, match=r"already registered \(revoked; a name is never given again\)"):
        run("add", "edx-prod")
    assert HubInstance.objects.count() == 1


@pytest.mark.parametrize("action", ["revoke", "rotate"])
def test_an_unknown_name_is_an_error(action):
    hub_api.register_instance("edx-prod")
    with pytest.raises(CommandError, match="no instance named 'EDX-prod' is registered with this hub"):
        run(action, "EDX-prod")


def test_a_command_error_exits_with_status_1(capsys):
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as exit_:
        ManagementUtility(["manage.py", "cc_hub_instance", "revoke", "nobody"]).execute()
    assert exit_.value.code == 1
    assert "no instance named 'nobody'" in capsys.readouterr().err


def test_django_options_may_follow_the_name():
    """As operators write commands: ``cc_hub_instance add NAME --settings ...`` (the integration test's form)."""
    from openedx_cc.management.commands.cc_hub_instance import Command

    parser = Command().create_parser("manage.py", "cc_hub_instance")
    options = parser.parse_args(["add", "edx-prod", "--contact", "ops@example.org", "--settings", "host.settings",
                                 "--traceback", "--verbosity", "1"])
    assert (options.action, options.name, options.contact) == ("add", "edx-prod", "ops@example.org")
    assert (options.settings, options.traceback) == ("host.settings", True)


@pytest.mark.parametrize("argv, message", [
    (["list", "edx-prod"], "list takes no name"),
    (["add"], "add needs the instance's NAME"),
    (["revoke", "edx-prod", "--contact", "a@example.org"], "--contact goes with add only"),
])
def test_misuse_is_named(argv, message):
    with pytest.raises(CommandError, match=message):
        run(*argv)


def test_revoke_keeps_the_row_and_says_so_twice_without_change():
    run("add", "edx-prod")
    first = run("revoke", "edx-prod")
    revoked_at = HubInstance.objects.get().revoked_at
    assert revoked_at is not None and "revoked since" in first
    run("revoke", "edx-prod")
    assert HubInstance.objects.get().revoked_at == revoked_at


def test_rotate_gives_a_new_secret_and_the_old_one_signs_nothing():
    old = run("add", "edx-prod").strip().splitlines()[-1]
    new = run("rotate", "edx-prod").strip().splitlines()[-1]
    assert len(new) == 64 and new != old
    assert HubInstance.objects.get().secret_rotated_at is not None
    raw = b'{"events": []}'
    assert authenticate_instance(raw, "edx-prod", signature(raw, new)).name == "edx-prod"
    with pytest.raises(hub_api.InstanceRefused, match="from before a rotation"):
        authenticate_instance(raw, "edx-prod", signature(raw, old))


def test_a_revoked_instance_gets_no_new_secret():
    run("add", "edx-prod")
    run("revoke", "edx-prod")
    with pytest.raises(CommandError, match="'edx-prod' is revoked: it gets no new secret"):
        run("rotate", "edx-prod")


def test_list_says_who_is_active_and_how_many_events_each_sent():
    assert run("list").strip() == "No instance is registered."
    run("add", "b-inst", "--contact", "ops@b.example.org")
    run("add", "a-inst")
    run("revoke", "b-inst")
    lines = run("list").strip().splitlines()
    assert [line.split("\t")[:2] for line in lines] == [["a-inst", "active"], ["b-inst", lines[1].split("\t")[1]]]
    assert lines[1].split("\t")[1].startswith("revoked ") and "contact ops@b.example.org" in lines[1]
    assert lines[0].endswith("events 0 deployed, 0 reverted")


def test_the_secret_survives_a_rotation_of_the_hubs_key_through_the_fallbacks(settings):
    secret = hub_api.register_instance("edx-prod").secret
    raw = b'{"events": []}'
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-key-of-the-hub"
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert authenticate_instance(raw, "edx-prod", signature(raw, secret)).name == "edx-prod"
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(hub_api.InstanceRefused, match="signature does not match"):
        authenticate_instance(raw, "edx-prod", signature(raw, secret))


@pytest.mark.parametrize("name, header, reason", [
    (None, "sha256=" + "0" * 64, "the X-CC-Instance header is missing"),
    ("nobody", "sha256=" + "0" * 64, "no instance named 'nobody' is registered with this hub"),
    ("EDX-prod", "sha256=" + "0" * 64, "no instance named 'EDX-prod'"),
    ("edx-prod", None, "the X-CC-Signature-256 header is missing"),
    ("edx-prod", "sha1=abc", "must be 'sha256=<hex digest>'"),
    ("edx-prod", "sha256=" + "0" * 64, "signature does not match: the instance signs with another secret"),
])
def test_each_refusal_says_why_and_is_kept_on_the_row_when_there_is_one(name, header, reason):
    hub_api.register_instance("edx-prod")
    with pytest.raises(hub_api.InstanceRefused, match=reason):
        authenticate_instance(b"{}", name, header)
    row = HubInstance.objects.get()
    if name == "edx-prod":
        assert reason in row.last_refusal and row.last_refused_at is not None
    else:
        assert row.last_refusal == "" and row.last_refused_at is None


def test_a_revoked_instance_is_refused_even_with_its_secret():
    secret = hub_api.register_instance("edx-prod").secret
    hub_api.revoke_instance("edx-prod")
    with pytest.raises(hub_api.InstanceRefused, match="the instance 'edx-prod' was revoked on"):
        authenticate_instance(b"{}", "edx-prod", signature(b"{}", secret))
    assert "was revoked" in HubInstance.objects.get().last_refusal
