"""The taking-part URLs under a contest page (registration, the attempt, the result)."""

from __future__ import annotations


class ContestRoutesMixin:
    """Routes of ``ContestPage``; the views themselves live in ``contests.views``."""
