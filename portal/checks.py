"""System checks for project invariants that a reviewer would otherwise have to remember."""

from django.apps import apps
from django.core import checks

from .roles import PORTAL_APPS


@checks.register()
def every_model_has_history(app_configs=None, *, models=None, **kwargs):
    """Every model of the portal's apps keeps its audit history (django-simple-history)."""
    errors = []
    for model in apps.get_models() if models is None else models:
        meta = model._meta
        if meta.app_label not in PORTAL_APPS or meta.auto_created:
            continue
        if meta.object_name.startswith("Historical") or getattr(model, "history_exempt", False):
            continue
        if not hasattr(model, "history"):
            errors.append(
                checks.Error(
                    f"{meta.label} has no audit history.",
                    hint="Add `history = HistoricalRecords()` to the model.",
                    obj=model,
                    id="lequing_tuoyu.E002",
                )
            )
    return errors
