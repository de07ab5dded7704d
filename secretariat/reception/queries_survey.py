"""Results of the satisfaction survey: per month, for the team."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Avg, Count, Q

from secretariat.reception.models import SurveyResponse
from secretariat.reception.queries_incidents import first_of_month
from secretariat.reception.services_survey import current_month

MONTHS = 12
COMMENTS = 10


@dataclass
class MonthResults:
    month: date
    count: int
    welcome: float | None
    waiting: float | None
    information: float | None
    overall: float | None
    recommend_percent: int | None  # among those who answered the question


def monthly_results(structure_id: int, *, months: int = MONTHS, today_month: date | None = None) -> list[MonthResults]:
    """The last ``months`` months that had answers, newest first (one grouped query)."""
    start = first_of_month(today_month or current_month(), months_back=months - 1)
    rows = (SurveyResponse.objects.filter(structure_id=structure_id, month__gte=start)
            .values("month")
            .annotate(count=Count("pk"), welcome=Avg("welcome"), waiting=Avg("waiting"),
                      information=Avg("information"), overall=Avg("overall"),
                      yes=Count("pk", filter=Q(would_recommend=True)),
                      answered=Count("pk", filter=Q(would_recommend__isnull=False)))
            .order_by("-month"))
    return [MonthResults(month=row["month"], count=row["count"], welcome=row["welcome"], waiting=row["waiting"],
                         information=row["information"], overall=row["overall"],
                         recommend_percent=round(100 * row["yes"] / row["answered"]) if row["answered"] else None)
            for row in rows]


def latest_comments(structure_id: int, *, limit: int = COMMENTS) -> list[SurveyResponse]:
    return list(SurveyResponse.objects.filter(structure_id=structure_id).exclude(comment="")
                .only("month", "comment", "overall").order_by("-month", "-pk")[:limit])
