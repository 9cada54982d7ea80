"""The first organiser of a new installation, without the admin: an account, its address verified, organiser.

    manage.py bootstrap_organiser ada@example.org --name "Ada Lovelace"          # prints a one-time link
    BOOTSTRAP_PASSWORD=... manage.py bootstrap_organiser ada@example.org --password-from-env BOOTSTRAP_PASSWORD
    manage.py bootstrap_organiser ada@example.org --prompt                        # asks for the password

Idempotent: run again, it finds the account and changes nothing it already has (a new link is printed; a given
password is set again).
"""

import getpass
import os

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse

from portal.models import User
from portal.services.notifications import absolute_url
from portal.services.roles import organiser_grant


class Command(BaseCommand):
    help = "Create (or find) an account for an e-mail address, verify the address and make it an organiser."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="", help="The person's full name (kept if the account has one).")
        source = parser.add_mutually_exclusive_group()
        source.add_argument("--password-from-env", metavar="VARIABLE",
                            help="Set the password from this environment variable.")
        source.add_argument("--prompt", action="store_true", help="Ask for the password on the terminal.")

    def handle(self, *args, email: str, name: str, password_from_env: str | None, prompt: bool, **options):
        email = email.strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not an e-mail address.") from None
        password = self._password(password_from_env, prompt)
        with transaction.atomic():
            user, created = User.objects.get_or_create(email=email, defaults={"name": name.strip()})
            if created:
                user.set_unusable_password()
            elif name.strip() and not user.name:
                user.name = name.strip()
            if password is not None:
                try:
                    password_validation.validate_password(password, user=user)
                except ValidationError as error:
                    raise CommandError(" ".join(error.messages)) from None
                user.set_password(password)
            user.save()
            address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
            if address is None:
                EmailAddress.objects.create(user=user, email=email, verified=True,
                                            primary=not EmailAddress.objects.filter(user=user, primary=True).exists())
            elif not address.verified:
                address.verified = True
                address.save(update_fields=["verified"])
            organiser_grant(user=user, actor=None)
        found = "Created" if created else "Found"
        self.stdout.write(f"{found} {email}; it is an organiser and its address is verified.")
        if password is None:
            path = reverse("account_reset_password_from_key",
                           kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)})
            self.stdout.write("Set the password with this one-time link (it stops working once used):")
            self.stdout.write(absolute_url(path))
        else:
            self.stdout.write("The password is set.")

    def _password(self, variable: str | None, prompt: bool) -> str | None:
        if variable:
            value = os.environ.get(variable)
            if not value:
                raise CommandError(f"The environment variable {variable} is empty or not set.")
            return value
        if prompt:
            first = getpass.getpass("Password: ")
            if first != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords differ.")
            if not first:
                raise CommandError("The password is empty.")
            return first
        return None
