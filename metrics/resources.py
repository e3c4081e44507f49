"""Spreadsheet import of the population base and the city income (django-import-export)."""

from import_export import fields, resources, widgets

from institutions.models import Township

from .models import CityIncome, PopulationBase


class TownshipWidget(widgets.ForeignKeyWidget):
    """A township by its statistical code (330382114) or its Chinese name (柳市镇)."""

    def __init__(self):
        super().__init__(Township, field="code")

    def clean(self, value, row=None, **kwargs):
        value = str(value or "").strip()
        if not value:
            raise ValueError("请填写镇街名称或代码。")
        township = (
            Township.objects.filter(code=value).first()
            or Township.objects.filter(name=value).first()
        )
        if township is None:
            raise ValueError(f"镇街“{value}”不存在。")
        return township

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class PopulationBaseResource(resources.ModelResource):
    township = fields.Field(attribute="township", column_name="镇街", widget=TownshipWidget())
    year = fields.Field(attribute="year", column_name="年份", widget=widgets.IntegerWidget())
    residents = fields.Field(
        attribute="residents", column_name="常住人口", widget=widgets.IntegerWidget()
    )
    children_under_3 = fields.Field(
        attribute="children_under_3", column_name="3岁以下婴幼儿数", widget=widgets.IntegerWidget()
    )
    births = fields.Field(
        attribute="births", column_name="出生人口", widget=widgets.IntegerWidget()
    )

    class Meta:
        model = PopulationBase
        import_id_fields = ("township", "year")
        fields = ("township", "year", "residents", "children_under_3", "births")
        clean_model_instances = True
        use_transactions = True
        skip_unchanged = True


class CityIncomeResource(resources.ModelResource):
    year = fields.Field(attribute="year", column_name="年份", widget=widgets.IntegerWidget())
    per_capita_disposable_income = fields.Field(
        attribute="per_capita_disposable_income",
        column_name="全体居民人均可支配收入（元）",
        widget=widgets.DecimalWidget(),
    )

    class Meta:
        model = CityIncome
        import_id_fields = ("year",)
        fields = ("year", "per_capita_disposable_income")
        clean_model_instances = True
        use_transactions = True
        skip_unchanged = True
