"""Every URL pattern of the portal, with concrete URLs built from the seeded world, and the
classification of an answer as allowed or refused."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse

_ADMIN_MODEL_URL = re.compile(r"^admin/(?P<app>\w+)/(?P<model>\w+)/(?P<rest>.*)$")


@dataclass(frozen=True)
class Pattern:
    key: str  # the matrix key: the URL name, or for admin model URLs "admin:app.model:action"
    name: str | None  # the namespaced name to reverse, if any
    route: str
    params: tuple[str, ...]
    callback: object

    @property
    def model_admin(self):
        return getattr(self.callback, "model_admin", None)


def _params(pattern) -> list[str]:
    if hasattr(pattern, "converters") and pattern.converters:
        return list(pattern.converters)
    regex = getattr(pattern, "regex", None)
    return list(regex.groupindex) if regex is not None else []


def _admin_action(name: str | None, app: str, model: str, rest: str) -> str:
    if name is None:
        return "redirect" if rest == "<path:object_id>/" else rest
    prefix = f"admin:{app}_{model}_"
    return name[len(prefix) :] if name.startswith(prefix) else name


def iter_patterns(
    patterns=None, prefix: str = "", namespace: str = "", params=()
) -> Iterator[Pattern]:
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        route = prefix + str(entry.pattern)
        here = (*params, *_params(entry.pattern))
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from iter_patterns(entry.url_patterns, route, ns, here)
            continue
        assert isinstance(entry, URLPattern)
        name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
        key = name or f"route:{route}"
        match = _ADMIN_MODEL_URL.match(route)
        if match and (
            getattr(entry.callback, "model_admin", None) is not None
            or (name is None and "object_id" in here)
            or (name or "").startswith(f"admin:{match['app']}_{match['model']}_")
        ):
            key = "admin:{app}.{model}:{action}".format(
                app=match["app"],
                model=match["model"],
                action=_admin_action(name, match["app"], match["model"], match["rest"]),
            )
        yield Pattern(key=key, name=name, route=route, params=here, callback=entry.callback)


def admin_model_for(pattern: Pattern, world):
    from django.apps import apps

    if not pattern.key.startswith("admin:") or pattern.key.count(":") != 2:
        return None
    label = pattern.key.split(":")[1]
    return apps.get_model(label)


def build_url(pattern: Pattern, world, kwargs: dict | None) -> str:
    """A concrete URL for `pattern`. `kwargs` come from the matrix (KWARGS) when given."""
    kwargs = dict(kwargs or {})
    if pattern.key.endswith(":simple_history"):
        # django-simple-history's "view this version" page uses unnamed groups.
        model = admin_model_for(pattern, world)
        obj = world.pick(model)
        version = model.history.filter(id=obj.pk).first()
        if version is None:  # rows written in bulk by the seed have no history yet
            obj.save()
            version = model.history.filter(id=obj.pk).first()
        return reverse(pattern.name, args=[version.id, version.history_id])
    if "format" in pattern.params and "format" not in kwargs:
        kwargs["format"] = "json"
    if "object_id" in pattern.params and "object_id" not in kwargs:
        model = admin_model_for(pattern, world)
        kwargs["object_id"] = world.pick(model).pk
    view_class = getattr(pattern.callback, "cls", None)
    if "pk" in pattern.params and "pk" not in kwargs and view_class is not None:
        kwargs["pk"] = world.pick(view_class.queryset.model).pk
    if "code" in pattern.params and "code" not in kwargs:
        from vouchers.models import Voucher

        kwargs["code"] = world.pick(Voucher).code
    if "app_label" in pattern.params and "app_label" not in kwargs:
        kwargs["app_label"] = "institutions"
    if (pattern.name and pattern.name.startswith("admin:")) or pattern.name is None:
        if pattern.name is None:
            # Unnamed admin redirect: fill the route by hand.
            route = pattern.route
            for key, value in kwargs.items():
                route = re.sub(rf"<(?:\w+:)?{key}>", str(value), route)
            return "/" + route
    # DRF registers two patterns per name (with and without a format suffix); pass only the
    # pattern's own parameters so reverse picks this one.
    own = {k: v for k, v in kwargs.items() if k in pattern.params}
    return reverse(pattern.name, kwargs=own)


LOGIN_PATHS = ("/admin/login/", "/denglu/")


def outcome(response) -> str:
    """'ok' (the user got the page, the data or a validation answer), 'refused' (401, 403, 404,
    405 or a redirect to a login page) or 'error' (5xx)."""
    status = response.status_code
    if status >= 500:
        return "error"
    if status in (301, 302, 303, 307, 308):
        location = response.get("Location", "")
        return "refused" if any(path in location for path in LOGIN_PATHS) else "ok"
    if status in (401, 403, 404, 405):
        return "refused"
    return "ok"  # 2xx, 400 (validation), 409, 429
