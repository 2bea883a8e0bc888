"""Scale section of ``make bench`` (``benchmarks/run.py --scale``, issue 23).

Every workload runs at 10^5 and 10^6 rows (``--quick``: 10^4 and 10^5), each side
(mlcore, reference) in a FRESH Python subprocess, alternately. Inside the child:

1. import everything, build the data (same seed on both sides), run a tiny warm-up fit so
   that lazily imported modules and BLAS buffers are in the baseline;
2. reset the peak resident set (``echo 5 > /proc/self/clear_refs`` resets ``VmHWM``) and
   read the baseline ``VmRSS``;
3. fit (and predict / transform), read ``VmHWM``: peak memory = ``VmHWM - baseline``;
4. score on held-out rows (quality).

Both sides are measured the same way, so the memory ratio compares like with like. Where
``clear_refs`` is not writable the child falls back to ``ru_maxrss`` (peak of the whole
process, data included), stated in the output.

Run alone: ``OMP_NUM_THREADS=1 python benchmarks/bench_scale.py [--quick] [--only NAME ...]``.
Rows of 10^7 for the trees are not run by default: the forest alone takes tens of
minutes on one core for each side (``--sizes 10000000`` runs them).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import numpy as np

WORKLOADS = ("decision_tree", "random_forest", "gbdt_hist", "knn", "tfidf", "gmm")
#: memory targets of issue 23 (mlcore peak / reference peak); time targets where stated
TARGETS = {"decision_tree": (None, 2.0), "random_forest": (None, 2.0), "gbdt_hist": (2.0, 2.0),
           "knn": (1.2, None), "tfidf": (None, 2.0), "gmm": (None, None)}


# ----------------------------------------------------------------------------- child side
def _status(key):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return None


def _reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _classification(n, d=20, seed=0, n_test=10_000):
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=n + n_test, n_features=d, n_informative=10, random_state=seed)
    return X[:n], y[:n], X[n:], y[n:]


def _docs(n_docs, vocab=20_000, seed=0):
    rng = np.random.default_rng(seed)
    words = np.array([f"w{i}" for i in range(vocab)])
    p = 1.0 / np.arange(1, vocab + 1)
    p /= p.sum()
    lens = rng.integers(20, 120, n_docs)
    toks = words[rng.choice(vocab, size=int(lens.sum()), p=p)]
    ends = np.cumsum(lens)
    return [" ".join(toks[e - k:e]) for e, k in zip(ends, lens)]


def _setup(name, side, n):
    """Data and two callables: ``run()`` (the timed work) and ``quality()``."""
    if name in ("decision_tree", "random_forest", "gbdt_hist"):
        Xtr, ytr, Xte, yte = _classification(n)
        if side == "mlcore":
            from mlcore_trees import GBDT, DecisionTree, RandomForest

            make = {"decision_tree": lambda: DecisionTree(max_depth=10, random_state=0),
                    "random_forest": lambda: RandomForest(n_estimators=50, max_depth=10, n_jobs=1,
                                                          random_state=0),
                    "gbdt_hist": lambda: GBDT(n_estimators=50, max_depth=3, splitter="hist",
                                              random_state=0)}[name]
        else:
            from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
            from sklearn.tree import DecisionTreeClassifier

            make = {"decision_tree": lambda: DecisionTreeClassifier(max_depth=10, random_state=0),
                    "random_forest": lambda: RandomForestClassifier(n_estimators=50, max_depth=10, n_jobs=1,
                                                                    random_state=0),
                    "gbdt_hist": lambda: HistGradientBoostingClassifier(
                        max_iter=50, max_depth=3, early_stopping=False, random_state=0)}[name]
        est = make()
        make().fit(Xtr[:500], ytr[:500])
        return (lambda: est.fit(Xtr, ytr)), (lambda: f"test acc {est.score(Xte, yte):.4f}")
    if name == "knn":
        # n training points, 2,000 queries, 10 features (the bench_nonparametric workload, grown)
        from sklearn.datasets import make_classification

        X, y = make_classification(n_samples=n + 2000, n_features=10, n_informative=6, random_state=0)
        Xtr, ytr, Xte, yte = X[:n], y[:n], X[n:], y[n:]
        out = {}
        if side == "mlcore":
            import mlcore

            mlcore.build("knn(k=5)").fit(Xtr[:500], ytr[:500]).predict(Xte[:10])

            def run():
                out["pred"] = mlcore.build("knn(k=5)").fit(Xtr, ytr).predict(Xte)
        else:
            from sklearn.neighbors import KNeighborsClassifier

            KNeighborsClassifier(n_neighbors=5).fit(Xtr[:500], ytr[:500]).predict(Xte[:10])

            def run():
                out["pred"] = KNeighborsClassifier(n_neighbors=5).fit(Xtr, ytr).predict(Xte)
        return run, (lambda: f"test acc {np.mean(out['pred'] == yte):.4f}")
    if name == "tfidf":
        docs = _docs(n)
        out = {}
        if side == "mlcore":
            import mlcore

            mlcore.build("tfidf(sparse=True)").fit_transform(docs[:50])

            def run():
                out["A"] = mlcore.build("tfidf(sparse=True)").fit_transform(docs)
        else:
            from sklearn.feature_extraction.text import TfidfVectorizer

            TfidfVectorizer().fit_transform(docs[:50])

            def run():
                out["A"] = TfidfVectorizer().fit_transform(docs)
        return run, (lambda: f"shape {out['A'].shape[0]}x{out['A'].shape[1]}, nnz {out['A'].nnz:,}")
    if name == "gmm":
        import warnings

        from _harness import gmm_problem

        X, w0, m0, c0 = gmm_problem(n)
        warnings.simplefilter("ignore")
        if side == "mlcore":
            import mlcore

            make = lambda: mlcore.build("gmm", n_components=8, max_iter=20, tol=0.0, weights_init=w0,  # noqa: E731
                                        means_init=m0, covariances_init=c0)
        else:
            from sklearn.mixture import GaussianMixture

            make = lambda: GaussianMixture(8, covariance_type="full", max_iter=20, tol=0, weights_init=w0,  # noqa: E731
                                           means_init=m0, precisions_init=np.linalg.inv(c0))
        est = make()
        make().fit(X[:2000])
        return (lambda: est.fit(X)), (lambda: f"avg loglik {est.score(X):.4f}")
    raise ValueError(f"unknown workload {name!r}")


def child(name, side, n):
    """Measure one side in this (fresh) process; prints one JSON line."""
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(1)
    except ImportError:  # pragma: no cover
        pass
    run, quality = _setup(name, side, n)
    import gc

    gc.collect()
    exact = _reset_peak()
    base = _status("VmRSS") if exact else None
    if not exact:
        import resource
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    t0 = time.perf_counter()
    run()
    t = time.perf_counter() - t0
    if exact:
        peak = _status("VmHWM")
    else:
        import resource
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"time": t, "peak": max(peak - base, 0), "quality": quality(), "exact": exact}))


# ---------------------------------------------------------------------------- parent side
REF = {"decision_tree": "DecisionTreeClassifier", "random_forest": "RandomForestClassifier",
       "gbdt_hist": "HistGradientBoostingClassifier", "knn": "KNeighborsClassifier",
       "tfidf": "TfidfVectorizer", "gmm": "GaussianMixture"}
LABEL = {"decision_tree": "decision_tree depth 10, 20 feat", "random_forest": "random_forest 50 trees d10",
         "gbdt_hist": "gbdt hist 50 rounds depth 3", "knn": "knn k=5 fit+predict 2000 q, 10 feat",
         "tfidf": "tfidf fit_transform (docs)", "gmm": "gmm 8 comps, 5 feat, 20 it"}


def _spawn(name, side, n, timeout=3600):
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    p = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", name, side, str(n)],
                       capture_output=True, text=True, env=env, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(f"{name} {side} n={n} failed:\n{p.stderr[-2000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def rows(sizes=None, only=None, quick=False):
    """Yield one dict per (workload, size): both sides measured in fresh processes."""
    sizes = sizes or ([10_000, 100_000] if quick else [100_000, 1_000_000])
    for name in only or WORKLOADS:
        for n in sizes:
            a = _spawn(name, "mlcore", n)
            b = _spawn(name, "reference", n)
            tt, mt = TARGETS[name]
            yield {"workload": LABEL[name], "n": n, "mlcore": a, "ref": b, "reference": REF[name],
                   "time_target": tt, "mem_target": mt}


def _mib(b):
    return f"{b / 2**20:,.0f} MiB" if b >= 2**20 else f"{b / 1024:,.0f} KiB"


def format_row(r):
    a, b = r["mlcore"], r["ref"]
    tr = a["time"] / b["time"]
    mr = a["peak"] / max(b["peak"], 1)
    tmark = "" if r["time_target"] is None else (" ok" if tr <= r["time_target"] else " MISS")
    mmark = "" if r["mem_target"] is None else (" ok" if mr <= r["mem_target"] else " MISS")
    return (f"{r['workload'][:36]:36} {r['n']:>9,} {a['time']:8.2f} s {b['time']:8.2f} s {tr:6.2f}x{tmark:5} "
            f"{_mib(a['peak']):>10} {_mib(b['peak']):>10} {mr:6.2f}x{mmark:5}  {a['quality']} | {b['quality']}")


HEADER = (f"{'scale workload (vs ' + 'sklearn)':36} {'rows':>9} {'mlcore':>10} {'ref':>10} {'time':>12} "
          f"{'mlcore pk':>10} {'ref pk':>10} {'memory':>12}  quality mlcore | reference")


def main(argv):
    import argparse

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--only", nargs="*")
    p.add_argument("--sizes", nargs="*", type=int)
    p.add_argument("--child", nargs=3, metavar=("NAME", "SIDE", "N"))
    args = p.parse_args(argv)
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return 0
    print(HEADER)
    print("-" * len(HEADER))
    for r in rows(args.sizes, args.only, args.quick):
        print(format_row(r), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
