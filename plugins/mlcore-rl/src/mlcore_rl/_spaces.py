"""How the agents read Gymnasium spaces: table rows for discrete observations, boxes for tile coding."""

from __future__ import annotations

import numpy as np
from gymnasium import spaces

__all__ = ["discrete_radices", "is_box", "check_action_space"]


def discrete_radices(space):
    """``(radices, starts)`` of a ``Discrete`` or ``Tuple`` of ``Discrete`` space, else None.

    A tuple observation ``(o_1, ..., o_m)`` maps to the table row of its mixed-radix code.
    """
    if isinstance(space, spaces.Discrete):
        return np.array([int(space.n)]), np.array([int(space.start)])
    if isinstance(space, spaces.Tuple) and space.spaces and all(isinstance(s, spaces.Discrete) for s in space.spaces):
        return (np.array([int(s.n) for s in space.spaces]), np.array([int(s.start) for s in space.spaces]))
    return None


def is_box(space) -> bool:
    """Whether ``space`` is a real-valued ``Box`` (tile-coded, or used directly by linear policies)."""
    return isinstance(space, spaces.Box) and np.issubdtype(space.dtype, np.floating)


def check_action_space(space, agent: str):
    """``(n_actions, start)`` of a ``Discrete`` action space; a TypeError naming the space otherwise."""
    if not isinstance(space, spaces.Discrete):
        raise TypeError(f"{agent} needs a Discrete action space, got {space!r}")
    return int(space.n), int(space.start)
