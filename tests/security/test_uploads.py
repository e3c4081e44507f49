"""Uploads are limited by size and by what the file is (its first bytes, not its name): through the
operator's rectification page, the API, and the inspector's phone form. A refused upload writes
nothing: no rectification, no evidence row, no file on disk."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inspections.models import Finding, InspectionPhoto, Rectification, RectificationEvidence
from inspections.validators import validate_photo_file
from tests.inspections.factories import PNG, make_inspection, pdf_upload, png_upload

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


@pytest.fixture
def finding(institution_a, inspector, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    inspection = make_inspection(institution=institution_a, inspectors=[inspector], fail=(0,))
    return inspection.findings.get()


def nothing_written(finding, media) -> bool:
    finding.refresh_from_db()
    return (
        finding.state == Finding.State.OPEN
        and not Rectification.objects.filter(finding=finding).exists()
        and not RectificationEvidence.objects.exists()
        and not [path for path in media.rglob("*") if path.is_file()]
    )


def answer_on_page(client, finding, *files):
    url = reverse("inspections:finding_detail", args=[finding.pk])
    return client.post(url, {"action": "answer", "action_taken": "已整改", "evidence": list(files)})


def answer_by_api(api, finding, *files):
    url = reverse("v1:finding-rectify", args=[finding.pk])
    return api.post(url, {"action_taken": "已整改", "evidence": list(files)}, format="multipart")


def page_errors(response) -> list[str]:
    return response.context["answer_form"].errors["evidence"]


# --- The operator's page --------------------------------------------------------------------------


@pytest.mark.django_db
def test_page_refuses_an_exe_renamed_jpg_naming_the_file(client_as, operator_a, finding, tmp_path):
    exe = SimpleUploadedFile("整改照片.jpg", EXE, content_type="image/jpeg")

    response = answer_on_page(client_as(operator_a), finding, png_upload(), exe)

    assert response.status_code == 400  # the page again, with the form's errors
    assert page_errors(response) == [
        "整改照片.jpg：佐证材料格式不支持，请上传：JPEG、PDF、PNG、WebP。"
    ]
    assert nothing_written(finding, tmp_path)


@pytest.mark.django_db
def test_page_refuses_a_file_over_upload_max_bytes(
    client_as, operator_a, finding, settings, tmp_path
):
    settings.UPLOAD_MAX_BYTES = 2**20  # 1 MB, below the evidence cap of 20 MB
    big = SimpleUploadedFile("大图.png", PNG + b"\x00" * 2**20, content_type="image/png")

    response = answer_on_page(client_as(operator_a), finding, big)

    assert response.status_code == 400
    assert page_errors(response) == ["大图.png：佐证材料不能超过1MB。"]
    assert nothing_written(finding, tmp_path)


@pytest.mark.django_db
def test_page_accepts_a_small_png_and_a_pdf(client_as, operator_a, finding, tmp_path):
    response = answer_on_page(client_as(operator_a), finding, png_upload(), pdf_upload())

    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.state == Finding.State.SUBMITTED
    stored = sorted(e.file.read()[:4] for e in RectificationEvidence.objects.all())
    assert stored == [b"%PDF", PNG[:4]]


@pytest.mark.django_db
def test_page_refuses_a_request_body_over_data_upload_max_memory_size(
    client_as, operator_a, finding, settings, tmp_path
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    url = reverse("inspections:finding_detail", args=[finding.pk])

    response = client_as(operator_a).post(url, {"action": "answer", "action_taken": "字" * 5000})

    assert response.status_code == 400
    # Refused by Django while reading the request, before the view: no form was made.
    assert "answer_form" not in (response.context or {})
    assert nothing_written(finding, tmp_path)


# --- The API --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_refuses_an_exe_renamed_jpg(api_as, operator_a, finding, tmp_path):
    exe = SimpleUploadedFile("photo.jpg", EXE, content_type="image/jpeg")

    response = answer_by_api(api_as(operator_a), finding, exe)

    assert response.status_code == 400
    assert "佐证材料格式不支持，请上传：JPEG、PDF、PNG、WebP。" in str(response.data)
    assert nothing_written(finding, tmp_path)


@pytest.mark.django_db
def test_api_refuses_a_file_over_upload_max_bytes(api_as, operator_a, finding, settings, tmp_path):
    settings.UPLOAD_MAX_BYTES = 512 * 1024
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * 600_000, "application/pdf")

    response = answer_by_api(api_as(operator_a), finding, big)

    assert response.status_code == 400
    assert "佐证材料不能超过0.5MB。" in str(response.data)
    assert nothing_written(finding, tmp_path)


@pytest.mark.django_db
def test_api_accepts_a_small_png(api_as, operator_a, finding):
    response = answer_by_api(api_as(operator_a), finding, png_upload())

    assert response.status_code == 201, response.data
    assert RectificationEvidence.objects.get().file.read() == PNG


# --- Inspection photos ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_photos_are_capped_by_the_lower_of_their_own_limit_and_upload_max_bytes(settings):
    from django.core.exceptions import ValidationError

    photo = SimpleUploadedFile("site.png", PNG + b"\x00" * 300_000, content_type="image/png")
    settings.UPLOAD_MAX_BYTES = 20 * 2**20
    assert validate_photo_file(photo) == "image/png"  # under the photo cap of 10 MB

    settings.UPLOAD_MAX_BYTES = 256 * 1024
    with pytest.raises(ValidationError) as refused:
        validate_photo_file(photo)
    assert refused.value.messages == ["照片不能超过0.25MB。"]
    assert refused.value.code == "file_too_large"
    assert not InspectionPhoto.objects.exists()
