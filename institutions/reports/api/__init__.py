"""The API of monthly reports and parenting sessions (/api/v1/). Thin views: scope the queryset,
check the input, call institutions/reports/services.py with the requesting user as the actor,
answer with the output serializer.

Who may do what (roles.py). An object outside the caller's scope is a 404 whatever the method;
auditors and education staff never write, whatever other role they also hold.

| endpoint | who |
|---|---|
| GET monthly-reports/, monthly-reports/{id}/ | city-wide roles; operators their institutions' |
| POST monthly-reports/ (start the month), PATCH {id}/, POST {id}/submit/ | operators, their own |
| POST {id}/accept/, {id}/return/, {id}/reopen/, monthly-reports/review/ | bureau staff |
| GET monthly-reports/export/?period=YYYY-MM | bureau staff |
| GET parenting-sessions/, parenting-sessions/{id}/ | city-wide roles; operators their own |
| POST parenting-sessions/ | bureau staff (health centres too); operators for their own |
| GET parenting-sessions/export/?month=YYYY-MM | bureau staff |
"""

from .views import MonthlyReportViewSet, ParentingSessionViewSet

__all__ = ["MonthlyReportViewSet", "ParentingSessionViewSet"]
