"""Read the plan's tasks, sub-items and departments out of docs/spec/plan.md (a copy of the spec),
independently of the portal's own seed data, so the test comparing the two can fail."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

PLAN = Path(__file__).resolve().parents[2] / "docs" / "spec" / "plan.md"

_TASK = re.compile(r"^### Task (\d) （.）(\S+) — ")
_LEAD = re.compile(r"^- Lead \(\*\): \*\*(\S+)\*\* · Co-responsible: (.+)$")
_SUB_ITEM = re.compile(r"^\| (\d)\.(\d) (.+?) \| (.+?) \| ")


@dataclass
class PlanTask:
    number: int
    title: str
    lead: str = ""
    co_responsible: list[str] = field(default_factory=list)
    text: str = ""
    sub_items: list[tuple[int, str, str]] = field(default_factory=list)  # (number, title, text)


@dataclass
class PlanDepartment:
    name: str
    aliases: list[str]
    marks: list[str]  # per task 1..8: "★", "●" or ""
    role: str


def tasks() -> list[PlanTask]:
    result: list[PlanTask] = []
    lines = PLAN.read_text(encoding="utf-8").splitlines()
    for line in lines:
        if line.startswith("### Task ×"):
            break
        if match := _TASK.match(line):
            result.append(PlanTask(int(match[1]), match[2]))
        elif result and (match := _LEAD.match(line)):
            result[-1].lead = match[1]
            co = match[2].strip()
            result[-1].co_responsible = [] if co == "—" else co.split("、")
        elif result and line.startswith("> ") and not result[-1].text:
            result[-1].text = line[2:].strip()
        elif result and (match := _SUB_ITEM.match(line)):
            assert int(match[1]) == result[-1].number, line
            result[-1].sub_items.append((int(match[2]), match[3], match[4]))
    return result


def departments() -> list[PlanDepartment]:
    lines = PLAN.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("### Task × department"))
    result = []
    for line in lines[start + 1 :]:
        if line.startswith("That is"):
            break
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not cells[0].startswith("市"):
            continue
        names = [re.sub(r"\s*\(.*\)$", "", name).strip() for name in cells[0].split(" / ")]
        result.append(PlanDepartment(names[0], names[1:], cells[2:10], cells[10]))
    return result
