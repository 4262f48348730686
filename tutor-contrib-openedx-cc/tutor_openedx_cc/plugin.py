"""
openedx-cc for Tutor: installs the package into the openedx image, writes its settings into LMS and CMS, creates its
tables and switches in the init task, and adds ``tutor local do cc-import``, ``cc-audit``,
``cc-process-github-deliveries``, ``cc-forward-to-hub`` and ``cc-hub-instance``.

Configuration (``tutor config save --set KEY=VALUE``):

- ``OPENEDX_CC_PIP_REQUIREMENT``: what pip installs into the image (default: this plugin's release of openedx-cc).
- ``OPENEDX_CC_OPERATOR_EMAILS``: the site operators who receive notifications (a list of addresses).
- ``OPENEDX_CC_REPOSITORY_ALIASES``: extra repository renames ``{"old/name": "new/name"}``.
- ``OPENEDX_CC_EVENT_BUS_ENABLED``: whether the set's events go to the event bus (default false).
- ``OPENEDX_CC_WEBHOOK_SECRET``, ``OPENEDX_CC_GITHUB_WEBHOOK_SECRET``: generated once, kept in config.yml.
- ``OPENEDX_CC_HUB``: the community hub this platform forwards to, ``{"url", "instance", "secret"}`` (default: none).
- ``OPENEDX_CC_HUB_ENVIRONMENT_CLASSES``: ``{"environment name": "production" | "staging" | "other"}``.
"""
from __future__ import annotations

import os
import shlex
import typing as t
from importlib import resources

import click
from tutor import exceptions, hooks

from tutor_openedx_cc import __version__
from tutor_openedx_cc.rules import config_problems

TEMPLATES = str(resources.files("tutor_openedx_cc") / "templates")

# Every switch of the set (openedx-cc's docs/reference/settings.rst), created off by the init task.
SWITCHES = [
    "openedx_cc.enabled",
    "openedx_cc.record_deployments",
    "openedx_cc.emit_events",
    "openedx_cc.notify",
    "openedx_cc.share_with_hub",
    "openedx_cc.hub",
]

# The set's event types and their event-bus topics and keys (openedx-cc's docs/reference/events.rst).
EVENT_BUS_TOPICS = {
    "org.openedx.core_committer.change.deployed.v1": ("core-committer-change-lifecycle", "change.repository"),
    "org.openedx.core_committer.change.reverted.v1": ("core-committer-change-lifecycle", "change.repository"),
    "org.openedx.core_committer.ownership.changed.v1": ("core-committer-ownership-lifecycle",
                                                        "ownership.github_username"),
}

hooks.Filters.CONFIG_DEFAULTS.add_items([
    ("OPENEDX_CC_VERSION", __version__),
    ("OPENEDX_CC_PIP_REQUIREMENT", f"openedx-cc=={__version__}"),
    ("OPENEDX_CC_OPERATOR_EMAILS", []),
    ("OPENEDX_CC_REPOSITORY_ALIASES", {}),
    ("OPENEDX_CC_EVENT_BUS_ENABLED", False),
    ("OPENEDX_CC_SWITCHES", SWITCHES),
    ("OPENEDX_CC_HUB", None),
    ("OPENEDX_CC_HUB_ENVIRONMENT_CLASSES", {}),
])
# Values go into Python settings and a shell command as literals of those languages, never as raw text.
hooks.Filters.ENV_TEMPLATE_FILTERS.add_items([
    ("openedx_cc_python", repr),
    ("openedx_cc_shell", shlex.quote),
])
hooks.Filters.CONFIG_UNIQUE.add_items([
    ("OPENEDX_CC_WEBHOOK_SECRET", "{{ 40|random_string }}"),
    ("OPENEDX_CC_GITHUB_WEBHOOK_SECRET", "{{ 40|random_string }}"),
])

# The package, installed into the openedx image after the platform's own requirements. openedx-cc's lower bounds are
# the versions the supported platform releases pin, so pip upgrades none of the platform's packages here.
hooks.Filters.ENV_PATCHES.add_item((
    "openedx-dockerfile-post-python-requirements",
    """# openedx-cc: Core Committer program plugins (tutor-contrib-openedx-cc)
RUN --mount=type=cache,target=/openedx/.cache/pip,sharing=shared \\
    $PIP_COMMAND install {{ OPENEDX_CC_PIP_REQUIREMENT|openedx_cc_shell }}
""",
))

_EVENT_BUS_LINES = "\n".join(
    f'EVENT_BUS_PRODUCER_CONFIG.setdefault("{event_type}", {{}})["{topic}"] = '
    f'{{"event_key_field": "{key}", "enabled": {{{{ OPENEDX_CC_EVENT_BUS_ENABLED|openedx_cc_python }}}}}}'
    for event_type, (topic, key) in EVENT_BUS_TOPICS.items()
)
SETTINGS = f"""# openedx-cc settings (tutor-contrib-openedx-cc) begin
OPENEDX_CC_WEBHOOK_SECRET = {{{{ OPENEDX_CC_WEBHOOK_SECRET|openedx_cc_python }}}}
OPENEDX_CC_GITHUB_WEBHOOK_SECRET = {{{{ OPENEDX_CC_GITHUB_WEBHOOK_SECRET|openedx_cc_python }}}}
OPENEDX_CC_OPERATOR_EMAILS = {{{{ OPENEDX_CC_OPERATOR_EMAILS|openedx_cc_python }}}}
OPENEDX_CC_REPOSITORY_ALIASES = {{{{ OPENEDX_CC_REPOSITORY_ALIASES|openedx_cc_python }}}}
OPENEDX_CC_HUB = {{{{ OPENEDX_CC_HUB|openedx_cc_python }}}}
OPENEDX_CC_HUB_ENVIRONMENT_CLASSES = {{{{ OPENEDX_CC_HUB_ENVIRONMENT_CLASSES|openedx_cc_python }}}}
{_EVENT_BUS_LINES}
# openedx-cc settings (tutor-contrib-openedx-cc) end
"""
hooks.Filters.ENV_PATCHES.add_items([
    ("openedx-lms-common-settings", SETTINGS),
    ("openedx-cms-common-settings", SETTINGS),
])

# The init task is rendered into the environment (env/plugins/openedx-cc/tasks/lms/init) and run by `tutor ... do init`.
hooks.Filters.ENV_TEMPLATE_ROOTS.add_item(TEMPLATES)
hooks.Filters.ENV_TEMPLATE_TARGETS.add_item(("openedx-cc/tasks", "plugins"))
with open(os.path.join(TEMPLATES, "openedx-cc", "tasks", "lms", "init"), encoding="utf-8") as _task:
    hooks.Filters.CLI_DO_INIT_TASKS.add_item(("lms", _task.read()))

@hooks.Actions.CONFIG_LOADED.add()
def _check_config(config: dict[str, t.Any]) -> None:
    """
    Refuse a configuration the set cannot use, naming each key and value (``tutor config save`` fails with it).
    """
    problems = config_problems(config)
    if problems:
        raise exceptions.TutorError("openedx-cc: " + "; ".join(problems))


def _job_path(context: click.Context, path: str) -> str:
    """
    A file of the host as the job container sees it: files under ``$(tutor config printroot)/data/lms-job/`` are at
    ``/openedx/data/`` there; paths already inside the container (``/openedx/...``) are kept.
    """
    if path.startswith("/openedx/"):
        return path
    root = os.path.realpath(os.path.join(context.obj.root, "data", "lms-job"))
    full = os.path.realpath(path)
    if full == root or full.startswith(root + os.sep):
        return "/openedx/data" + full[len(root):]
    raise click.BadParameter(
        f"{path} is not in {root}/, which the job container sees as /openedx/data/: copy it there first",
        param_hint="PATH",
    )


@click.command(name="cc-import", help="Import rosters, people.yaml, Salesforce exports or catalog-info.yaml files "
                                      "into openedx-cc (manage.py cc_import).")
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "file_format", type=click.Choice(["roster", "people-yaml", "salesforce-csv",
                                                            "catalog-info"]), help="Format of every file.")
@click.option("--dry-run", is_flag=True, help="Print what would change, write nothing.")
@click.option("--prune", is_flag=True, help="Revoke what the files no longer list.")
@click.pass_context
def cc_import(context: click.Context, paths: tuple[str, ...], file_format: str | None, dry_run: bool,
              prune: bool) -> t.Iterable[tuple[str, str]]:
    command = ["./manage.py", "lms", "cc_import", *(_job_path(context, path) for path in paths)]
    if file_format:
        command += ["--format", file_format]
    if dry_run:
        command.append("--dry-run")
    if prune:
        command.append("--prune")
    yield ("lms", shlex.join(command))


@click.command(name="cc-audit", help="Report what in the openedx-cc registry needs action (manage.py cc_audit).")
@click.option("--days", type=click.IntRange(0, 3650), default=30, show_default=True,
              help="Report what expires within this many days.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def cc_audit(days: int, as_json: bool) -> t.Iterable[tuple[str, str]]:
    command = ["./manage.py", "lms", "cc_audit", "--days", str(days)]
    if as_json:
        command.append("--json")
    yield ("lms", shlex.join(command))


@click.command(name="cc-process-github-deliveries",
               help="Process the GitHub webhook deliveries openedx-cc stored but has not processed, and complete the "
                    "unresolved GitHub deployments (manage.py cc_process_github_deliveries).")
@click.option("--failed", is_flag=True, help="Process the failed deliveries too.")
@click.option("--since", metavar="ISO", help="Only deliveries received at or after this datetime (with a time zone).")
def cc_process_github_deliveries(failed: bool, since: str | None) -> t.Iterable[tuple[str, str]]:
    command = ["./manage.py", "lms", "cc_process_github_deliveries"]
    if failed:
        command.append("--failed")
    if since:
        command += ["--since", since]
    yield ("lms", shlex.join(command))


@click.command(name="cc-forward-to-hub",
               help="Forward the change events waiting in openedx-cc's event log to the community hub, in one bounded "
                    "attempt (manage.py cc_forward_to_hub).")
@click.option("--since", metavar="ISO", help="Only events logged at or after this datetime (with a time zone).")
def cc_forward_to_hub(since: str | None) -> t.Iterable[tuple[str, str]]:
    command = ["./manage.py", "lms", "cc_forward_to_hub"]
    if since:
        command += ["--since", since]
    yield ("lms", shlex.join(command))


@click.command(name="cc-hub-instance",
               help="On a community hub: register (add), revoke, rotate or list the instances that forward to it "
                    "(manage.py cc_hub_instance). add and rotate print the secret once, on the last line.")
@click.argument("action", type=click.Choice(["add", "revoke", "rotate", "list"]))
@click.argument("name", required=False)
@click.option("--contact", metavar="EMAIL", help="With add: the email of the instance's operators.")
def cc_hub_instance(action: str, name: str | None, contact: str | None) -> t.Iterable[tuple[str, str]]:
    if (action == "list") == bool(name):
        raise click.BadParameter("list takes no NAME; add, revoke and rotate need one", param_hint="NAME")
    command = ["./manage.py", "lms", "cc_hub_instance", action] + ([name] if name else [])
    if contact:
        command += ["--contact", contact]
    yield ("lms", shlex.join(command))


hooks.Filters.CLI_DO_COMMANDS.add_items([cc_import, cc_audit, cc_process_github_deliveries, cc_forward_to_hub,
                                         cc_hub_instance])

