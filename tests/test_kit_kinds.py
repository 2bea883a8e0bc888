"""The conformance kit checks what every kind's interface requires (issue 24): a component
lacking a required method, and an environment speaking the old Gym API, are rejected."""

from __future__ import annotations

import numpy as np
import pytest

from mlcore.interfaces import Component, Env
from mlcore.testing import check_component


class NoStep(Component):
    """Registered as an optimizer but without ``step``."""

    def __init__(self, lr=0.1):
        self.lr = lr


class _Space:
    def seed(self, seed):
        self.rng = np.random.default_rng(seed)

    def sample(self):
        return int(self.rng.integers(2))


class CoinEnv(Env):
    """A one-step environment: the reward is the action."""

    def __init__(self, old_api=False):
        self.old_api = old_api
        self.action_space = _Space()

    def reset(self, seed=None, options=None):
        return 0, {}

    def step(self, action):
        if self.old_api:   # gym < 0.26: (observation, reward, done, info)
            return 0, float(action), True, {}
        return 0, float(action), True, False, {}


@pytest.fixture
def reg(isolated_registry):
    isolated_registry.add("optimizer", "no_step", NoStep)
    isolated_registry.add("env", "coin", CoinEnv)
    return isolated_registry


def test_a_component_lacking_a_required_method_is_rejected(reg, tmp_path):
    with pytest.raises(AssertionError, match=r"lacks interface methods \['step'\]"):
        check_component("no_step", tmp_path=tmp_path)


def test_an_environment_is_checked_against_the_gymnasium_api(reg, tmp_path):
    check_component("coin", tmp_path=tmp_path)
    with pytest.raises(AssertionError, match="5-tuple"):
        check_component("coin(old_api=True)", tmp_path=tmp_path)
