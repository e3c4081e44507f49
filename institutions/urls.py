from django.urls import path

from . import premises_views, views

app_name = "institutions"

urlpatterns = [
    # Public disclosure (信息公示): no login.
    path("gongshi/", views.public_list, name="public_list"),
    path("gongshi/fangyuan/", premises_views.premises_public, name="premises_public"),
    # Sign-in for every role. The admin's login page refuses accounts without is_staff, and
    # operators have none, so the portal pages need a login of their own.
    path("denglu/", views.PortalLoginView.as_view(), name="login"),
    path("tuichu/", views.PortalLogoutView.as_view(), name="logout"),
    # Operator pages (login required, scoped: another institution's object is a 404).
    path("jigou/", views.my_institutions, name="my_institutions"),
    path("jigou/<int:pk>/", views.institution_detail, name="institution_detail"),
    path("jigou/<int:pk>/staff/", views.staff_list, name="staff_list"),
    path("jigou/<int:pk>/staff/add/", views.staff_add, name="staff_add"),
    path("jigou/<int:pk>/staff/<int:staff_pk>/", views.staff_detail, name="staff_detail"),
    path("jigou/<int:pk>/staff/<int:staff_pk>/edit/", views.staff_edit, name="staff_edit"),
    path("jigou/<int:pk>/staff/<int:staff_pk>/leave/", views.staff_leave, name="staff_leave"),
    path(
        "jigou/<int:pk>/staff/<int:staff_pk>/certificates/add/",
        views.certificate_add,
        name="certificate_add",
    ),
    path(
        "jigou/<int:pk>/staff/<int:staff_pk>/certificates/<int:certificate_pk>/edit/",
        views.certificate_edit,
        name="certificate_edit",
    ),
    path(
        "jigou/<int:pk>/staff/<int:staff_pk>/certificates/<int:certificate_pk>/delete/",
        views.certificate_delete,
        name="certificate_delete",
    ),
]
