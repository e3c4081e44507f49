"""What every app's pages share: the page decorator, who acts on a page, where to go back to, and
how a service's refusal lands on a form.

Every portal page (registry, reports, vouchers, inspections, indicators) is behind the same
login and is never cached; an app's own decorator (e.g. a role check) wraps `portal_page`. Like
the rest of the base, this module imports no app: the institution a user operates is reached
through its `operators` link, and the model is named in a setting (`portal.roles`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    FieldDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.db import models
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from .roles import (
    Role,
    User,
    can_write,
    has_role,
    is_bureau,
    operated_institution_ids,
    sees_every_institution,
)


def portal_page(view: Callable) -> Callable:
    """Login required (settings.LOGIN_URL: the portal's own login, which every role may use, with
    ?next= back to the page); never cached, since these pages show records that are not public."""
    return login_required(never_cache(view))


# --- Who acts -------------------------------------------------------------------------------------


def bureau_acts(user: User | None) -> bool:
    """Bureau staff who may write: they review, approve and grant. Auditors and education staff
    read every bureau page but never act, whatever other group they are in."""
    return is_bureau(user) and can_write(user)


def is_operator(user: User | None) -> bool:
    """Has the operator role and may write (a read-only role on the same account wins)."""
    return can_write(user) and has_role(user, Role.OPERATOR)


def operated_ids(user: User) -> frozenset[int]:
    """The institutions `user` works for as an operator, read once per user object (a page asks
    for every row it shows)."""
    cached = getattr(user, "_portal_operated_ids", None)
    if cached is None:
        cached = frozenset(
            operated_institution_ids(user).values_list("pk", flat=True) if is_operator(user) else []
        )
        user._portal_operated_ids = cached
    return cached


def operates(user: User, institution: models.Model) -> bool:
    """`user` works for this institution. Checked on the link itself, not only by scope: a user
    who also has a city-wide role sees every institution but acts only for their own."""
    return institution.pk in operated_ids(user)


def require_bureau_actor(request: HttpRequest, message: str | None = None) -> None:
    """403 unless the user is bureau staff who may write. `message` says, where a page has
    more to say, who may do this there (it is logged, not shown: the 403 page is the same)."""
    if not bureau_acts(request.user):
        raise PermissionDenied(
            _("您的账号只能查看，不能审核或修改。") if message is None else message
        )


def require_city_wide(request: HttpRequest, message: str | None = None) -> None:
    """403 unless the user sees every institution (bureau, inspectors, education, auditors).
    `message` names who may see the page, which differs from app to app."""
    if not sees_every_institution(request.user):
        raise PermissionDenied(
            _("只有卫健局等部门的工作人员可以查看此页面。") if message is None else message
        )


# --- Going back -----------------------------------------------------------------------------------


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The POSTed `next` if it points back into this site (same host, and https when the request
    is), otherwise `fallback`: a form cannot be used to send someone to another site."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


# --- A service's refusal on a form ----------------------------------------------------------------


def add_service_error(
    form: forms.Form,
    error: ValidationError,
    *,
    model: type[models.Model] | None = None,
    labels: Mapping[str, str] | None = None,
) -> None:
    """Show a service's ValidationError on the form: next to its field when the form shows it;
    otherwise at the top, prefixed with what it is about ("月份：…") when that has a name.

    The name of a field the form does not show comes from `labels`, then from the verbose name
    on `model`. `model` defaults to a ModelForm's own model (the registry's staff and
    certificate forms). The report forms are plain forms about a MonthlyReport, so their pages
    pass `model=MonthlyReport` (and the label of a window exception's `reason`). A field without
    a name (the inspection forms are plain forms, and their services' messages already say what
    they are about) is shown as it is: an English identifier is never put in front of it.
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    model = model or getattr(getattr(form, "_meta", None), "model", None)
    for name, errors in error.error_dict.items():
        if name in form.fields:
            form.add_error(name, errors)
            continue
        label = None if name == NON_FIELD_ERRORS else _field_label(name, model, labels or {})
        if label:
            errors = [ValidationError(f"{label}：{message}") for e in errors for message in e]
        form.add_error(None, errors)


def _field_label(name: str, model: type[models.Model] | None, labels: Mapping[str, str]):
    if name in labels:
        return str(labels[name])
    if model is None:
        return None
    try:
        return str(model._meta.get_field(name).verbose_name)
    except (FieldDoesNotExist, AttributeError):  # a relation's reverse side has no verbose name
        return None
