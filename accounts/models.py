from django.conf import settings
from django.db import models


class SuspensionQuerySet(models.QuerySet):
    def is_suspended(self, user) -> bool:
        """Free for a request's member (accounts.backends loads the suspension with them)."""
        if not user.is_authenticated:
            return False
        try:
            return user.suspension is not None
        except Suspension.DoesNotExist:
            return False


class Suspension(models.Model):
    """A member who may not post or vote; what they wrote before stays."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="suspension"
    )
    reason = models.CharField(max_length=500)
    suspended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SuspensionQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.member} suspended: {self.reason}"
