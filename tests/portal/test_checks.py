from django.db import models
from django.test.utils import isolate_apps
from simple_history.models import HistoricalRecords

from portal.checks import every_model_has_history


def test_every_portal_model_has_audit_history():
    assert every_model_has_history() == []


@isolate_apps("vouchers")
def test_a_model_without_history_is_reported():
    class Untracked(models.Model):
        class Meta:
            app_label = "vouchers"

    class Tracked(models.Model):
        history = HistoricalRecords()

        class Meta:
            app_label = "vouchers"

    errors = every_model_has_history(models=[Untracked, Tracked])
    assert [error.id for error in errors] == ["lequing_tuoyu.E002"]
    assert "Untracked" in errors[0].msg
