"""Shared fixtures. Simulator tests use the real ngspice: it is installed wherever tests run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rram_ber.characterization.session import NgspiceSession


@pytest.fixture(scope="session")
def session() -> Iterator[NgspiceSession]:
    """The process's one in-process ngspice, shared by every simulator test."""
    with NgspiceSession() as opened:
        yield opened
