"""Load the plan's departments, tasks, sub-items, deliverables and funds (programme/plan.py).
Everything loaded stays editable: the plan is a draft. Nothing is loaded into the catalogue."""

from django.db import migrations

from programme import plan


def load(apps, schema_editor):
    Department = apps.get_model("programme", "Department")
    Task = apps.get_model("programme", "Task")
    SubItem = apps.get_model("programme", "SubItem")
    Deliverable = apps.get_model("programme", "Deliverable")
    Fund = apps.get_model("programme", "Fund")
    departments = {}
    for order, (name, aliases, role, hosts_office) in enumerate(plan.DEPARTMENTS, start=1):
        departments[name], _ = Department.objects.get_or_create(
            name=name,
            defaults={
                "aliases": aliases,
                "task_force_role": role,
                "hosts_office": hosts_office,
                "order": order,
            },
        )
    tasks = {}
    for number, (title, text, lead, co, sub_items) in plan.TASKS.items():
        task, created = Task.objects.get_or_create(
            number=number,
            defaults={
                "title": title,
                "text": text,
                "lead": departments[lead],
                "indicators": plan.INDICATORS.get(str(number), []),
            },
        )
        tasks[number] = task
        if created:
            task.co_responsible.set([departments[name] for name in co])
        for sub_number, sub_title, sub_text in sub_items:
            SubItem.objects.get_or_create(
                task=task,
                number=sub_number,
                defaults={
                    "title": sub_title,
                    "text": sub_text,
                    "indicators": plan.INDICATORS.get(f"{number}.{sub_number}", []),
                },
            )
    for name, source, task, phase, owner in plan.DELIVERABLES:
        Deliverable.objects.get_or_create(
            name=name,
            defaults={
                "source": source,
                "task": tasks.get(task),
                "phase": phase,
                "owner": owner,
            },
        )
    for kind, name, purpose in plan.FUNDS:
        Fund.objects.get_or_create(name=name, defaults={"kind": kind, "purpose": purpose})


class Migration(migrations.Migration):
    dependencies = [("programme", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
