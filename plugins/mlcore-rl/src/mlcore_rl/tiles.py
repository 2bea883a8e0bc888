"""Tile coding: overlapping grids that turn a continuous observation into a few active features.

``n_tilings`` grids of ``grid_dims`` tiles each cover ``[low, high]``; tiling ``i`` is shifted
by ``i / n_tilings`` of a tile width times the asymmetric displacement ``(1, 3, 5, ...)``
recommended by Sutton and Barto (2018, section 9.5.4). Every observation activates exactly one
tile per tiling, so feature indices are dense, deterministic and need no hashing: tiling ``i``
owns indices ``[i * T, (i + 1) * T)`` with ``T = prod(grid_dims + 1)``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["TileCoder"]


class TileCoder:
    """Dense tile coder over a box.

    Parameters
    ----------
    low, high : array-like (d,)
        Bounds of the observations; values outside are clipped to them.
    n_tilings : int
    grid_dims : int or sequence of int (d,)
        Tiles per dimension in one tiling.

    Attributes
    ----------
    n_features : int
        ``n_tilings * prod(grid_dims + 1)``.

    Example
    -------
    >>> tc = TileCoder([0.0], [1.0], n_tilings=2, grid_dims=4)
    >>> tc.indices([0.3])
    array([1, 6])
    """

    def __init__(self, low, high, n_tilings: int = 8, grid_dims=8):
        self.low = np.asarray(low, dtype=float).ravel()
        self.high = np.asarray(high, dtype=float).ravel()
        if self.low.shape != self.high.shape or not np.all(np.isfinite(self.low) & np.isfinite(self.high)) \
                or np.any(self.high <= self.low):
            raise ValueError(f"tile coding needs finite bounds with low < high; got low={self.low}, high={self.high}. "
                             "Pass obs_min/obs_max for unbounded observations")
        d = self.low.size
        self.n_tilings = int(n_tilings)
        self.grid = np.broadcast_to(np.asarray(grid_dims, dtype=int), (d,)).copy()
        self.width = (self.high - self.low) / self.grid
        disp = 2 * np.arange(d) + 1
        self.offsets = (np.arange(self.n_tilings)[:, None] * disp[None, :] / self.n_tilings % 1.0) * self.width
        self.strides = np.cumprod(np.concatenate([[1], self.grid[:-1] + 1]))
        self.per_tiling = int(np.prod(self.grid + 1))
        self.n_features = self.n_tilings * self.per_tiling
        self._base = np.arange(self.n_tilings) * self.per_tiling
        self._inv_width = 1.0 / self.width
        self._off_units = self.offsets / self.width
        self._gridf = self.grid.astype(float)

    def indices(self, obs) -> np.ndarray:
        """Active feature index of each tiling, shape ``(n_tilings,)``."""
        u = (np.asarray(obs, dtype=float).reshape(-1) - self.low) * self._inv_width  # position in tile units
        np.maximum(u, 0.0, out=u)
        np.minimum(u, self._gridf, out=u)
        coords = (u + self._off_units).astype(np.intp)  # floor: everything is non-negative here
        np.minimum(coords, self.grid, out=coords)
        return self._base + coords @ self.strides
