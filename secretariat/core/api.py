"""JSON API of core. Bearer tokens act exactly as their user: same capabilities, same scope."""

from django.urls import path
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from secretariat.core.access import access_practitioner, practitioners_for
from secretariat.core.models import Practitioner, User
from secretariat.core.roles import Capability


class MeSerializer(serializers.ModelSerializer):
    capabilities = serializers.SerializerMethodField()
    structure = serializers.StringRelatedField()

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "role", "structure", "capabilities"]

    def get_capabilities(self, user) -> list[str]:
        return sorted(user.capabilities)


class PractitionerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Practitioner
        fields = ["id", "title", "last_name", "first_name", "rpps", "specialty", "convention_sector",
                  "mssante_address", "is_active"]


def _require(request, capability: str) -> None:
    if not request.user.has_capability(capability):
        raise PermissionDenied


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "secretariat.core.api_auth.BearerTokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "Token printed by `manage.py issue_api_token USERNAME`."}


@extend_schema(responses=MeSerializer, operation_id="me")
@api_view(["GET"])
def me(request):
    return Response(MeSerializer(request.user).data)


@extend_schema(responses=PractitionerSerializer(many=True), operation_id="practitioners_list")
@api_view(["GET"])
def practitioner_list(request):
    _require(request, Capability.VIEW_DIRECTORY)
    return Response(PractitionerSerializer(practitioners_for(request.user), many=True).data)


@extend_schema(responses=PractitionerSerializer, operation_id="practitioners_read")
@api_view(["GET"])
def practitioner_detail(request, pk: int):
    _require(request, Capability.VIEW_DIRECTORY)
    return Response(PractitionerSerializer(access_practitioner(request.user, pk)).data)


urlpatterns = [
    path("me/", me, name="api_me"),
    path("practitioners/", practitioner_list, name="api_practitioner_list"),
    path("practitioners/<int:pk>/", practitioner_detail, name="api_practitioner_detail"),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
]
