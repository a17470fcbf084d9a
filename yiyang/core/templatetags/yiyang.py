from django import template

from yiyang.core import audit

register = template.Library()


@register.filter
def note_label(note: str) -> str:
    """An audit note as people read it, in their language."""
    return audit.note_label(note)
