from portal.hooks import Hook


def test_a_hook_runs_what_was_registered_once_each_in_order():
    hook = Hook("test.happened", "Something happened (thing).")
    calls = []

    def first(**kwargs):
        calls.append(("first", kwargs))

    def second(**kwargs):
        calls.append(("second", kwargs))

    hook.register(first)
    hook.register(second)
    hook.register(first)  # AppConfig.ready may run twice: still once
    hook(thing=1)
    assert calls == [("first", {"thing": 1}), ("second", {"thing": 1})]
    assert "2 registered" in repr(hook)


def test_the_registry_calls_the_inspections_check_on_hire():
    from inspections.services import staff_hire_check
    from institutions.services import staff_hired

    assert staff_hire_check in staff_hired._functions
