import datetime as dt

from ratings.criteria import build_criteria_set

ITEMS = (("场地", 40), ("人员", 30), ("安全", 30))
THRESHOLDS = {1: 50, 2: 60, 3: 70, 4: 80, 5: 90}


def criteria_set(name="测试标准", valid_from=dt.date(2024, 1, 1)):
    return build_criteria_set(name=name, valid_from=valid_from, items=ITEMS, thresholds=THRESHOLDS)


def answers(application, scores, field="score"):
    """{criterion_pk: {"score": s, "note": ...}} in the criteria's order."""
    rows = application.scores.order_by("criterion__order")
    return {
        row.criterion_id: {field: str(s), "note": f"说明{n}"}
        for n, (row, s) in enumerate(zip(rows, scores, strict=True))
    }
