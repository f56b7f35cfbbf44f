"""The ``slo`` package's public names: each resolves, on first use, to the object its module defines."""

from __future__ import annotations

import importlib

import pytest

import slo

HOME_OF = {name: module for module, names in slo._HOMES.items() for name in names}


@pytest.mark.parametrize("name", slo.__all__)
def test_every_public_name_is_its_modules_object(name: str) -> None:
    home = importlib.import_module(f"slo.{HOME_OF[name]}")
    assert getattr(slo, name) is getattr(home, name)
    assert name in dir(slo)


def test_all_is_sorted_and_complete() -> None:
    assert slo.__all__ == sorted(slo.__all__, key=lambda n: (not n.isupper(), n))
    assert set(slo.__all__) == set(HOME_OF)


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_thing"):
        _ = slo.no_such_thing  # type: ignore[attr-defined]
