"""
``manage.py demo_admin [--password-file PATH]``: make sure the demo's superuser exists and print how to log in.
"""
import secrets
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    """
    Create the demo superuser (``admin``) and print ``user password``.

    With ``--password-file``, the password is generated once and kept in that file: later runs print it again and
    leave the account as the operator left it. Without the file (first start, or removed to get a new password), a
    new password is generated, written there and set on the account. Without ``--password-file``, a new password is
    set on every run.
    """

    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--password-file", type=Path, help="where the demo keeps the admin password")

    def handle(self, *args, **options):
        path = options["password_file"]
        stored = path.read_text(encoding="utf-8").strip() if path and path.is_file() else ""
        password = stored or secrets.token_urlsafe(12)
        if path and not stored:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(password + "\n", encoding="utf-8")
        user, created = get_user_model().objects.get_or_create(username=options["username"])
        if created or not stored:
            user.email = f"{user.username}@example.org"
            user.is_staff = user.is_superuser = True
            user.set_password(password)
            user.save()
        self.stdout.write(f"{user.username} {password}")
