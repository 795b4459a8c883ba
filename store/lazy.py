"""Names that load their module on first use: the facade's and its namespaces' (`rules`,
`display`, `following`, `remote`, `types`). A table says which module holds each name; the
module is imported when one of its names is first asked for, and all its names are set then.

    __getattr__, __dir__ = lazy_names(globals(), {"papertray.store.tags": ("split_tags",)})

An entry `there as here` names `there` of the module `here`."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_names", "split_entry"]


def split_entry(entry: str) -> tuple[str, str]:
    """The name in its module and the name here: `data_dir as resolve_data_dir`."""
    there, _, here = entry.partition(" as ")
    return there, here or there


def lazy_names(
    namespace: dict[str, Any], table: Mapping[str, tuple[str, ...]]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A module's `__getattr__` and `__dir__` for the names of `table` (module -> entries)."""
    where = {
        here: module for module, entries in table.items() for _, here in map(split_entry, entries)
    }

    def __getattr__(name: str) -> Any:
        module_name = where.get(name)
        if module_name is None:
            raise AttributeError(f"module {namespace['__name__']!r} has no attribute {name!r}")
        __import__(module_name)  # not importlib.import_module: -X importtime names the module
        module = sys.modules[module_name]
        for entry in table[module_name]:
            there, here = split_entry(entry)
            namespace[here] = getattr(module, there)
        return namespace[name]

    def __dir__() -> list[str]:
        return sorted([*namespace, *where])

    return __getattr__, __dir__
