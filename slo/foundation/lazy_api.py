"""The public API of a package whose names are imported from their modules on first use (PEP 562).

A package ``__init__`` lists its public names in ``__all__`` (and, for type checkers, imports them
under ``TYPE_CHECKING``), then ``__getattr__, __dir__ = lazy_api(__name__, homes)``. Importing one
module of the package then loads only that module's imports: reading a duration loads neither NumPy
nor pydantic, the CLI starts without either, and the exporter starts without the gRPC, protobuf and
signing libraries that only some probers need. Every package of ours may use it: it lives at the
bottom of ``slo``, which imports nothing else of ours.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["lazy_api"]


def lazy_api(
    package: str, homes: Mapping[str, Sequence[str]]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``: ``homes`` maps a module (relative to the
    package, e.g. ``"schedule.store"``) to the public names it defines.

    A name is looked up in its module once and then kept in the package's namespace.
    """
    home_of = {name: module for module, names in homes.items() for name in names}
    namespace = vars(sys.modules[package])

    def get(name: str) -> Any:
        module = home_of.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        namespace[name] = value
        return value

    def names() -> list[str]:
        return sorted({*namespace, *home_of})

    return get, names
