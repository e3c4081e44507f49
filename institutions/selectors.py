"""Reads of the registry. The as-of selector answers "the institutions as they stood on day D"."""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from .models import (
    ApprovedPlaces,
    CareContract,
    Certificate,
    FeeStandard,
    InclusiveRecognition,
    Institution,
    InstitutionDetails,
    InstructorAssignment,
    PanicAlarm,
    StaffMember,
    StaffRoleRecord,
    StarRating,
)

PLACE_FIELDS = ("infant", "toddler", "older", "mixed")


def _latest(model, field: str, as_of: dt.date) -> Subquery:
    """The value of `field` in the institution's latest record effective on or before `as_of`."""
    return Subquery(
        model.objects.filter(institution=OuterRef("pk"), effective_from__lte=as_of)
        .order_by("-effective_from")
        .values(field)[:1]
    )


def _rating(field: str, as_of: dt.date) -> Subquery:
    """`field` of the institution's latest star rating effective on or before `as_of`, or None
    when that rating expired before `as_of` (its `expires_on` is the last day it holds): an
    expired rating is no rating, and an older one does not come back in its place."""
    unexpired = Q(expires_on__isnull=True) | Q(expires_on__gte=as_of)
    output = StarRating._meta.get_field(field).__class__()
    return Subquery(
        StarRating.objects.filter(institution=OuterRef("pk"), effective_from__lte=as_of)
        .order_by("-effective_from")
        .annotate(_held=Case(When(unexpired, then=F(field)), default=None, output_field=output))
        .values("_held")[:1],
        output_field=output,
    )


def dated_value(
    model, owner: str, field: str, as_of: dt.date, *, outer: str = "pk", current: str
) -> Case:
    """A dated fact of the object `outer` names, as it stood on `as_of`: `field` of its latest
    record (`model`, linked by `owner`) effective on or before `as_of`. Before its first record,
    the first record's value (the records start on the filing or hiring day, or the day the
    object was first recorded, which can be later than the first day it counts); an object with
    no record at all reads its current value (`current`, a field path)."""
    records = model.objects.filter(**{owner: OuterRef(outer)})
    ordered = records.order_by(
        ExpressionWrapper(Q(effective_from__gt=as_of), output_field=BooleanField()).asc(),
        Case(When(effective_from__lte=as_of, then=F("effective_from"))).desc(nulls_last=True),
        F("effective_from").asc(),
    )
    output = model._meta.get_field(field)
    output = output.target_field if output.is_relation else output
    return Case(
        When(Exists(records), then=Subquery(ordered.values(field)[:1])),
        default=F(current),
        output_field=output.__class__(),
    )


def alarm_on(as_of: dt.date) -> Q:
    """A one-click alarm in service on `as_of` (installed on or before it and not removed on or
    before it); an institution with no alarm record reads its current dates."""
    records = PanicAlarm.objects.filter(institution=OuterRef("pk"))
    current = Q(panic_alarm_installed_on__isnull=False, panic_alarm_installed_on__lte=as_of) & (
        Q(panic_alarm_removed_on__isnull=True) | Q(panic_alarm_removed_on__gt=as_of)
    )
    valid = records.filter(valid_from__lte=as_of).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=as_of)
    )
    return Q(Exists(valid)) | (~Q(Exists(records)) & current)


def details_on(as_of: dt.date, outer: str = "pk", prefix: str = "") -> dict:
    """kind_at, township_id_at and is_inclusive_kindergarten_at: the institution's dated
    details on `as_of` (`outer` refers to the institution; `prefix` is the path to it)."""

    def value(field: str, current: str) -> Case:
        return dated_value(
            InstitutionDetails, "institution", field, as_of, outer=outer, current=prefix + current
        )

    return {
        "kind_at": value("kind", "kind"),
        "township_id_at": value("township", "township_id"),
        "is_inclusive_kindergarten_at": value(
            "is_inclusive_kindergarten", "is_inclusive_kindergarten"
        ),
    }


def role_on(as_of: dt.date, outer: str = "pk") -> Case:
    """The staff member's role on `as_of`."""
    return dated_value(StaffRoleRecord, "staff", "role", as_of, outer=outer, current="role")


def _valid_on(model, as_of: dt.date) -> Exists:
    """A validity-period record of the institution covering `as_of` (both ends included)."""
    return Exists(
        model.objects.filter(institution=OuterRef("pk"), valid_from__lte=as_of).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=as_of)
        )
    )


def employed_on(as_of: dt.date) -> Q:
    """Hired on or before D and not left on or before D."""
    return Q(hired_on__lte=as_of) & (Q(left_on__isnull=True) | Q(left_on__gt=as_of))


def certificate_valid_on(as_of: dt.date) -> Q:
    return Q(issued_on__lte=as_of) & (Q(expires_on__isnull=True) | Q(expires_on__gte=as_of))


def qualified_on(as_of: dt.date, staff_ref: str = "pk") -> Exists:
    """The staff member (OuterRef `staff_ref`) holds a qualifying certificate valid on D."""
    return Exists(
        Certificate.objects.filter(
            certificate_valid_on(as_of),
            staff=OuterRef(staff_ref),
            kind__in=Certificate.QUALIFYING,
        )
    )


def _count(queryset: QuerySet) -> Coalesce:
    return Coalesce(
        Subquery(
            queryset.order_by().values("institution").annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def filed_and_open(as_of: dt.date) -> Q:
    """Filed on or before D and not closed on or before D."""
    # `isnull=False` first so an unfiled institution gives FALSE, not SQL NULL.
    return (
        Q(filed_on__isnull=False)
        & Q(filed_on__lte=as_of)
        & (Q(closed_on__isnull=True) | Q(closed_on__gt=as_of))
    )


KINDERGARTEN = Institution.Kind.KINDERGARTEN.value
# A kindergarten runs a childcare class (托班) at D when it has approved places at D (K7).
RUNS_CLASS = Q(places_total__gt=0)
# kpis.md, "counted institution at D": on the facts of `institutions_as_of` of a filed and open
# institution (`is_counted`), the rule's second sentence: a kindergarten that runs no childcare
# class has no places and counts only for K7. The one place of the rule: the indicators
# (metrics.kpis.registry), report completeness, inspection coverage and draws all read it.
COUNTED = ~Q(kind_at=KINDERGARTEN) | RUNS_CLASS


def counted_on(as_of: dt.date) -> Q:
    """kpis.md's counted institutions at D, as a filter on institutions: filed and open, and a
    kindergarten only while it runs a childcare class."""
    counted = institutions_as_of(as_of).filter(is_counted=True).filter(COUNTED)
    return Q(pk__in=counted.order_by().values("pk"))


def institutions_as_of(
    as_of: dt.date, queryset: QuerySet[Institution] | None = None
) -> QuerySet[Institution]:
    """Institutions annotated with every dated fact as it stood on `as_of`, in one query.

    Annotations: is_counted (filed and open), kind_at, township_id_at,
    is_inclusive_kindergarten_at, places_<class type> and places_total, fee_full_day,
    fee_half_day, stars (with stars_from and stars_until, its rating's dates; None once the
    rating expired), instructor_user_id, is_inclusive, has_care_contract, has_panic_alarm,
    care_staff_count, certified_care_staff_count. A change dated after `as_of` never alters them.
    """
    queryset = Institution.objects.all() if queryset is None else queryset
    care_staff = (
        StaffMember.objects.filter(employed_on(as_of), institution=OuterRef("pk"))
        .annotate(role_at=role_on(as_of))
        .filter(role_at__in=StaffMember.CARE_ROLES)
    )
    places = {
        f"places_{field}": Coalesce(_latest(ApprovedPlaces, field, as_of), Value(0))
        for field in PLACE_FIELDS
    }
    return queryset.annotate(
        is_counted=ExpressionWrapper(filed_and_open(as_of), output_field=BooleanField()),
        **details_on(as_of),
        **places,
        fee_full_day=_latest(FeeStandard, "monthly_full_day", as_of),
        fee_half_day=_latest(FeeStandard, "monthly_half_day", as_of),
        stars=_rating("stars", as_of),
        stars_from=_rating("effective_from", as_of),
        stars_until=_rating("expires_on", as_of),
        instructor_user_id=_latest(InstructorAssignment, "instructor", as_of),
        is_inclusive=_valid_on(InclusiveRecognition, as_of),
        has_care_contract=_valid_on(CareContract, as_of),
        has_panic_alarm=ExpressionWrapper(alarm_on(as_of), output_field=BooleanField()),
        care_staff_count=_count(care_staff),
        certified_care_staff_count=_count(care_staff.filter(qualified_on(as_of))),
    ).annotate(places_total=sum((F(name) for name in places), Value(0)))


def counted_institutions_as_of(as_of: dt.date) -> QuerySet[Institution]:
    """kpis.md's counted institutions at D with their facts at D."""
    return institutions_as_of(as_of).filter(is_counted=True).filter(COUNTED)


def staff_flags(
    queryset: QuerySet[StaffMember], *, today: dt.date, warn_days: int = 60
) -> QuerySet[StaffMember]:
    """Staff annotated for the operator's page: `is_employed`, `lacks_qualification` (a care
    role without a qualifying certificate valid today) and `expiring_certificates` (certificates
    valid today that expire within `warn_days`)."""
    soon = today + dt.timedelta(days=warn_days)
    return queryset.annotate(
        is_employed=ExpressionWrapper(employed_on(today), output_field=BooleanField()),
        lacks_qualification=ExpressionWrapper(
            Q(role__in=StaffMember.CARE_ROLES) & ~Q(qualified_on(today)),
            output_field=BooleanField(),
        ),
        expiring_certificates=Count(
            "certificates",
            filter=Q(
                certificates__issued_on__lte=today,
                certificates__expires_on__gte=today,
                certificates__expires_on__lte=soon,
            ),
        ),
    )
