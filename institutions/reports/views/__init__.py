"""Pages of monthly reports and parenting-care sessions.

Operators: their months (/yuebao/) and the report form (/yuebao/<institution>/<YYYY-MM>/), in
`months`; parenting sessions (/yangyu/), in `sessions`. Bureau: the review queue and a report's
review page (`review`), completeness and timeliness and window exceptions (`oversight`), the
sessions' export (`sessions`).

Every object is looked up through `roles.get_scoped_or_404` / `roles.scope` first, so another
institution's report is a 404; only then is the role checked (403). Every write goes through
`services.py` with actor=request.user, and a service's ValidationError is shown on the form.
"""

from .months import month_list, report_form
from .oversight import completeness, exceptions
from .review import review_detail, review_queue
from .sessions import sessions, sessions_export

__all__ = [
    "completeness",
    "exceptions",
    "month_list",
    "report_form",
    "review_detail",
    "review_queue",
    "sessions",
    "sessions_export",
]
