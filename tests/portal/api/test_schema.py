"""The OpenAPI schema documents one month: every month parameter and field has the same pattern,
and the fields and filters take exactly what it allows."""

import re

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

from portal.api.fields import MonthField
from portal.dates import MONTH_PATTERN
from portal.forms import MonthField as MonthFormField

MONTH_NAME = re.compile(r"^(period|(\w+_)?month)$")


def _month_schemas(schema: dict):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if MONTH_NAME.match(parameter["name"]):
                    yield f"{method.upper()} {path} ?{parameter['name']}", parameter["schema"]
    for name, component in schema["components"]["schemas"].items():
        for field, field_schema in component.get("properties", {}).items():
            if MONTH_NAME.match(field):
                yield f"{name}.{field}", field_schema


def test_the_schema_documents_exactly_one_month_pattern():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    patterns = {where: s.get("pattern") for where, s in _month_schemas(schema)}
    # Parameters (filters, exports, the indicators, coverage) and fields (reports, vouchers).
    assert sum(" ?" in where for where in patterns) >= 8
    assert sum(" ?" not in where for where in patterns) >= 5
    assert set(patterns.values()) == {MONTH_PATTERN}, patterns


@pytest.mark.parametrize("text", ["2025-03", " 2025-12 ", "1999-01"])
def test_a_month_the_pattern_allows_is_taken(text):
    assert re.fullmatch(MONTH_PATTERN, text.strip())
    assert MonthField().run_validation(text).month == int(text.strip()[5:])
    assert MonthFormField(years=None).clean(text).month == int(text.strip()[5:])


@pytest.mark.parametrize("text", ["2025-3", "2025-13", "2025-00", "0000-01", "25-03", "2025-03-01"])
def test_a_month_the_pattern_refuses_is_refused(text):
    with pytest.raises(serializers.ValidationError):
        MonthField().run_validation(text)
    with pytest.raises(DjangoValidationError) as refused:
        MonthFormField(years=None).clean(text)
    assert refused.value.code == "invalid"
