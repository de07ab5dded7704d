from django.core.management.base import BaseCommand, CommandError

from secretariat.core.models import ApiToken
from secretariat.core.models.users import hash_token
from secretariat.core.services.accounts import revoke_api_token


class Command(BaseCommand):
    help = "Revoke an API token, given the token itself or its 8-character prefix."

    def add_arguments(self, parser):
        parser.add_argument("token")

    def handle(self, *args, token, **options):
        matches = ApiToken.objects.filter(key_hash=hash_token(token)) or ApiToken.objects.filter(
            prefix=token, revoked_at__isnull=True
        )
        found = list(matches[:2])
        if len(found) != 1:
            raise CommandError("Jeton introuvable ou ambigu : donnez le jeton complet.")
        revoke_api_token(found[0])
        self.stdout.write(f"Jeton {found[0].prefix}… révoqué.")
