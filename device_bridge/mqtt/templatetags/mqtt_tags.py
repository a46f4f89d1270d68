from django import template

register = template.Library()


@register.inclusion_tag("mqtt/emergency_panel.html", takes_context=True)
def emergency_panel(context, page):
    """The acknowledgement panel of an emergency bulletin's delivery page (nothing otherwise)."""
    from ..views import emergency_context

    if getattr(page, "priority", "") != "khan_cap":
        return {"emergency": None, "skip": True}
    return emergency_context(request=context["request"], page_id=page.pk)
