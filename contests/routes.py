"""The taking-part URLs under a contest page (registration, the attempt, the result)."""

from __future__ import annotations

from django.utils import timezone
from wagtail.contrib.routable_page.models import path


class ContestRoutesMixin:
    """Routes of ``ContestPage``; the views themselves live in ``contests.views``."""

    @path("dang-ky/", name="register")
    def register_route(self, request):
        from .views import register_page

        return register_page(self, request)

    @path("lam-bai/<str:signed>/", name="attempt")
    def attempt_route(self, request, signed):
        from .views import attempt_page

        return attempt_page(self, request, signed)

    @path("ket-qua/<str:signed>/", name="result")
    def result_route(self, request, signed):
        from .views import result_page

        return result_page(self, request, signed)

    @path("xep-hang/<int:round_id>/", name="ranking")
    def ranking_route(self, request, round_id):
        from .views import ranking_page

        return ranking_page(self, request, round_id)

    def get_context(self, request, *args, **kwargs):
        from .forms import RegistrationForm

        context = super().get_context(request, *args, **kwargs)
        rounds = list(self.rounds.all())
        now = timezone.now()
        current = next((r for r in sorted(rounds, key=lambda r: r.starts_at) if r.is_open(now)), None)
        context.update(
            rounds=rounds,
            current_round=current,
            published_rounds=[r for r in rounds if r.results_published],
            register_url=self.get_url(request).rstrip("/") + "/" + self.reverse_subpage("register"),
        )
        if current is not None and "form" not in context:
            context["form"] = RegistrationForm()
        return context
