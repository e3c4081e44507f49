"""Who may see what: the portal's roles and the one helper that scopes every lookup.

Roles are Django groups. Bureau staff, inspectors, education staff and auditors see every
institution's records (auditors and education staff only read). Operators see the records of the
institutions they are linked to; families see their own children's records. Anyone else sees
nothing. Every queryset and object lookup that serves a user goes through `scope()` or
`get_scoped_or_404()`, so an operator asking for another institution's object gets a 404, never a
403 that would confirm it exists.

A model opts in by declaring how it reaches an institution or a family user:

    class StaffMember(models.Model):
        institution_path = "institution"          # operators of that institution see it
        family_path = None                        # (e.g. "child__guardian__user" for vouchers)

`Institution` itself declares `institution_path = ""` (the object is the institution).
Health facilities' users (卫生院/社区卫生服务中心) are scoped like operators, by a facility model
named in `PORTAL_FACILITY_MODEL` (with a `users` many-to-many): a model declares how it reaches a
facility with `facility_path` (`""` when the object is the facility), and may also declare a
classmethod `facility_condition(facilities) -> Q` for objects linked to those facilities another
way (the institution: by a "1+1" contract valid today), which `scope(..., facility_links=True)`
adds where a page offers them.

Training providers' users (培训机构用户) see the objects of their own provider: a model declares
how it reaches a provider (institutions.TrainingProvider, with a `users` many-to-many) with
`provider_path` (`""` when the object is the provider). For them a `scope_public` model with a
`provider_path` (the courses) is not public: they see their own provider's only.

A model with `scope_public = True` (reference data such as townships) is visible to every
signed-in user. A model with `programme_record = True` (the pilot task force's tasks, updates,
funds...) is visible to the office, the departments, education staff and auditors only.
A model with `sensitive_record = True` (a special-needs child's support case) is not city-wide
reading: of the city-wide roles only the bureau sees every row; everyone else sees it only through
its `institution_path` (operators) or `facility_path` (health facilities' users).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import (
    AbstractBaseUser,
    AnonymousUser,
    Group,
    Permission,
)
from django.db import models
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404


class Role(models.TextChoices):
    BUREAU_ADMIN = "bureau_admin", "卫健局管理员"
    BUREAU_STAFF = "bureau_staff", "卫健局工作人员"
    EDUCATION = "education", "教育局"
    INSPECTOR = "inspector", "检查员/健康指导员"
    OPERATOR = "operator", "机构经办人"
    AUDITOR = "auditor", "审计"
    FAMILY = "family", "家长"
    # A user of one of the pilot task force's departments (programme.Department.users): reads the
    # programme's records and reports progress on its own department's tasks.
    DEPARTMENT = "department", "专班成员单位用户"
    # A user of a health facility (institutions.HealthFacility.users): records its own
    # facility's sessions, guidance visits and monthly screening figures.
    HEALTH_CENTRE = "health_centre", "卫生院/社区卫生服务中心用户"
    # A user of a training provider (institutions.TrainingProvider.users): enters the attendance
    # of its own provider's courses.
    TRAINING_PROVIDER = "training_provider", "培训机构用户"

    @property
    def group_name(self) -> str:
        # Group names are what bureau staff see in the admin, so they are the Chinese labels.
        return self.label


BUREAU_ROLES = frozenset({Role.BUREAU_ADMIN, Role.BUREAU_STAFF})
# Roles that see every institution's records.
CITY_WIDE_ROLES = frozenset(BUREAU_ROLES | {Role.EDUCATION, Role.INSPECTOR, Role.AUDITOR})
READ_ONLY_ROLES = frozenset({Role.AUDITOR, Role.EDUCATION})
# Roles that use the browser admin (is_staff).
ADMIN_ROLES = frozenset(CITY_WIDE_ROLES)
# Roles that read the pilot programme's records (models with `programme_record = True`): the
# office (bureau), the departments, education staff and auditors.
PROGRAMME_READERS = frozenset(BUREAU_ROLES | {Role.EDUCATION, Role.AUDITOR, Role.DEPARTMENT})

_GROUP_TO_ROLE = {role.label: role for role in Role}

User = AbstractBaseUser | AnonymousUser


def user_roles(user: User | None) -> frozenset[Role]:
    """The user's roles, read once per user object (one query)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_portal_roles", None)
    if cached is None:
        names = user.groups.values_list("name", flat=True)
        cached = frozenset(_GROUP_TO_ROLE[name] for name in names if name in _GROUP_TO_ROLE)
        user._portal_roles = cached
    return cached


def has_role(user: User | None, *roles: Role) -> bool:
    return bool(user_roles(user) & set(roles))


def is_bureau(user: User | None) -> bool:
    return bool(getattr(user, "is_superuser", False)) or has_role(user, *BUREAU_ROLES)


def sees_every_institution(user: User | None) -> bool:
    return bool(getattr(user, "is_superuser", False)) or bool(user_roles(user) & CITY_WIDE_ROLES)


def can_write(user: User | None) -> bool:
    """Auditors and education staff only read, whatever else they are."""
    roles = user_roles(user)
    if getattr(user, "is_superuser", False):
        return True
    return bool(roles) and not roles & READ_ONLY_ROLES


def sees_programme(user: User | None) -> bool:
    return bool(getattr(user, "is_superuser", False)) or bool(user_roles(user) & PROGRAMME_READERS)


def operated_institution_ids(user: User) -> QuerySet:
    institution = apps.get_model(settings.PORTAL_INSTITUTION_MODEL)
    return institution._default_manager.filter(operators=user).values("pk")


def facility_ids(user: User) -> QuerySet:
    """The health facilities `user` belongs to (settings.PORTAL_FACILITY_MODEL)."""
    facility = apps.get_model(settings.PORTAL_FACILITY_MODEL)
    return facility._default_manager.filter(users=user).values("pk")


def scope(
    user: User | None, queryset: QuerySet | type[models.Model], *, facility_links: bool = False
) -> QuerySet:
    """Restrict `queryset` to what `user` may see.

    `facility_links`: a health facility's user also sees the objects a model links to its
    facilities (`facility_condition`, e.g. the institutions under contract with it). Only the
    pages and endpoints that offer those objects to such a user ask for them: the registry's own
    pages (an institution's staff, its monthly reports) do not, so that user never reads them."""
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    model = queryset.model
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if getattr(model, "programme_record", False):
        # The pilot programme's records are the task force's, not an institution's.
        return queryset if sees_programme(user) else queryset.none()
    if sees_every_institution(user) and (
        not getattr(model, "sensitive_record", False) or is_bureau(user)
    ):
        return queryset
    roles = user_roles(user)
    provider_path = getattr(model, "provider_path", None)
    if getattr(model, "scope_public", False) and not (
        Role.TRAINING_PROVIDER in roles and provider_path is not None
    ):
        return queryset
    condition = Q(pk__in=[])
    institution_path = getattr(model, "institution_path", None)
    if Role.OPERATOR in roles and institution_path is not None:
        lookup = f"{institution_path}__in" if institution_path else "pk__in"
        condition |= Q(**{lookup: operated_institution_ids(user)})
    if Role.HEALTH_CENTRE in roles:
        facility_path = getattr(model, "facility_path", None)
        linked = getattr(model, "facility_condition", None)
        if facility_path is not None:
            lookup = f"{facility_path}__in" if facility_path else "pk__in"
            condition |= Q(**{lookup: facility_ids(user)})
        if linked is not None and facility_links:
            condition |= linked(facility_ids(user))
    if Role.TRAINING_PROVIDER in roles and provider_path is not None:
        lookup = f"{provider_path}__users" if provider_path else "users"
        condition |= Q(**{lookup: user})
    family_path = getattr(model, "family_path", None)
    if Role.FAMILY in roles and family_path:
        condition |= Q(**{family_path: user})
    return queryset.filter(condition)


def get_scoped_or_404(user: User | None, queryset: QuerySet | type[models.Model], **lookup):
    """The object if `user` may see it; otherwise Http404, exactly as if it did not exist."""
    return get_object_or_404(scope(user, queryset), **lookup)


# --- Groups and their admin permissions ---------------------------------------------------------
# Per role: app label -> actions granted on every model of that app (view, add, change, delete).
# Later issues widen this table; `sync_roles` (run after every migrate) applies it.
_ALL = {"view", "add", "change", "delete"}
_EDIT = {"view", "add", "change"}
_VIEW = {"view"}
PORTAL_APPS = (
    "portal",
    "notifications",
    "institutions",
    "vouchers",
    "inspections",
    "programme",
    "ratings",
    "subsidies",
    "metrics",
)

ROLE_PERMISSIONS: dict[Role, dict[str, set[str]]] = {
    Role.BUREAU_ADMIN: {
        **{app: _ALL for app in PORTAL_APPS},
        "auth": _ALL,
        "authtoken": _ALL,
    },
    Role.BUREAU_STAFF: {**{app: _EDIT for app in PORTAL_APPS}, "auth": _VIEW},
    Role.EDUCATION: {"institutions": _VIEW, "metrics": _VIEW, "programme": _VIEW},
    Role.INSPECTOR: {"institutions": _VIEW, "inspections": _EDIT},
    Role.AUDITOR: {**{app: _VIEW for app in PORTAL_APPS}, "auth": _VIEW},
    Role.OPERATOR: {},
    Role.FAMILY: {},
    Role.DEPARTMENT: {},
    Role.HEALTH_CENTRE: {},
    Role.TRAINING_PROVIDER: {},
}


def _permissions_for(grants: dict[str, set[str]]) -> Iterable[Permission]:
    query = Q(pk__in=[])
    for app_label, actions in grants.items():
        query |= Q(
            content_type__app_label=app_label,
            codename__regex=r"^({})_".format("|".join(sorted(actions))),
        )
    return Permission.objects.filter(query)


def sync_roles(**_kwargs) -> None:
    """Create the role groups and give each exactly its admin permissions. Idempotent."""
    for role, grants in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.group_name)
        group.permissions.set(_permissions_for(grants))
