"""The house's floors hold: the base imports no app, no app imports the project on top, no
module imports one above it, no two modules import each other, and an import inside a function
says which cycle Django forces it to break."""

from . import imports as graph


def _lines(items) -> str:
    return "\n".join(f"{i.source}:{i.line} -> {i.target}" for i in items)


def test_the_graph_is_read():
    found = graph.project_imports()
    pairs = {(i.source, i.target) for i in found}
    # Known edges: an app on the base, the top on an app.
    assert ("institutions.models", "portal.personal_data") in pairs
    assert any(s.startswith("lequing_tuoyu") and t.startswith("metrics") for s, t in pairs)


def test_no_import_runs_up_a_floor():
    wrong = graph.upward(graph.project_imports())
    assert not wrong, "imports of a floor above or of a sibling app:\n" + _lines(wrong)


def test_no_two_modules_import_each_other():
    assert graph.circles(graph.project_imports()) == []


def test_inline_imports_of_project_modules_say_why():
    wrong = graph.unexplained_inline(graph.project_imports())
    assert not wrong, "imports inside functions without a comment naming the cycle:\n" + _lines(
        wrong
    )


def test_the_checks_catch_what_they_look_for():
    fake = [
        graph.Import("portal.roles", "institutions.models", 1, False, False),
        graph.Import("institutions.views", "lequing_tuoyu.admin", 2, False, False),
        graph.Import("vouchers.views", "inspections.models", 3, False, False),
        graph.Import("metrics.views", "institutions.models", 4, False, False),
        graph.Import("a.x", "a.y", 5, False, False),
        graph.Import("a.y", "a.x", 6, False, False),
        graph.Import("a.z", "a.x", 7, True, False),
        graph.Import("a.w", "a.x", 8, True, True),
    ]
    assert [i.line for i in graph.upward(fake[:4])] == [1, 2, 3]
    assert graph.circles(fake) == [["a.x", "a.y"]]
    assert [i.line for i in graph.unexplained_inline(fake)] == [7]
