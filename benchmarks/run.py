"""Run every benchmark module and print mlcore's time beside the reference's.

Usage: python benchmarks/run.py [--only core optim ...] [--quick] [--scale]

``--scale`` runs the scale section instead (:mod:`bench_scale`): every workload at 10^5
and 10^6 rows, each side in a fresh process, time, peak-memory and quality side by side
(``--only`` then names scale workloads, e.g. ``--only decision_tree knn``).

Each ``bench_<name>.py`` defines ``workloads(quick=False)`` yielding dicts with keys
``workload``, ``mlcore`` (seconds), ``reference``, ``ref`` (seconds), optional
``quality`` and ``target`` (the issue's maximum ratio), and for rows at the NumPy limit
``floor`` (seconds of the unavoidable NumPy work alone), ``floor_mlcore`` (mlcore's time
measured alternately with the floor) and ``floor_target`` (maximum mlcore / floor). Ratios are measured in this
process, one workload at a time, so machine load affects both sides alike.
"""

from __future__ import annotations

import argparse
import importlib
import math
import pathlib
import sys
import traceback

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def _fmt_time(s):
    if s is None:
        return "-"
    return f"{s * 1e6:.1f} us" if s < 1e-3 else f"{s * 1e3:.2f} ms" if s < 1 else f"{s:.2f} s"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", nargs="*", help="benchmark module names without the bench_ prefix")
    p.add_argument("--quick", action="store_true", help="smaller workloads (smoke run)")
    p.add_argument("--scale", action="store_true",
                   help="scale section: 10^5 and 10^6 rows, fresh process per side, peak memory")
    args = p.parse_args(argv)
    if args.scale:
        import bench_scale

        print(bench_scale.HEADER)
        print("-" * len(bench_scale.HEADER))
        for row in bench_scale.rows(only=args.only, quick=args.quick):
            print(bench_scale.format_row(row), flush=True)
        return 0
    names = sorted(f.stem.removeprefix("bench_") for f in HERE.glob("bench_*.py"))
    if args.only:
        names = [n for n in names if n in args.only]
    header = (f"{'workload':58} {'mlcore':>10} {'reference':>34} {'ref':>10} {'ratio':>8} {'target':>7}  "
              f"{'floor':>10} {'/floor':>7}  quality")
    print(header)
    print("-" * len(header))
    failed = 0
    for name in names:
        try:
            module = importlib.import_module(f"bench_{name}")
            for row in module.workloads(quick=args.quick):
                ref = row.get("ref")
                ratio = row["mlcore"] / ref if ref and math.isfinite(ref) else None
                target = row.get("target")
                mark = "" if ratio is None or target is None else (" ok" if ratio <= target else " MISS")
                # floor: the row's unavoidable NumPy work alone (rows at the NumPy limit, issue 23)
                floor = row.get("floor")
                fr = f"{row['floor_mlcore'] / floor:.2f}x" if floor else "-"
                fmark = "" if not floor or "floor_target" not in row else (
                    " ok" if row["floor_mlcore"] / floor <= row["floor_target"] else " MISS")
                print(f"{row['workload'][:58]:58} {_fmt_time(row['mlcore']):>10} {row.get('reference', '-')[:34]:>34} "
                      f"{_fmt_time(row.get('ref')):>10} {f'{ratio:.2f}x' if ratio else '-':>8} "
                      f"{f'{target:.2g}x' if target else '-':>7}{mark}  {_fmt_time(floor):>10} {fr:>7}{fmark}  "
                      f"{row.get('quality', '')}", flush=True)
        except Exception:
            failed += 1
            print(f"[bench_{name} failed]\n{traceback.format_exc()}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
