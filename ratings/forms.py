"""The rating pages' forms: starting an application, the decision, and reading the score rows a
self-assessment or review form posts (score-<criterion>, note-<criterion>, file-<criterion>)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from institutions.models import Institution

from .models import CriteriaSet, RatingApplication

STAR_CHOICES = [(n, "★" * n) for n in range(1, 6)]


class ApplicationCreateForm(forms.Form):
    institution = forms.ModelChoiceField(label=_("机构"), queryset=Institution.objects.none())
    criteria_set = forms.ModelChoiceField(label=_("评定标准"), queryset=CriteriaSet.objects.none())
    stars_applied = forms.TypedChoiceField(label=_("申请星级"), choices=STAR_CHOICES, coerce=int)
    note = forms.CharField(
        label=_("申请说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, institutions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions
        if institutions.count() == 1:
            self.fields["institution"].initial = institutions.first()
        self.fields["criteria_set"].queryset = CriteriaSet.objects.filter(
            valid_from__lte=timezone.localdate()
        )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("决定"),
        choices=[("approve", _("批准")), ("refuse", _("不批准"))],
        widget=forms.RadioSelect,
    )
    stars = forms.TypedChoiceField(
        label=_("评定星级"),
        choices=[("", "—"), *STAR_CHOICES],
        coerce=int,
        required=False,
        empty_value=None,
    )
    expires_on = forms.DateField(
        label=_("有效期至"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("含当日；此后公示页面不再显示该星级。"),
    )
    note = forms.CharField(
        label=_("决定意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, application: RatingApplication, **kwargs):
        super().__init__(*args, **kwargs)
        reached = application.criteria_set.stars_for(application.review_total)
        if reached:
            self.fields["stars"].initial = min(reached, application.stars_applied)
        self.fields["expires_on"].initial = timezone.localdate() + dt.timedelta(days=3 * 365)


class ReturnForm(forms.Form):
    note = forms.CharField(label=_("退回原因"), widget=forms.Textarea(attrs={"rows": 2}))


def parse_rows(post, files, application) -> tuple[dict[int, dict], dict[int, object]]:
    """The posted score and note of every criterion of `application`, and any file per criterion
    (key 0: a file for the application as a whole)."""
    answers, uploads = {}, {}
    for row in application.scores.all():
        pk = row.criterion_id
        if f"score-{pk}" in post or f"note-{pk}" in post:
            answers[pk] = {"score": post.get(f"score-{pk}", ""), "note": post.get(f"note-{pk}", "")}
        if files.get(f"file-{pk}"):
            uploads[pk] = files[f"file-{pk}"]
    if files.get("file-0"):
        uploads[0] = files["file-0"]
    return answers, uploads
