"""Every app's API decides who may call it with portal's `RolePermission` (or a subclass)."""

from django.urls import get_resolver
from rest_framework.permissions import BasePermission

from portal.api.permissions import RolePermission

APPS = ("institutions", "inspections", "vouchers", "metrics")


def _views(patterns):
    for entry in patterns:
        if hasattr(entry, "url_patterns"):
            yield from _views(entry.url_patterns)
        elif getattr(entry.callback, "cls", None) is not None:
            yield entry.callback.cls


def _subclasses(cls):
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _subclasses(subclass)


def test_every_api_permission_class_of_the_apps_is_a_role_permission():
    api_views = {
        view for view in _views(get_resolver().url_patterns) if view.__module__.startswith(APPS)
    }
    used = {cls for view in api_views for cls in view.permission_classes}
    defined = {cls for cls in _subclasses(BasePermission) if cls.__module__.startswith(APPS)}
    own = {cls for cls in used | defined if not cls.__module__.startswith("rest_framework")}
    assert len(api_views) > 20 and len(own) >= 4, "the walk found too little to check"
    assert {cls.__qualname__ for cls in own if not issubclass(cls, RolePermission)} == set()
