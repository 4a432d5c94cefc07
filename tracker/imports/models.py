"""One upload of another tracker's history: its preview, its run and what it created (to undo)."""

import uuid

from django.conf import settings
from django.db import models


class ImportStatus(models.TextChoices):
    PREVIEW = "preview", "Read, waiting for confirmation"
    QUEUED = "queued", "Waiting for the worker"
    RUNNING = "running", "Importing"
    DONE = "done", "Imported"
    FAILED = "failed", "Failed"
    UNDONE = "undone", "Undone"


class ImportBatch(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="imports")
    source = models.CharField(max_length=16, help_text='"cronometer" or "csv" (the template).')
    filename = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, help_text="Of the file as uploaded.")
    # The file itself, kept between the preview and the run only (emptied once imported or undone).
    content = models.BinaryField(blank=True, default=b"", editable=False)
    status = models.CharField(max_length=8, choices=ImportStatus.choices, default=ImportStatus.PREVIEW)
    preview = models.JSONField(default=dict, blank=True)
    created = models.JSONField(
        default=dict, blank=True, help_text="What the run added: entries, doses, foods."
    )
    progress = models.PositiveIntegerField(default=0, help_text="Rows written so far.")
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="import_user_recent")]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.status})"
