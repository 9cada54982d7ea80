"""Worker heartbeats, read-only: they are written by the workers themselves, and deleting one would hide a dead
worker from the health view (nothing here goes through an audited service, so nothing here writes)."""

from django.contrib import admin

from .models import OutboxMessage, WorkerHeartbeat


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["hostname", "last_seen", "beats"]
    readonly_fields = ["hostname", "last_seen", "beats"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Read-only: the secretariat retries from the edition's outbox page (audited), never here."""

    list_display = ["pk", "kind", "task_name", "recipient", "state", "attempts", "runs", "created_at", "edition"]
    list_filter = ["state", "kind"]
    search_fields = ["task_name", "recipient", "subject"]
    list_select_related = ["edition"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
