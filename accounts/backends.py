from axes.backends import AxesStandaloneBackend
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


class PasswordGuessingGuard(AxesStandaloneBackend):
    """django-axes' lockout check. Every login form passes the request; calls without one
    (scripts, the test client's login()) have no address to judge, so they skip it."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
