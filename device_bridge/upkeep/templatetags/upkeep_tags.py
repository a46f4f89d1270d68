"""Money as the office writes it: 1.850.000 đ (the vi locale sets no digit grouping)."""

from django import template

register = template.Library()


def vnd_text(amount) -> str:
    if amount is None or amount == "":
        return "–"
    return f"{int(amount):,}".replace(",", ".") + " đ"


@register.filter
def vnd(amount) -> str:
    return vnd_text(amount)
