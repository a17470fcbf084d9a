"""The first system administrator of a new deployment: `yiyang create-admin`.

Every later account is made in the console by a system administrator; this command exists
only to make the first one. The password comes from the prompt (or YIYANG_ADMIN_PASSWORD for
scripted installs) and must be replaced at the first sign-in.
"""

import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from yiyang.accounts.services import admin_bootstrap
from yiyang.core.exceptions import DomainError


class Command(BaseCommand):
    help = "Create the first system administrator, bound to a region (e.g. --region 5301)."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--name", required=True, help="the administrator's display name")
        parser.add_argument("--region", required=True, help="division code, e.g. 5301")
        parser.add_argument("--phone", default="")

    def handle(self, *args, username, name, region, phone, **options):
        password = os.environ.get("YIYANG_ADMIN_PASSWORD") or getpass.getpass("Password: ")
        try:
            user = admin_bootstrap(
                username=username,
                display_name=name,
                region_code=region,
                password=password,
                phone=phone,
            )
        except (DomainError, ValidationError) as exc:
            fields = getattr(exc, "fields", None) or {}
            detail = "; ".join(f"{k}: {v}" for k, v in fields.items()) or str(exc)
            raise CommandError(detail) from exc
        self.stdout.write(f"system administrator {user.username} created for {user.region}")
