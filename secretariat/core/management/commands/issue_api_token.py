from django.core.management.base import BaseCommand, CommandError

from secretariat.core.models import User
from secretariat.core.services.accounts import issue_api_token
from secretariat.core.services.errors import ServiceError


class Command(BaseCommand):
    help = "Print a new API token acting as USERNAME (shown once; only its hash is kept)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="What the token is for (shown to coordinators).")

    def handle(self, *args, username, name, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"Aucun compte « {username} ».") from None
        try:
            token = issue_api_token(user, name=name)
        except ServiceError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(token)
