"""Shared fixtures of the detector tests."""

from __future__ import annotations

import pytest

from txlguard.detect import Scanner, default_scanner


@pytest.fixture(scope="session")
def scanner() -> Scanner:
    return default_scanner()
