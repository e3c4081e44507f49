"""The registry's REST API (/api/v1/): serializers, filters and views, one module each."""

from .views import (
    ApprovedPlacesViewSet,
    CareContractViewSet,
    CertificateViewSet,
    CommunityViewSet,
    DemonstrationUnitViewSet,
    FeeStandardViewSet,
    IdlePremisesViewSet,
    InclusiveRecognitionViewSet,
    InstitutionViewSet,
    InstructorAssignmentViewSet,
    PublicFeeStandardViewSet,
    StaffViewSet,
    StarRatingViewSet,
    TownshipViewSet,
)

__all__ = [
    "ApprovedPlacesViewSet",
    "CareContractViewSet",
    "CertificateViewSet",
    "CommunityViewSet",
    "DemonstrationUnitViewSet",
    "FeeStandardViewSet",
    "IdlePremisesViewSet",
    "InclusiveRecognitionViewSet",
    "InstitutionViewSet",
    "InstructorAssignmentViewSet",
    "PublicFeeStandardViewSet",
    "StaffViewSet",
    "StarRatingViewSet",
    "TownshipViewSet",
]
