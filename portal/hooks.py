"""Hooks: how a lower app's service lets the apps above it act at a stated moment, without
importing them (the floors of tests/architecture).

A hook is declared next to the service that calls it, with the moment and the keyword
arguments in its description; an app above registers a function on it in its AppConfig.ready.
The service calls the hook explicitly, inside its own transaction, so a registered function
runs exactly where a direct call stood and its exception rolls the write back. Unlike a signal
(STYLE.md keeps business logic out of signals), the call is visible in the service and the list
of what runs is in one place: the hook.
"""

from __future__ import annotations

from collections.abc import Callable


class Hook:
    def __init__(self, name: str, description: str):
        self.name = name
        self.description = description
        self._functions: list[Callable[..., object]] = []

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._functions)} registered>"

    def register(self, function: Callable[..., object]) -> Callable[..., object]:
        """Run `function(**kwargs)` whenever the hook is called; registering twice runs it once."""
        if function not in self._functions:
            self._functions.append(function)
        return function

    def __call__(self, **kwargs) -> None:
        for function in self._functions:
            function(**kwargs)
