"""Fixtures of the fuzz suites: one fork server per session (tests/fuzz/forkserver.py), a home folder
of its own (so that no user bank or cache is read), and the seeds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fuzz.runner import CliPool
from tests.fuzz.seeds import make_seeds


@pytest.fixture(scope="session")
def fuzz_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-home")


@pytest.fixture(scope="session")
def cli(fuzz_home: Path) -> Iterator[CliPool]:
    with CliPool(env={"HOME": str(fuzz_home), "XDG_DATA_HOME": str(fuzz_home / "data")}) as pool:
        yield pool


@pytest.fixture(scope="session")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_seeds(tmp_path_factory.mktemp("seeds"))
