"""Judged competitions (hội thi) between information officers or units (issue 11, item 6)."""
