"""System checks of the moderation app."""

from django.core.checks import Error, register


@register()
def page_types_use_moderated_permissions(app_configs=None, **kwargs):
    """Every page type must answer "may this user publish?" with the moderation rule.

    The base ``Page`` class is Wagtail's own and not creatable: its only instance is the tree
    root, which nobody can publish.
    """
    from wagtail.models import Page, get_page_models

    from .permissions import ModeratedPageMixin

    errors = []
    for model in get_page_models():
        if model is Page or model._meta.abstract or issubclass(model, ModeratedPageMixin):
            continue
        errors.append(
            Error(
                f"{model._meta.label} does not use the moderation page permissions.",
                hint="Add workflows.permissions.ModeratedPageMixin before Page in its bases.",
                obj=model,
                id="workflows.E001",
            )
        )
    return errors
