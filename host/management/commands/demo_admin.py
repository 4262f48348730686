"""
``manage.py demo_admin``: create (or reset) the demo's superuser and print how to log in.
"""
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    """Create or reset the demo superuser ``admin`` with a fresh random password and print it."""

    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, **options):
        password = secrets.token_urlsafe(12)
        user, _created = get_user_model().objects.get_or_create(username=options["username"])
        user.email = f"{user.username}@example.org"
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        self.stdout.write(f"{user.username} {password}")
