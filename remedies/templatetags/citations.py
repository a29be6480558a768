from django import template
from django.utils.safestring import SafeString

from remedies.citations import References

register = template.Library()


@register.filter
def cite(text: str, references: References) -> SafeString:
    """`{{ text|cite:references }}`: numbered citation links in place of `[@key]`."""
    return references.cite(text)
