"""The panels that other apps add to the dashboard and to an edition's workspace (the cockpit).

`portal` may not import `submissions` or `judging` (they import it), yet the dashboard and the
cockpit show their data; so those apps register panel providers here in their AppConfig.ready,
and portal renders whatever they return without knowing them.

A provider is a function of keyword arguments that returns a `Panel` or None (nothing to show):
- dashboard providers: `provider(*, user, roles_by_edition) -> Panel | None`;
- workspace providers: `provider(*, user, edition, roles: frozenset[str]) -> Panel | None`.
Each provider reads what it shows in a fixed number of queries, whatever the number of rows.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict = field(default_factory=dict)


_dashboard: list[tuple[int, str, Callable]] = []
_workspace: list[tuple[int, str, Callable]] = []


def _register(registry: list, provider: Callable, order: int) -> Callable:
    key = f"{provider.__module__}.{provider.__qualname__}"
    if all(existing != key for _order, existing, _provider in registry):  # ready() may run twice in tests
        registry.append((order, key, provider))
        registry.sort(key=lambda item: (item[0], item[1]))
    return provider


def register_dashboard_panel(provider: Callable | None = None, *, order: int = 50):
    """Register `provider` for the dashboard; lower `order` comes first."""
    if provider is None:
        return lambda function: _register(_dashboard, function, order)
    return _register(_dashboard, provider, order)


def register_workspace_panel(provider: Callable | None = None, *, order: int = 50):
    """Register `provider` for an edition's workspace; lower `order` comes first."""
    if provider is None:
        return lambda function: _register(_workspace, function, order)
    return _register(_workspace, provider, order)


def dashboard_panels(*, user, roles_by_edition) -> list[Panel]:
    panels = (provider(user=user, roles_by_edition=roles_by_edition) for _o, _k, provider in _dashboard)
    return [panel for panel in panels if panel is not None]


def workspace_panels(*, user, edition, roles: frozenset[str]) -> list[Panel]:
    panels = (provider(user=user, edition=edition, roles=roles) for _o, _k, provider in _workspace)
    return [panel for panel in panels if panel is not None]
