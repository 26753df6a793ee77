"""Shared fixtures of the detector tests."""

from __future__ import annotations

import pytest

from txlguard.detect import Scanner, default_scanner


@pytest.fixture(scope="session")
def scanner() -> Scanner:
    return default_scanner()


@pytest.fixture(scope="session")
def rules_only() -> Scanner:
    """The recognizers alone, without the learned tier: what the rules themselves decide."""
    return Scanner(learned=False)
