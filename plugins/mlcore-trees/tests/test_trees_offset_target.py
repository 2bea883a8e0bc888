"""Regression trees on a target far from zero (issue 22, section 1: one-pass variances).

The growers score splits with ``sum w y^2 / W - (sum w y / W)^2``; for ``y = 1e6 + O(1)``
that difference cancels about 12 of 16 digits, and at 1e8 the chosen splits are noise
(scikit-learn's DecisionTreeRegressor, which uses the same sums, is off by O(1) there).
Growing on the centred target keeps the fitted function shift-equivariant.
"""

import numpy as np
import pytest

import mlcore


def _data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 3))
    return X, np.sin(2 * X[:, 0]) + 0.3 * X[:, 1] + 0.05 * rng.normal(size=400)


@pytest.mark.parametrize("offset", [1e6, 1e8, 1e10])
@pytest.mark.parametrize("spec", ["decision_tree(task='regression', max_depth=6)",
                                  "decision_tree(task='regression', max_depth=6, splitter='hist')",
                                  "gbdt(task='regression', n_estimators=20, max_depth=3)"])
def test_offset_target_gives_the_shifted_fit(spec, offset):
    X, y = _data()
    base = mlcore.build(spec).fit(X, y).predict(X)
    moved = mlcore.build(spec).fit(X, y + offset).predict(X) - offset
    # what is left is the rounding of y + offset itself (ulp(1e10) ~ 2e-6)
    np.testing.assert_allclose(moved, base, rtol=0, atol=20 * np.spacing(offset))


def test_forest_offset_target_keeps_the_tree_structure_and_values():
    X, y = _data()
    spec = "random_forest(task='regression', n_estimators=4, max_depth=5, random_state=0)"
    a = mlcore.build(spec).fit(X, y + 1e6)
    b = mlcore.build(spec).fit(X, y + 1e8)
    np.testing.assert_array_equal(a.feature_, b.feature_)
    np.testing.assert_allclose(a.value_ - 1e6, b.value_ - 1e8, rtol=0, atol=1e-7)
