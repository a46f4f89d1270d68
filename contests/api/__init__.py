"""The headless face of the quiz (``/api/contests/v1/``): a Zalo mini app or a phone app runs
the same contest as the site, through the same services (issue 11, item 4)."""
