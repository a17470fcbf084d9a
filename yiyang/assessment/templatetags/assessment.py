"""Template words for assessment codes: a standard's title instead of its id."""

from django import template

from yiyang.assessment import grading
from yiyang.assessment.errors import UnknownInstrument

register = template.Library()


@register.filter
def instrument_title(instrument_id: str) -> str:
    """`ltc-2021` → 长期护理失能等级评估标准（试行）; an id no definition knows stays as it is."""
    try:
        return grading.instrument_load(instrument_id).title
    except UnknownInstrument:
        return instrument_id
