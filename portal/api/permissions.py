"""Who may call an API endpoint: `RolePermission`, the one permission class every app's API uses
(or subclasses), the role sets endpoints name, and `ScopedQuerysetMixin` for what a caller sees."""

from __future__ import annotations

from rest_framework import permissions

from ..roles import BUREAU_ROLES, CITY_WIDE_ROLES, Role, can_write, scope, user_roles

# The role sets endpoints name most.
READERS = frozenset(CITY_WIDE_ROLES | {Role.OPERATOR})
BUREAU = frozenset(BUREAU_ROLES)
BUREAU_ADMIN = frozenset({Role.BUREAU_ADMIN})
OPERATORS = frozenset({Role.OPERATOR})
BUREAU_AND_OPERATORS = frozenset(BUREAU | OPERATORS)


class RolePermission(permissions.BasePermission):
    """Roles per endpoint, named by the view:

    - `action_roles[action]` where the view sets one for the action (a `destroy` kept to the
      bureau admin, a `confirm` for operators);
    - else `read_roles` for a read (GET, HEAD, OPTIONS) and `write_roles` for any other method,
      the class's defaults where the view sets none.

    Auditors and education staff never write, whatever other role they also hold
    (`roles.can_write`); a superuser may do anything.

    Which objects a caller sees is the queryset's job (`ScopedQuerysetMixin`): an object outside
    the caller's scope is a 404, never a 403. A subclass that sets `judge_writes_on_object`
    lets a write naming one object through with read roles, so that the scoped lookup answers
    first (404 outside the scope); `has_object_permission` then decides (403). Its views must
    look the object up (`get_object`) before they write.
    """

    default_read_roles = READERS
    default_write_roles = BUREAU
    judge_writes_on_object = False

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if request.method in permissions.SAFE_METHODS:
            return self._has_any(user, self._roles(request, view))
        if self.judge_writes_on_object and _names_one_object(view):
            return self._has_any(user, getattr(view, "read_roles", self.default_read_roles))
        return self._may_write(request, view)

    def has_object_permission(self, request, view, obj) -> bool:
        if not self.judge_writes_on_object or request.method in permissions.SAFE_METHODS:
            return True
        return self._may_write(request, view)

    def _roles(self, request, view) -> frozenset:
        roles = getattr(view, "action_roles", {}).get(getattr(view, "action", None))
        if roles is not None:
            return roles
        if request.method in permissions.SAFE_METHODS:
            return getattr(view, "read_roles", self.default_read_roles)
        return getattr(view, "write_roles", self.default_write_roles)

    def _may_write(self, request, view) -> bool:
        user = request.user
        return self._has_any(user, self._roles(request, view)) and can_write(user)

    @staticmethod
    def _has_any(user, roles) -> bool:
        return bool(user.is_superuser or user_roles(user) & set(roles))


def _names_one_object(view) -> bool:
    lookup = getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", "pk")
    return lookup in getattr(view, "kwargs", {})


class ScopedQuerysetMixin:
    """Signed in, `RolePermission`, and `get_queryset` limited by `roles.scope` for the
    requesting user."""

    permission_classes = [permissions.IsAuthenticated, RolePermission]

    def get_queryset(self):
        return scope(self.request.user, super().get_queryset())
