"""Content-addressed file storage records."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StoredFile(models.Model):
    """Bytes stored once under their SHA-256 (of the plaintext).

    Classified files are stored encrypted (AES-GCM) under a separate record
    (`encrypted=True`, `key_id` naming the key), never in clear. The stored
    bytes are never rewritten: derived copies (watermarked downloads,
    previews) are produced on the fly.
    """

    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=100)
    encrypted = models.BooleanField(_("encrypted"), default=False)
    key_id = models.CharField(_("key id"), max_length=32, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")
        constraints = [
            models.UniqueConstraint(
                fields=["sha256", "encrypted"], name="stored_file_unique"
            )
        ]

    def __str__(self) -> str:
        return self.sha256
