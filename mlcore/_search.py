"""``mlcore search``: hyperparameter search over config keys, on one core, many, or a Dask cluster.

Each ``--grid KEY=V1,V2`` names a config key exactly as ``--set`` does. The candidates
are the product of the grids (``--random N``: N of them drawn without replacement with
the config's seed); every candidate is applied to the config as overrides, so it is
validated like ``--set``, and mapped to the estimator's nested parameters: a path through
components becomes ``optimizer__lr``, a path into a list item sets the whole list
(``layers``) to the candidate's. scikit-learn's ``GridSearchCV`` then cross-validates the
candidates, in the listed order, through joblib: ``--n-jobs K`` (loky processes) or
``--backend dask`` (a ``dask.distributed`` client: ``--scheduler ADDRESS`` or a local
cluster of ``--n-jobs`` workers). Results do not depend on the backend: every fit is
seeded by the config.
"""

from __future__ import annotations

import contextlib
import csv
import itertools
import os
from typing import Any

import numpy as np

from ._overrides import ConfigError, format_path, parse_path, split_values

__all__ = ["parallel_backend", "candidates", "run_search", "cmd_search", "add_search_parser"]


#: Dask settings for the local cluster ``mlcore search --backend dask`` starts (measured on the
#: digits CNN: each setting alone made a fit 1.5x slower in a worker than in the main process).
#: The workers' statistical profiler samples every thread's stack each 10 ms (only the dashboard
#: uses it). Dask's MALLOC_TRIM_THRESHOLD_=65536 fixes glibc's mmap threshold at 128 KiB, so every
#: temporary array above that is a fresh mmap and page faults; large thresholds keep them in the heap.
def local_cluster_config() -> dict:
    """The settings above, for ``dask.config.set`` (Dask's other pre-spawn variables kept)."""
    import dask
    import distributed  # noqa: F401  (registers the distributed.* defaults)

    env = dict(dask.config.get("distributed.nanny.pre-spawn-environ", default={}) or {})
    env.update({"MALLOC_TRIM_THRESHOLD_": 2 ** 27, "MALLOC_MMAP_THRESHOLD_": 2 ** 25})
    return {"distributed.worker.profile.enabled": False, "distributed.nanny.pre-spawn-environ": env}


@contextlib.contextmanager
def parallel_backend(backend: str = "loky", n_jobs=None, scheduler=None, processes: bool = True):
    """joblib's ``parallel_config`` for ``backend``; for "dask", a client of ``scheduler`` or of a
    new ``LocalCluster`` with ``n_jobs`` single-threaded workers (closed on exit)."""
    try:
        import joblib
    except ImportError:
        raise ImportError("parallel fits need joblib: pip install 'mlcore-core[search]'") from None
    if backend != "dask":
        with joblib.parallel_config(backend=backend, n_jobs=n_jobs):
            yield None
        return
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise ImportError("--backend dask needs dask.distributed: pip install 'mlcore-core[dask]'") from None
    with contextlib.ExitStack() as stack:
        if scheduler:
            client = stack.enter_context(Client(scheduler))
        else:
            workers = n_jobs if n_jobs and n_jobs > 0 else os.cpu_count() or 1
            import dask

            stack.enter_context(dask.config.set(local_cluster_config()))
            cluster = stack.enter_context(LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes,
                                                       dashboard_address=":0"))
            client = stack.enter_context(Client(cluster))
        with joblib.parallel_config(backend="dask", n_jobs=-1):
            yield client


def candidates(grid, n_random=None, seed=0) -> list[list[tuple[str, str]]]:
    """The candidates of ``[(key, "v1,v2"), ...]`` as lists of ``(key, value text)``, in order."""
    keys = [k for k, _ in grid]
    dup = {k for k in keys if keys.count(k) > 1}
    if dup:
        raise ConfigError(f"--grid key {sorted(dup)[0]!r} given twice")
    values = [split_values(v) for _, v in grid]
    cells = [list(zip(keys, combo)) for combo in itertools.product(*values)]
    if n_random is not None:
        if n_random < 1:
            raise ConfigError(f"--random must be >= 1, got {n_random}")
        picks = np.random.default_rng(seed).choice(len(cells), size=min(n_random, len(cells)), replace=False)
        cells = [cells[i] for i in picks]
    return cells


def _param_name(key: str) -> str:
    segs = parse_path(key)
    if segs[0] != "model" or len(segs) < 2:
        raise ConfigError(f"--grid key {key!r}: only model keys can be searched (model.optimizer.lr, "
                          "model.layers[0].n_out); fit and data settings are the same for every candidate")
    names = []
    for s in segs[1:]:
        if isinstance(s, int):
            break
        names.append(s)
    return "__".join(names)


def run_search(cfg, grid, cv: int = 5, n_random=None, n_jobs=None, backend=None, scheduler=None):
    """Cross-validate every candidate; returns ``(rows, best_index, search)``.

    ``rows`` are dicts: ``rank``, one entry per grid key (the value text), ``mean_score``,
    ``std_score``, one ``split{i}_score`` per fold and ``mean_fit_time``.
    """
    try:
        from sklearn.model_selection import GridSearchCV
    except ImportError:
        raise ImportError("mlcore search needs scikit-learn: pip install 'mlcore-core[search]'") from None
    from . import _data

    cells = candidates(grid, n_random, cfg.seed)
    names = {k: _param_name(k) for k, _ in grid}
    param_grid = []
    for cell in cells:
        cand = cfg.with_overrides([f"{k}={v}" for k, v in cell])
        params = cand.build_model().get_params(deep=True)
        param_grid.append({names[k]: [params[names[k]]] for k, _ in cell})
    data = _data.prepare(cfg)
    base = cfg.build_model()
    search = GridSearchCV(base, param_grid, cv=cv, refit=False, error_score="raise", n_jobs=None)
    ctx = parallel_backend(backend or "loky", n_jobs, scheduler) if (backend or n_jobs not in (None, 1)) \
        else contextlib.nullcontext()
    with ctx:
        search.fit(data["X_train"], data["y_train"], **cfg.fit)
    res = search.cv_results_
    rows = []
    for i, cell in enumerate(cells):
        row: dict[str, Any] = {"rank": int(res["rank_test_score"][i])}
        row.update(dict(cell))
        row["mean_score"] = float(res["mean_test_score"][i])
        row["std_score"] = float(res["std_test_score"][i])
        for f in range(search.n_splits_):
            row[f"split{f}_score"] = float(res[f"split{f}_test_score"][i])
        row["mean_fit_time"] = float(res["mean_fit_time"][i])
        rows.append(row)
    return rows, int(search.best_index_), cells


def write_csv(rows, path):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        for r in rows:
            w.writerow({k: repr(v) if isinstance(v, float) else v for k, v in r.items()})


def print_table(rows, keys):
    head = ["rank", *keys, "mean_score", "std_score", "fit_time"]
    body = [[str(r["rank"]), *[str(r[k]) for k in keys], f"{r['mean_score']:.4f}", f"{r['std_score']:.4f}",
             f"{r['mean_fit_time']:.2f}s"] for r in sorted(rows, key=lambda r: r["rank"])]
    widths = [max(len(x[i]) for x in [head] + body) for i in range(len(head))]
    for line in [head] + body:
        print("  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip())


def cmd_search(args) -> int:
    from ._cli_train import _clean_errors

    return _clean_errors(_cmd_search)(args)


def _cmd_search(args) -> int:
    from .config import load

    cfg = load(args.config, args.set or ())
    grid = []
    for item in args.grid:
        key, sep, values = item.partition("=")
        if not sep or not values.strip():
            raise ConfigError(f"--grid takes KEY=V1,V2,... (e.g. model.optimizer.lr=1e-3,1e-2), got {item!r}")
        grid.append((format_path(parse_path(key)), values))
    rows, best, cells = run_search(cfg, grid, args.cv, args.random, args.n_jobs, args.backend, args.scheduler)
    keys = [k for k, _ in grid]
    print_table(rows, keys)
    stem = os.path.splitext(os.path.basename(args.config))[0]
    csv_path = args.csv or f"{stem}-search.csv"
    write_csv(rows, csv_path)
    best_cfg = cfg.with_overrides([f"{k}={v}" for k, v in cells[best]])
    best_path = args.best or f"{stem}-best.toml"
    raw = best_cfg.to_dict()
    for key in ("path", "test_path"):   # data paths stay valid from the best config's directory
        if key in raw.get("data", {}):
            full = os.path.join(cfg.base_dir, raw["data"][key])
            raw["data"][key] = os.path.relpath(full, os.path.dirname(os.path.abspath(best_path)))
    from .config import dumps

    with open(best_path, "w", encoding="utf-8") as fh:
        fh.write(f"# best of mlcore search {os.path.basename(args.config)}: "
                 + ", ".join(f"{k}={v}" for k, v in cells[best])
                 + f" (mean {args.cv}-fold score {rows[best]['mean_score']:.4f})\n")
        fh.write(dumps(raw, "toml"))
    print(f"best: {', '.join(f'{k}={v}' for k, v in cells[best])} (mean score {rows[best]['mean_score']:.4f})")
    print(f"wrote {csv_path} and {best_path} (mlcore fit {best_path})")
    return 0


def add_search_parser(sub, add_parallel) -> None:
    s = sub.add_parser("search", help="cross-validated grid/random search over config keys (scikit-learn, joblib, "
                                      "dask)")
    s.add_argument("config")
    s.add_argument("--grid", action="append", required=True, metavar="KEY=V1,V2",
                   help="values to try for a model key, e.g. model.optimizer.lr=1e-3,1e-2 (repeatable)")
    s.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a config value first")
    s.add_argument("--cv", type=int, default=5, help="cross-validation folds (default 5)")
    s.add_argument("--random", type=int, default=None, metavar="N", help="try N random candidates of the grid")
    s.add_argument("--csv", help="results CSV (default CONFIG-search.csv)")
    s.add_argument("--best", help="best config file, for mlcore fit (default CONFIG-best.toml)")
    add_parallel(s)
    s.set_defaults(fn=cmd_search)
