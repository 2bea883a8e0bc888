"""``mlcore search``: candidates, parameter mapping, backends (joblib, Dask LocalCluster) (issue 20)."""

from __future__ import annotations

import contextlib
import csv
import io
from pathlib import Path

import numpy as np
import pytest

from mlcore import config
from mlcore._data import prepare
from mlcore._search import candidates, parallel_backend, run_search
from mlcore.cli import main
from mlcore.config import ConfigError

pytest.importorskip("sklearn")
ROOT = Path(__file__).resolve().parents[1]
CNN = ROOT / "examples" / "digits_cnn.toml"
SMALL = ["fit.epochs=1", "data.validation_split=0.0"]
GRID = [("model.optimizer.lr", "1e-3,1e-2"), ("model.layers[0].out_ch", "2,4")]


def _run(argv, expect=0):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main([str(a) for a in argv])
    assert code == expect, out.getvalue()
    return out.getvalue()


def test_candidates_are_the_product_in_order_and_random_draws_are_seeded():
    cells = candidates([("a", "1,2"), ("b", "x,sgd(lr=0.1, momentum=0.5)")])
    assert cells == [[("a", "1"), ("b", "x")], [("a", "1"), ("b", "sgd(lr=0.1, momentum=0.5)")],
                     [("a", "2"), ("b", "x")], [("a", "2"), ("b", "sgd(lr=0.1, momentum=0.5)")]]
    grid = [("a", ",".join(map(str, range(10)))), ("b", "1,2,3")]
    r1, r2 = candidates(grid, 5, seed=3), candidates(grid, 5, seed=3)
    assert r1 == r2 and len(r1) == 5 and len({tuple(c) for c in r1}) == 5
    assert all(c in candidates(grid) for c in r1) and r1 != candidates(grid, 5, seed=4)
    with pytest.raises(ConfigError, match="given twice"):
        candidates([("a", "1"), ("a", "2")])


def test_scores_match_an_independent_cross_validation():
    """Each row's scores equal fitting the overridden config by hand on the same folds: the
    override paths reached the estimator (optimizer__lr, and the layers list)."""
    from sklearn.model_selection import StratifiedKFold

    cfg = config.load(CNN, SMALL)
    rows, best, cells = run_search(cfg, GRID, cv=2)
    data = prepare(cfg)
    X, y = data["X_train"], data["y_train"]
    for row, cell in zip(rows, cells):
        cand = cfg.with_overrides([f"{k}={v}" for k, v in cell])
        scores = []
        for train, test in StratifiedKFold(2).split(X, y):
            model = cand.build_model().fit(X[train], y[train], **cand.fit)
            scores.append(model.score(X[test], y[test]))
        assert [row["split0_score"], row["split1_score"]] == scores, cell
        assert row["mean_score"] == pytest.approx(np.mean(scores), rel=1e-12)
    assert len({r["mean_score"] for r in rows}) == 4         # the candidates really differ
    assert rows[best]["rank"] == 1 and rows[best]["mean_score"] == max(r["mean_score"] for r in rows)


def test_dask_local_cluster_gives_the_same_table_and_best_as_one_job():
    pytest.importorskip("distributed")
    from dask.distributed import LocalCluster

    cfg = config.load(CNN, SMALL)
    serial, best1, cells1 = run_search(cfg, GRID, cv=2, n_jobs=1)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster:
        dask_rows, best2, cells2 = run_search(cfg, GRID, cv=2, backend="dask", scheduler=cluster.scheduler_address)
    strip = lambda rows: [{k: v for k, v in r.items() if k != "mean_fit_time"} for r in rows]
    assert strip(serial) == strip(dask_rows) and best1 == best2 and cells1 == cells2


def test_search_cli_writes_table_csv_and_a_best_config_that_fits(tmp_path):
    out_csv, best = tmp_path / "r.csv", tmp_path / "best.toml"
    text = _run(["search", CNN, *sum((["--set", s] for s in SMALL), []), "--grid", "model.optimizer.lr=1e-3,3e-2",
                 "--grid", "model.layers[0].out_ch=2,4", "--cv", "2", "--random", "3", "--csv", out_csv,
                 "--best", best])
    assert "rank" in text and "model.layers[0].out_ch" in text
    with open(out_csv) as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 3
    top = min(rows, key=lambda r: int(r["rank"]))
    cfg = config.load(best)
    assert cfg.build_model().optimizer.lr == float(top["model.optimizer.lr"])
    assert cfg.build_model().layers[0].out_ch == int(top["model.layers[0].out_ch"])
    assert cfg.fit["epochs"] == 1
    assert "test:" in _run(["fit", best])


def test_search_errors():
    cfg = config.load(CNN, SMALL)
    with pytest.raises(ConfigError, match="only model keys can be searched"):
        run_search(cfg, [("fit.epochs", "1,2")], cv=2)
    with pytest.raises(ConfigError, match="did you mean 'lr'"):
        run_search(cfg, [("model.optimizer.lrr", "1,2")], cv=2)
    assert "--grid takes KEY=V1,V2" in _run(["search", CNN, "--grid", "model.optimizer.lr"], expect=2)


def test_forest_n_jobs_goes_through_the_backend_setting():
    import joblib

    import mlcore

    X = np.random.default_rng(0).normal(size=(200, 4))
    y = (X[:, 0] > 0).astype(int)
    alone = mlcore.build("random_forest(n_estimators=40, random_state=0)").fit(X, y)
    seen = []
    original = joblib.Parallel.__call__

    def spy(self, iterable):
        seen.append(self._effective_n_jobs())
        return original(self, iterable)

    joblib.Parallel.__call__ = spy
    try:
        with parallel_backend("threading", 2):
            inside = mlcore.build("random_forest(n_estimators=40, random_state=0)").fit(X, y)
    finally:
        joblib.Parallel.__call__ = original
    assert seen == [2]
    for k in ("threshold_", "feature_", "value_"):
        np.testing.assert_array_equal(getattr(alone, k), getattr(inside, k))
