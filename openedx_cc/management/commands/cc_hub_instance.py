"""
``manage.py cc_hub_instance add NAME [--contact EMAIL] | revoke NAME | rotate NAME | list`` (docs/reference/cli.rst):
the instances registered with this hub (docs/how-to/run-a-hub.rst).

``add`` and ``rotate`` print the instance's secret once, alone on the last line: the hub does not store it (it
derives it from its SECRET_KEY), so hand it to the instance's operators now. Exits with status 1 for a name
registered before, an unknown name, a malformed name or email, or a revoked instance to rotate.
"""
from django.core.management.base import BaseCommand, CommandError

from openedx_cc.lib.errors import InvalidValue
from openedx_cc.python_api import (
    InstanceData,
    InstanceError,
    list_instances,
    register_instance,
    revoke_instance,
    rotate_instance_secret,
)


_ACTIONS = ("add", "revoke", "rotate", "list")


def _when(value) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value is not None else "-"


class Command(BaseCommand):
    """Register, revoke, rotate and list the instances of this hub."""

    help = __doc__

    def add_arguments(self, parser):
        # One positional action and an optional name, not argparse sub-commands: Django's own options (--settings,
        # --traceback...) then work after the name too, as with every other command.
        parser.add_argument("action", choices=_ACTIONS, help="add, revoke, rotate or list")
        parser.add_argument("name", nargs="?", help="the instance: letters, digits, '.', '_' and '-', at most 100")
        parser.add_argument("--contact", default="", help="with add: email of the instance's operators")

    def handle(self, *args, **options):
        action, name = options["action"], options["name"]
        if action == "list" and name:
            raise CommandError("list takes no name")
        if action != "list" and not name:
            raise CommandError(f"{action} needs the instance's NAME")
        if options["contact"] and action != "add":
            raise CommandError("--contact goes with add only")
        try:
            getattr(self, f"_{action}")(options)
        except (InstanceError, InvalidValue) as exc:
            raise CommandError(str(exc)) from exc

    def _add(self, options):
        issued = register_instance(options["name"], contact=options["contact"])
        self.stdout.write(f"Registered the instance {issued.instance.name}. Its secret follows, shown this once: "
                          f"give it to its operators for OPENEDX_CC_HUB.")
        self.stdout.write(issued.secret)

    def _revoke(self, options):
        instance = revoke_instance(options["name"])
        self.stdout.write(f"The instance {instance.name} is revoked since {_when(instance.revoked_at)} UTC: its "
                          f"later batches are refused; what it sent stays.")

    def _rotate(self, options):
        issued = rotate_instance_secret(options["name"])
        self.stdout.write(f"The instance {issued.instance.name} has a new secret; the old one signs nothing from now "
                          f"on. The new secret follows, shown this once.")
        self.stdout.write(issued.secret)

    def _list(self, options):
        instances = list_instances()
        if not instances:
            self.stdout.write("No instance is registered.")
            return
        for instance in instances:
            self.stdout.write(self._line(instance))

    @staticmethod
    def _line(instance: InstanceData) -> str:
        state = f"revoked {_when(instance.revoked_at)}" if instance.revoked_at else "active"
        return (f"{instance.name}\t{state}\tcontact {instance.contact or '-'}\tcreated {_when(instance.created_at)}"
                f"\tlast accepted {_when(instance.last_accepted_at)}\tlast refused {_when(instance.last_refused_at)}"
                f"\tevents {instance.deployed_events} deployed, {instance.reverted_events} reverted")
