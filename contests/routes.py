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
        from .judging.validators import judging_limits

        context = super().get_context(request, *args, **kwargs)
        rounds = list(self.rounds.all())
        now = timezone.now()
        current = next((r for r in sorted(rounds, key=lambda r: r.starts_at) if r.is_open(now)), None)
        if self.kind == self.Kind.JUDGED:
            # A judged round's results show only once it has closed (the jury scores until then).
            published = [r for r in rounds if r.results_published and r.ends_at <= now]
            for round in rounds:
                round.state = "open" if round.is_open(now) else ("closed" if round.ends_at <= now else "later")
            # A page previewed before its first save has no criteria yet (nor a primary key).
            context["criteria"] = list(self.criteria.all()) if self.pk else []
            context.update(judging_limits())
        else:
            published = [r for r in rounds if r.results_published]
        context.update(
            rounds=rounds,
            current_round=current,
            published_rounds=published,
            register_url=self.get_url(request).rstrip("/") + "/" + self.reverse_subpage("register"),
        )
        if current is not None and "form" not in context:
            context["form"] = RegistrationForm()
        return context
