import time

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.core import signing

SIGNUP_SALT = "accounts.signup.started"
SIGNUP_FORM_MAX_AGE = 24 * 3600


def signup_started_token() -> str:
    return signing.TimestampSigner(salt=SIGNUP_SALT).sign("signup")


class SignupForm(UserCreationForm):
    """Username and password (labels as Django's own forms have them); email optional.

    Against spam bots, without a third-party service: a field people never see must stay
    empty, and a form sent back faster than SIGNUP_MIN_SECONDS is refused once.
    """

    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")
        help_texts = {"email": "Optional. Used only to reset your password."}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # labels read exactly "Username", "Password"…
        super().__init__(*args, **kwargs)
        self.fields["started"].initial = signup_started_token()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise forms.ValidationError("This sign-up looks automated and was not accepted.")
        token = cleaned.get("started") or ""
        try:
            signing.TimestampSigner(salt=SIGNUP_SALT).unsign(token, max_age=SIGNUP_FORM_MAX_AGE)
        except signing.BadSignature:
            raise forms.ValidationError("This form has expired. Please send it again.") from None
        started_at = signing.b62_decode(token.split(":")[-2])
        if time.time() - started_at < settings.SIGNUP_MIN_SECONDS:
            raise forms.ValidationError(
                "That was very quick. Please check the form and send it again."
            )
        return cleaned


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
