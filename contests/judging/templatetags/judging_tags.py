from django import template
from django.utils import timezone

from ..forms import TeamRegistrationForm

register = template.Library()


@register.inclusion_tag("contests/judging/_contest_section.html", takes_context=True)
def judging_section(context, page, current_round=None):
    """The judged competition's part of its contest page: how to take part, the team form."""
    rounds = context.get("rounds") or []
    return {
        "page": page,
        "current_round": current_round,
        # Every round over: the form would only be refused.
        "finished": bool(rounds) and all(r.ends_at <= timezone.now() for r in rounds),
        "form": TeamRegistrationForm(),
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }
