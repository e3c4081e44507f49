"""API routes for the registry (under /api/v1/). Its router is the default one, so the API's
root page (/api/v1/) lists these routes."""

from rest_framework.routers import DefaultRouter

from .api import (
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

router = DefaultRouter()
router.register("townships", TownshipViewSet, basename="township")
router.register("communities", CommunityViewSet, basename="community")
router.register("institutions", InstitutionViewSet, basename="institution")
router.register("approved-places", ApprovedPlacesViewSet, basename="approved-places")
router.register("fee-standards", FeeStandardViewSet, basename="fee-standard")
router.register("public-fee-standards", PublicFeeStandardViewSet, basename="public-fee-standard")
router.register("star-ratings", StarRatingViewSet, basename="star-rating")
router.register(
    "instructor-assignments", InstructorAssignmentViewSet, basename="instructor-assignment"
)
router.register(
    "inclusive-recognitions", InclusiveRecognitionViewSet, basename="inclusive-recognition"
)
router.register("demonstration-units", DemonstrationUnitViewSet, basename="demonstration-unit")
router.register("idle-premises", IdlePremisesViewSet, basename="idle-premises")
router.register("care-contracts", CareContractViewSet, basename="care-contract")
router.register("staff", StaffViewSet, basename="staff")
router.register("certificates", CertificateViewSet, basename="certificate")

urlpatterns = router.urls
