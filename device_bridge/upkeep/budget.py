"""Dates and money of the 4G data plans, as plain functions of dates and fees (no database).

The rules, stated once here and in docs/upkeep.md:

- ``free_until`` is the last free day; the paid period starts the day after.
- By default a plan is free for two years from installation: the same day two years on, and
  a cluster installed on 29 February is free until 28 February.
- Proration by days: in a month only partly paid, the cost is the monthly fee times the paid
  days over the days of that month, e.g. 16 paid days of a 31-day March at 50.000 đ cost
  50.000 × 16 / 31 = 25.806 đ. A fee that changes mid-month counts each day at the fee in
  effect that day. Each cluster's month is rounded to the đồng (half up); the cluster's year
  is the sum of its months, the total the sum of the clusters.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

FREE_YEARS = 2


def years_after(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def default_free_until(installed_on: dt.date) -> dt.date:
    return years_after(installed_on, FREE_YEARS)


def paid_from(free_until: dt.date) -> dt.date:
    """The first day the commune pays for."""
    return free_until + dt.timedelta(days=1)


def fee_on(day: dt.date, *, base_fee: int, fees: list[tuple[dt.date, int]]) -> int:
    """The monthly fee in effect on ``day``: the latest change on or before it, else the base."""
    fee = base_fee
    for effective_from, amount in sorted(fees):
        if effective_from > day:
            break
        fee = amount
    return fee


def _round_vnd(value: Fraction) -> int:
    return int((Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(slots=True)
class MonthCost:
    month: int
    paid_days: int
    days_in_month: int
    cost_vnd: int


@dataclass(slots=True)
class YearCost:
    year: int
    months: list[MonthCost] = field(default_factory=list)

    @property
    def total_vnd(self) -> int:
        return sum(m.cost_vnd for m in self.months)

    @property
    def months_paid(self) -> Decimal:
        """Paid months as a decimal, a partial month counted as its share of days (2 places)."""
        share = sum((Fraction(m.paid_days, m.days_in_month) for m in self.months), Fraction(0))
        return (Decimal(share.numerator) / Decimal(share.denominator)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP)


def year_cost(*, year: int, free_until: dt.date, base_fee: int,
              fees: list[tuple[dt.date, int]] = ()) -> YearCost:
    """What one plan costs in ``year``, month by month (months with nothing to pay left out)."""
    start = max(paid_from(free_until), dt.date(year, 1, 1))
    result = YearCost(year=year)
    if start.year > year:
        return result
    for month in range(start.month, 13):
        days_in_month = calendar.monthrange(year, month)[1]
        first = start.day if month == start.month else 1
        amount = sum(
            (Fraction(fee_on(dt.date(year, month, day), base_fee=base_fee, fees=list(fees)),
                      days_in_month) for day in range(first, days_in_month + 1)),
            Fraction(0),
        )
        result.months.append(MonthCost(month=month, paid_days=days_in_month - first + 1,
                                       days_in_month=days_in_month, cost_vnd=_round_vnd(amount)))
    return result
