"""Voucher pages (托育券). Bureau pages under /tuoyuquan/, an institution's under
/tuoyuquan/jigou/<pk>/; see vouchers/views/ for who may do what."""

from django.urls import path

from .statements import views as statements
from .views import bureau, documents, institution

app_name = "vouchers"

urlpatterns = [
    path("tuoyuquan/", institution.home, name="home"),
    # Bureau: batches and uptake, applications, figures, settlements.
    path("tuoyuquan/pici/", bureau.batches, name="batches"),
    path("tuoyuquan/shenqing/", bureau.applications, name="applications"),
    path("tuoyuquan/shenqing/xinzeng/", bureau.application_add, name="application_add"),
    path("tuoyuquan/shenqing/shenhe/", bureau.applications_decide, name="applications_decide"),
    path("tuoyuquan/shenqing/daoru/", bureau.application_import, name="application_import"),
    path(
        "tuoyuquan/shenqing/daoru/<int:pk>/",
        bureau.application_import_job,
        name="application_import_job",
    ),
    path(
        "tuoyuquan/shenqing/daoru/<int:pk>/zhuangtai/",
        bureau.application_import_job_state,
        name="application_import_job_state",
    ),
    path(
        "tuoyuquan/shenqing/daoru/muban.xlsx",
        bureau.application_import_template,
        name="application_import_template",
    ),
    path("tuoyuquan/shenqing/<int:pk>/", bureau.application_detail, name="application_detail"),
    path(
        "tuoyuquan/shenqing/<int:pk>/cailiao/", bureau.application_proof, name="application_proof"
    ),
    path("tuoyuquan/dikou/", bureau.redemption_report, name="redemption_report"),
    path("tuoyuquan/yichang/", bureau.anomalies, name="anomalies"),
    path("tuoyuquan/jiesuan/", bureau.settlements, name="settlements"),
    path("tuoyuquan/jiesuan/zhifu.xlsx", bureau.payment_file, name="payment_file"),
    path("tuoyuquan/jiesuan/<int:pk>/", institution.settlement_detail, name="settlement_detail"),
    path(
        "tuoyuquan/jiesuan/<int:pk>/gengxin/",
        institution.settlement_refresh,
        name="settlement_refresh",
    ),
    path(
        "tuoyuquan/jiesuan/<int:pk>/queren/",
        institution.settlement_confirm,
        name="settlement_confirm",
    ),
    path(
        "tuoyuquan/jiesuan/<int:pk>/shenhe/",
        institution.settlement_approve,
        name="settlement_approve",
    ),
    path("tuoyuquan/jiesuan/<int:pk>/zhifu/", institution.settlement_paid, name="settlement_paid"),
    path(
        "tuoyuquan/jiesuan/<int:pk>/tuihui/",
        institution.settlement_return,
        name="settlement_return",
    ),
    path(
        "tuoyuquan/jiesuan/<int:pk>/jiesuandan.pdf", documents.settlement_pdf, name="settlement_pdf"
    ),
    path(
        "tuoyuquan/quan/<str:code>/gaozhishu.pdf", documents.voucher_notice, name="voucher_notice"
    ),
    # An institution's pages: operators act, bureau viewers read.
    path("tuoyuquan/jigou/<int:pk>/", institution.children, name="children"),
    path("tuoyuquan/jigou/<int:pk>/ruto/", institution.enrolment_add, name="enrolment_add"),
    path(
        "tuoyuquan/jigou/<int:pk>/ruto/<int:enrolment_pk>/lituo/",
        institution.enrolment_end,
        name="enrolment_end",
    ),
    path("tuoyuquan/jigou/<int:pk>/dikou/", institution.redeem, name="redeem"),
    path(
        "tuoyuquan/jigou/<int:pk>/zhengming/",
        statements.institution_statements,
        name="statements",
    ),
    path(
        "tuoyuquan/jigou/<int:pk>/zhengming/<int:statement_pk>.pdf",
        statements.statement_pdf,
        name="statement_pdf",
    ),
    path("tuoyuquan/jigou/<int:pk>/dikou/jilu/", institution.redemptions, name="redemptions"),
    path(
        "tuoyuquan/jigou/<int:pk>/dikou/<int:redemption_pk>/",
        institution.redemption_detail,
        name="redemption_detail",
    ),
    path(
        "tuoyuquan/jigou/<int:pk>/dikou/<int:redemption_pk>/chongzheng/",
        institution.reverse_redemption,
        name="reverse",
    ),
    path(
        "tuoyuquan/jigou/<int:pk>/jiesuan/",
        institution.institution_settlements,
        name="institution_settlements",
    ),
    path(
        "tuoyuquan/jigou/<int:pk>/shenqing/",
        institution.institution_application_add,
        name="institution_application_add",
    ),
]
