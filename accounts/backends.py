from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class MemberBackend(ModelBackend):
    """Django's backend, loading a signed-in member's suspension with them: every write
    checks it, and this way that check costs no query."""

    def get_user(self, user_id):
        user = (
            get_user_model()
            ._default_manager.select_related("suspension")
            .filter(pk=user_id)
            .first()
        )
        return user if user and self.user_can_authenticate(user) else None
