"""The build cache: what one build derives from the stores, computed once, forgotten once.

Writing phase (and ``env-updated``). Aggregate pages, report boxes, topic pages and the
exports all ask for the same derived views (published reports newest first, the
reference index, neighbours, grouped actions, rendered aggregates); each is computed
on first use and kept until :func:`reset`, which runs as the first ``env-updated``
handler of every build (:data:`rapport.events.RESET_CACHE`): from then on the stores
are complete and do not change until the next build. Nothing here is pickled: the
cache belongs to the environment object in memory, so forked ``-j`` writers inherit
what the main process computed, and a new build (or a new app on the same
environment) starts empty. State that must survive between builds is domain data
instead (:mod:`rapport.registry`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar
from weakref import WeakKeyDictionary

from rapport import events

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

T = TypeVar("T")

_CACHES: WeakKeyDictionary[BuildEnvironment, dict[Any, Any]] = WeakKeyDictionary()


def computed(env: BuildEnvironment, key: Any, compute: Callable[[], T]) -> T:
    """The value of ``key`` in this build, computed by ``compute()`` on first use."""
    values = _CACHES.setdefault(env, {})
    if key not in values:
        values[key] = compute()
    return values[key]


def taken(env: BuildEnvironment, key: Any, compute: Callable[[], T]) -> T:
    """The value of ``key`` computed earlier in this build, handed over and forgotten, or
    ``compute()``: for a value its one user may change (nodes put into a page)."""
    values = _CACHES.setdefault(env, {})
    return values.pop(key) if key in values else compute()


def reset(app: Sphinx, env: BuildEnvironment) -> None:
    """``env-updated``, first handler: the stores may have changed since the last build."""
    _CACHES.pop(env, None)


def setup(app: Sphinx) -> None:
    app.connect("env-updated", reset, priority=events.RESET_CACHE)
