from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm


class SignupForm(UserCreationForm):
    """Username and password (labels as Django's own forms have them); email optional."""

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")
        help_texts = {"email": "Optional. Used only to reset your password."}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # labels read exactly "Username", "Password"…
        super().__init__(*args, **kwargs)


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
