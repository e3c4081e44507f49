"""Pages of the inspections app.

Signed-in pages (the portal's login): inspections and the phone form, findings and
rectifications, coverage, random draws, incidents. Every object is looked up through
`roles.get_scoped_or_404`, so another institution's record is a 404 for an operator; every
write goes through `services.py`. The public results page (一公开) needs no login and reads only
public fields; so do the concern pages (投诉/反映), which write through the concern service.
"""

from portal.uploads import file_response

from .concerns import concern_follow, concern_new
from .findings import (
    evidence_file,
    finding_detail,
    finding_list,
)
from .incidents import (
    incident_detail,
    incident_list,
    incident_new,
)
from .inspections import (
    finding_add,
    inspection_detail,
    inspection_draft,
    inspection_form,
    inspection_list,
    inspection_new,
    inspection_photo,
    photo_delete,
    photo_file,
)
from .public import (
    public_draw_json,
    public_results,
)
from .supervision import (
    coverage,
    draw_detail,
    draw_list,
    draw_new,
    draw_start,
)

__all__ = [
    "concern_follow",
    "concern_new",
    "coverage",
    "draw_detail",
    "draw_list",
    "draw_new",
    "draw_start",
    "evidence_file",
    "file_response",
    "finding_add",
    "finding_detail",
    "finding_list",
    "incident_detail",
    "incident_list",
    "incident_new",
    "inspection_detail",
    "inspection_draft",
    "inspection_form",
    "inspection_list",
    "inspection_new",
    "inspection_photo",
    "photo_delete",
    "photo_file",
    "public_draw_json",
    "public_results",
]
