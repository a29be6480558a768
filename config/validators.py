from django.core.validators import RegexValidator

# Public addresses use lowercase words joined by "-" (PRODUCT.md).
validate_public_slug = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    "Use lowercase letters and digits, words joined by single hyphens.",
)
