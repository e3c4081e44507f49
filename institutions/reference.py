"""Reference data: Yueqing's 25 townships (NBS 2023 codes, prefix 330382), from the glossary.

Subdistricts (街道) are flagged urban; towns (镇) and townships (乡) rural.
"""

CITY_CODE = "330382"

TOWNSHIPS: list[tuple[str, str, str]] = [
    # (code suffix, name, kind)
    ("001", "城东街道", "subdistrict"),
    ("002", "乐成街道", "subdistrict"),
    ("003", "城南街道", "subdistrict"),
    ("004", "盐盆街道", "subdistrict"),
    ("005", "翁垟街道", "subdistrict"),
    ("006", "白石街道", "subdistrict"),
    ("007", "石帆街道", "subdistrict"),
    ("008", "天成街道", "subdistrict"),
    ("101", "大荆镇", "town"),
    ("102", "仙溪镇", "town"),
    ("104", "雁荡镇", "town"),
    ("105", "芙蓉镇", "town"),
    ("106", "清江镇", "town"),
    ("108", "虹桥镇", "town"),
    ("111", "淡溪镇", "town"),
    ("114", "柳市镇", "town"),
    ("115", "北白象镇", "town"),
    ("121", "湖雾镇", "town"),
    ("122", "南塘镇", "town"),
    ("123", "南岳镇", "town"),
    ("124", "蒲岐镇", "town"),
    ("125", "磐石镇", "town"),
    ("210", "智仁乡", "township"),
    ("211", "龙西乡", "township"),
    ("212", "岭底乡", "township"),
]


def load_townships(township_model) -> int:
    """Create or update the 25 townships; returns how many rows were created. Idempotent.

    Takes the model class so a data migration can pass its historical model.
    """
    created = 0
    for order, (suffix, name, kind) in enumerate(TOWNSHIPS, start=1):
        _, was_created = township_model.objects.update_or_create(
            code=CITY_CODE + suffix,
            defaults={
                "name": name,
                "kind": kind,
                "is_urban": kind == "subdistrict",
                "sort_order": order,
            },
        )
        created += was_created
    return created
