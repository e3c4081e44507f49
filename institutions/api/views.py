"""API views of the registry. Thin: scope the queryset, check the input, call the service.

Who may do what (roles.py; `RegistryPermission`):

| endpoint | read | create, update | delete |
|---|---|---|---|
| townships | everyone signed in | - | - |
| communities, institutions, dated records | city-wide roles, operators (their own) | bureau | bureau admin |
| staff | city-wide roles, operators (their own) | bureau, operators (their own) | bureau admin |
| certificates | city-wide roles, operators (their own) | bureau, operators (their own) | bureau, operators (their own) |

Deleting is the bureau admin's, as in the admin (bureau staff "add, change"), except for
certificates, which operators keep up to date themselves. Auditors and education staff never
write. Every write goes through institutions/services.py with the requesting user as the actor.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property

from django.contrib.auth import get_user_model
from django.db.models import Exists, F, Model, OuterRef, Prefetch, Q, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, status, viewsets
from rest_framework.response import Response

from portal.api.errors import service_errors
from portal.api.permissions import (
    BUREAU,
    BUREAU_ADMIN,
    BUREAU_AND_OPERATORS,
    READERS,
    ScopedQuerysetMixin,
)
from portal.roles import CITY_WIDE_ROLES, Role

from .. import services
from ..models import (
    ApprovedPlaces,
    CareContract,
    Certificate,
    Community,
    DemonstrationUnit,
    FeeStandard,
    IdlePremises,
    InclusiveRecognition,
    Institution,
    InstructorAssignment,
    PublicFeeStandard,
    StaffMember,
    StarRating,
    Township,
)
from ..selectors import institutions_as_of
from . import filters
from . import serializers as s
from .common import (
    AS_OF_PARAMETER,
    WRITE_ACTIONS,
    RegistryPermission,
    as_of_from,
    with_input_output,
)


class TownshipViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """The city's 25 townships with their NBS codes."""

    queryset = Township.objects.all()
    serializer_class = s.TownshipSerializer
    filterset_fields = ["kind", "is_urban"]
    pagination_class = None
    read_roles = frozenset(CITY_WIDE_ROLES | {Role.OPERATOR, Role.FAMILY})


class PublicFeeStandardViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """The city's public fee standard (公办托育收费标准): published ceilings by ownership and class
    type, each from its effective day; the bureau enters them in the admin."""

    queryset = PublicFeeStandard.objects.all()
    serializer_class = s.PublicFeeStandardSerializer
    filterset_fields = ["ownership", "class_type"]
    read_roles = frozenset(CITY_WIDE_ROLES | {Role.OPERATOR})


class RegistryViewSet(ScopedQuerysetMixin, viewsets.ModelViewSet):
    """A registry endpoint: scoped reads, writes through a service, answers in the output shape.

    `serializer_class` checks writes; `output_serializer_class` (default the same) answers every
    request, writes included, from the object as the queryset reads it (annotations and all).
    Subclasses with a service of their own override `save_record`.
    """

    permission_classes = [permissions.IsAuthenticated, RegistryPermission]
    read_roles = READERS
    write_roles = BUREAU
    action_roles = {"destroy": BUREAU_ADMIN}
    output_serializer_class = None

    def get_serializer_class(self):
        if self.action in WRITE_ACTIONS or self.output_serializer_class is None:
            return self.serializer_class
        return self.output_serializer_class

    def output(self, instance: Model) -> dict:
        fresh = self.get_queryset().get(pk=instance.pk)
        serializer_class = self.output_serializer_class or self.serializer_class
        return serializer_class(fresh, context=self.get_serializer_context()).data

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        return Response(self.output(serializer.instance), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        self.perform_update(serializer)
        return Response(self.output(serializer.instance))

    def perform_create(self, serializer) -> None:
        with service_errors():
            serializer.instance = self.save_record(None, serializer.validated_data)

    def perform_update(self, serializer) -> None:
        with service_errors():
            serializer.instance = self.save_record(serializer.instance, serializer.validated_data)

    def perform_destroy(self, instance: Model) -> None:
        with service_errors():
            services.record_delete(record=instance, actor=self.request.user)

    def save_record(self, instance: Model | None, data: dict) -> Model:
        """Create (instance None) or update one record through the registry's service."""
        model = self.get_queryset().model
        record = model(**data) if instance is None else instance
        for name, value in data.items():
            setattr(record, name, value)
        return services.registry_record_save(record=record, actor=self.request.user)


# --- Communities and institutions -------------------------------------------------------------


class CommunityViewSet(RegistryViewSet):
    """Residential communities (社区); new ones plan 10 places per 1,000 residents."""

    queryset = Community.objects.select_related("township")
    serializer_class = s.CommunitySerializer
    filterset_class = filters.CommunityFilter
    ordering_fields = ["name", "residents", "delivered_on"]


@extend_schema_view(
    list=extend_schema(parameters=[AS_OF_PARAMETER]),
    retrieve=extend_schema(parameters=[AS_OF_PARAMETER]),
    **with_input_output(s.InstitutionInputSerializer, s.InstitutionOutputSerializer),
)
class InstitutionViewSet(RegistryViewSet):
    """Institutions the caller may see (all for city-wide roles, their own for operators), each
    with its dated facts as they stood on `as_of` (default today), read in one query."""

    queryset = Institution.objects.select_related("township").prefetch_related(
        Prefetch("operators", queryset=get_user_model().objects.only("pk"))
    )
    serializer_class = s.InstitutionInputSerializer
    output_serializer_class = s.InstitutionOutputSerializer
    filterset_class = filters.InstitutionFilter
    ordering_fields = ["name", "filed_on", "places_total", "fee_full_day", "stars"]

    @cached_property
    def as_of(self) -> dt.date:
        return as_of_from(getattr(self, "request", None))

    def get_queryset(self) -> QuerySet[Institution]:
        held = DemonstrationUnit.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=self.as_of),
            institution=OuterRef("pk"),
            valid_from__lte=self.as_of,
        )
        return institutions_as_of(self.as_of, super().get_queryset()).annotate(
            is_demonstration=Exists(held)
        )

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "as_of": self.as_of}

    def save_record(self, instance: Institution | None, data: dict) -> Institution:
        if instance is None:
            data.pop("effective_from", None)  # a new institution's facts start when it is filed
            return services.institution_create(actor=self.request.user, **data)
        return services.institution_update(institution=instance, actor=self.request.user, **data)


# --- Dated records ----------------------------------------------------------------------------


class DatedRecordViewSet(RegistryViewSet):
    """Dated facts about institutions, fed by the bureau and the city's other systems."""

    ordering_fields = ["effective_from"]


class ApprovedPlacesViewSet(DatedRecordViewSet):
    """核定托位: approved places by class type, from `effective_from` until the next record."""

    queryset = ApprovedPlaces.objects.all()
    serializer_class = s.ApprovedPlacesSerializer
    filterset_class = filters.ApprovedPlacesFilter


class FeeStandardViewSet(DatedRecordViewSet):
    """收费标准: monthly fees, from `effective_from` until the next record."""

    queryset = FeeStandard.objects.all()
    serializer_class = s.FeeStandardSerializer
    filterset_class = filters.FeeStandardFilter


class StarRatingViewSet(DatedRecordViewSet):
    """星级评定: star grades, from `effective_from` until the next record."""

    queryset = StarRating.objects.all()
    serializer_class = s.StarRatingSerializer
    filterset_class = filters.StarRatingFilter


class InstructorAssignmentViewSet(DatedRecordViewSet):
    """健康指导员指派: the health instructor of an institution; an empty one ends an assignment."""

    queryset = InstructorAssignment.objects.all()
    serializer_class = s.InstructorAssignmentSerializer
    filterset_class = filters.InstructorAssignmentFilter


class InclusiveRecognitionViewSet(DatedRecordViewSet):
    """普惠认定: recognition as inclusive, valid from `valid_from` to `valid_to` (both included)."""

    queryset = InclusiveRecognition.objects.all()
    serializer_class = s.InclusiveRecognitionSerializer
    filterset_class = filters.InclusiveRecognitionFilter
    ordering_fields = ["valid_from", "valid_to"]


class DemonstrationUnitViewSet(DatedRecordViewSet):
    """示范单位认定: demonstration-unit recognitions, valid from `valid_from` to `valid_to` (both
    included); one institution holds at most one of each level at a time."""

    queryset = DemonstrationUnit.objects.all()
    serializer_class = s.DemonstrationUnitSerializer
    filterset_class = filters.DemonstrationUnitFilter
    ordering_fields = ["valid_from", "valid_to"]


class IdlePremisesViewSet(RegistryViewSet):
    """闲置国有房源: idle state-owned premises offered to inclusive institutions, their state, the
    institution matched and the rent relief; the bureau writes, the registry's readers read."""

    queryset = IdlePremises.objects.select_related("township")
    serializer_class = s.IdlePremisesSerializer
    filterset_fields = ["state", "township", "institution"]
    ordering_fields = ["offered_on", "floor_area"]


class CareContractViewSet(DatedRecordViewSet):
    """医育结合签约 ("1+1"): valid from `valid_from` to `valid_to` (both included)."""

    queryset = CareContract.objects.all()
    serializer_class = s.CareContractSerializer
    filterset_class = filters.CareContractFilter
    ordering_fields = ["valid_from", "valid_to"]


# --- Staff and certificates -------------------------------------------------------------------


@extend_schema_view(**with_input_output(s.StaffInputSerializer, s.StaffOutputSerializer))
class StaffViewSet(RegistryViewSet):
    """从业人员. ID numbers are written in full and always answered masked; `?id_number=` finds
    a person by the keyed hash."""

    queryset = StaffMember.objects.select_related("institution")
    serializer_class = s.StaffInputSerializer
    output_serializer_class = s.StaffOutputSerializer
    filterset_class = filters.StaffFilter
    ordering_fields = ["name", "hired_on", "left_on"]
    write_roles = BUREAU_AND_OPERATORS

    def save_record(self, instance: StaffMember | None, data: dict) -> StaffMember:
        if instance is None:
            data.pop("effective_from", None)  # a new member's role starts when hired
            return services.staff_hire(actor=self.request.user, **data)
        data.pop("institution", None)  # the same one: the serializer refuses a move
        return services.staff_update(staff=instance, actor=self.request.user, **data)


@extend_schema_view(
    **with_input_output(s.CertificateInputSerializer, s.CertificateOutputSerializer)
)
class CertificateViewSet(RegistryViewSet):
    """证书 of staff members; operators keep their own institution's up to date."""

    # Annotated rather than joined: a join would load (and decrypt) every holder's ID number.
    queryset = Certificate.objects.annotate(
        staff_name=F("staff__name"), institution_pk=F("staff__institution")
    )
    serializer_class = s.CertificateInputSerializer
    output_serializer_class = s.CertificateOutputSerializer
    filterset_class = filters.CertificateFilter
    ordering_fields = ["issued_on", "expires_on"]
    write_roles = BUREAU_AND_OPERATORS
    action_roles = {"destroy": BUREAU_AND_OPERATORS}

    def save_record(self, instance: Certificate | None, data: dict) -> Certificate:
        certificate = Certificate(**data) if instance is None else instance
        for name, value in data.items():
            setattr(certificate, name, value)
        return services.certificate_save(certificate=certificate, actor=self.request.user)
