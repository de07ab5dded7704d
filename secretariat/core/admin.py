"""Django admin for support staff. Day-to-day administration is in the coordinator screens.

Writes made here bypass the services, so ``AuditedAdmin`` copies Django's own
change log into the audit trail. The audit trail and failed tasks are read-only
here: no add, change or delete, whatever the permissions of the account.
"""

import json

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from secretariat.core import audit
from secretariat.core.models import (
    AuditEvent,
    CareTeam,
    OpeningHours,
    Practitioner,
    Service,
    Site,
    Structure,
    TaskFailure,
    User,
)


class AuditedAdmin(admin.ModelAdmin):
    """Every add, change and delete through the admin also goes to the audit trail."""

    def _record(self, action: str, request, obj, message) -> None:
        # Django's change message may hold lazy labels: round-trip it to plain JSON.
        plain = json.loads(json.dumps(message, default=str))
        audit.record(action, target=obj, acting_user=request.user,
                     data={"model": obj._meta.label, "message": plain})

    def log_addition(self, request, obj, message):
        self._record("core.admin_record_added", request, obj, message)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._record("core.admin_record_changed", request, obj, message)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            self._record("core.admin_record_deleted", request, obj, "")
        return super().log_deletions(request, queryset)


@admin.register(Structure)
class StructureAdmin(AuditedAdmin):
    list_display = ["name", "kind", "finess", "siret", "is_demo"]
    list_filter = ["kind", "is_demo"]
    search_fields = ["name", "finess", "siret"]


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


@admin.register(Site)
class SiteAdmin(AuditedAdmin):
    list_display = ["name", "structure", "city", "phone", "finess"]
    list_filter = ["structure"]
    search_fields = ["name", "city", "finess"]
    list_select_related = ["structure"]
    inlines = [OpeningHoursInline]


@admin.register(Service)
class ServiceAdmin(AuditedAdmin):
    list_display = ["name", "structure", "site"]
    list_filter = ["structure"]
    search_fields = ["name"]
    list_select_related = ["structure", "site"]


@admin.register(Practitioner)
class PractitionerAdmin(AuditedAdmin):
    list_display = ["last_name", "first_name", "specialty", "rpps", "structure", "is_active"]
    list_filter = ["structure", "is_active", "convention_sector"]
    search_fields = ["last_name", "first_name", "rpps", "specialty"]
    list_select_related = ["structure"]
    raw_id_fields = ["user"]
    filter_horizontal = ["sites", "services"]


@admin.register(CareTeam)
class CareTeamAdmin(AuditedAdmin):
    list_display = ["name", "structure"]
    list_filter = ["structure"]
    search_fields = ["name"]
    list_select_related = ["structure"]
    filter_horizontal = ["practitioners", "services", "members"]


@admin.register(User)
class StaffUserAdmin(AuditedAdmin, UserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "structure", "role", "is_active"]
    list_filter = ["structure", "role", "is_active", "is_superuser"]
    list_select_related = ["structure"]
    fieldsets = [
        *UserAdmin.fieldsets,
        (_("Secretariat"), {"fields": ["structure", "role"]}),
    ]
    add_fieldsets = [
        *UserAdmin.add_fieldsets,
        (_("Secretariat"), {"fields": ["structure", "role"]}),
    ]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable, never writable: these rows are evidence."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "action", "actor_label", "target_label", "patient_id", "structure_id",
                    "desk", "ip_address"]
    list_filter = ["action"]
    search_fields = ["actor_label", "target_label"]
    # The trail grows to millions of rows: no full count, no date aggregates.
    show_full_result_count = False


@admin.register(TaskFailure)
class TaskFailureAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "task_name", "task_id", "acknowledged_at"]
    list_filter = ["task_name"]
    search_fields = ["task_name", "task_id"]
