from django import template

from ..forms import TeamRegistrationForm

register = template.Library()


@register.inclusion_tag("contests/judging/_contest_section.html", takes_context=True)
def judging_section(context, page, current_round=None):
    """The judged competition's part of its contest page: how to take part, the team form."""
    return {
        "page": page,
        "current_round": current_round,
        "form": TeamRegistrationForm(),
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }
