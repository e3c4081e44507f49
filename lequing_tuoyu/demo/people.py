"""Made-up people and codes for demo data: names, resident ID numbers, credit codes, phones, and
the demo accounts' password.

Every value is generated from the caller's seeded `random.Random`, so a seed gives the same data.
"""

from __future__ import annotations

import datetime as dt
import random

from portal.validators import credit_code_check_char, phone_kind, resident_id_check_char

DEMO_PASSWORD = "lequing2025"  # noqa: S105 - the published demo password (README)

NAME_WORDS = [
    "阳光",
    "春芽",
    "小树苗",
    "彩虹",
    "向日葵",
    "蓝天",
    "启明",
    "童心",
    "蒲公英",
    "金色",
    "星星",
    "贝贝",
    "乐乐",
    "雁山",
    "瓯江",
    "海韵",
]
_SURNAMES = [
    "陈",
    "林",
    "黄",
    "王",
    "张",
    "李",
    "郑",
    "周",
    "吴",
    "徐",
    "叶",
    "潘",
    "朱",
    "赵",
    "刘",
    "胡",
    "施",
    "卢",
    "金",
    "杨",
]
_GIVEN = [
    "静",
    "丽",
    "芳",
    "敏",
    "燕",
    "婷",
    "霞",
    "萍",
    "红",
    "洁",
    "雪",
    "玲",
    "慧",
    "佳",
    "怡",
    "晨",
    "悦",
    "欣",
    "颖",
    "琳",
]


def make_resident_id(rng: random.Random, *, born: dt.date, region: str = "330382") -> str:
    first17 = f"{region}{born:%Y%m%d}{rng.randint(0, 999):03d}"
    return first17 + resident_id_check_char(first17)


def make_credit_code(rng: random.Random) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "52330382" + "".join(rng.choice(alphabet) for _ in range(9))
    return body + credit_code_check_char(body)


def make_mobile(rng: random.Random) -> str:
    number = f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}"
    # A few blocks (154, most of 174, 179) are no mobile numbers; the same digits under 13 are.
    return number if phone_kind(number) == "mobile" else "13" + number[2:]


def make_person_name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + rng.choice(_GIVEN) + rng.choice(["", *_GIVEN])
