"""The ``mlcore`` command line: plugins, list, show, build, doctor, demo, new-plugin; fit, evaluate, predict,
plot, search (config-driven training, :mod:`mlcore._cli_train`)."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._registry import Registry

__all__ = ["main"]


def _registry(fresh_scan: bool = False) -> Registry:
    from ._registry import registry

    reg = registry()
    if fresh_scan:  # listing and diagnosing never trust the entry-point cache
        reg.use_cache = False
    return reg


def cmd_plugins(args: argparse.Namespace) -> int:
    reg = _registry(fresh_scan=True)
    reg.validate_plugins()
    rows = [("plugin", "distribution", "version", "components", "status")]
    for p in sorted(reg.plugins(), key=lambda p: p.name):
        rows.append((p.name, p.distribution or "-", p.version or "-", str(p.n_components),
                     f"FAILED: {p.error}" if p.error else "ok"))
    _table(rows)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    reg = _registry()
    if args.kind and args.pattern is None and args.kind not in reg.kinds() and any(c in args.kind for c in "*?["):
        args.kind, args.pattern = None, args.kind      # `mlcore list 'conv*'`: a glob over every kind
    kinds = [args.kind] if args.kind else reg.kinds()
    if args.kind and args.kind not in reg.kinds():
        print(f"unknown kind {args.kind!r}; known kinds: {', '.join(reg.kinds())}", file=sys.stderr)
        return 2
    for kind in kinds:
        names = reg.names(kind, args.pattern)
        if names or not args.pattern:
            print(f"{kind} ({len(names)}): {' '.join(names)}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from ._cli_train import cmd_show_model, is_model_path

    if is_model_path(args.name):   # `mlcore show model.npz`: the resolved config of a saved model
        return cmd_show_model(args)
    info = _registry().info(args.name, args.kind)
    print(f"{info['kind']} {info['name']}" + (f" (aliases: {', '.join(info['aliases'])})" if info["aliases"] else ""))
    print(f"  provided by plugin {info['plugin']!r}, distribution {info['distribution'] or '-'} "
          f"{info['version'] or ''}".rstrip())
    print(f"  target: {info['target']}")
    print(f"  signature: {info['signature']}")
    if info["summary"]:
        print(f"  {info['summary']}")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from ._build import build, to_spec

    obj = build(args.spec, kind=args.kind)
    print(to_spec(obj))
    print(to_spec(obj, full=True))
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from ._doctor import problems

    reg = _registry(fresh_scan=True)
    found = problems(reg)
    for message, traceback in found:
        print(message)
        if args.verbose and traceback:
            print(traceback)
    n = len(reg.plugins())
    if found:
        print(f"{len(found)} problem(s) found among {n} plugin(s)")
        return 1
    print(f"ok: {n} plugin(s), {len(reg.entries())} component(s), {len(reg.kinds())} kind(s), "
          "every target imports and implements its kind, no conflicts")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from ._registry import _import_target

    reg = _registry()
    parts = reg.demos()
    if args.only:
        parts = [p for p in parts if p[0] in args.only]
    if not parts:
        print("no demo parts: install some families (make demo installs them all)")
        return 1
    failures = 0
    print(f"mlcore demo: {len(parts)} part(s) from {len({p[0] for p in parts})} plugin(s)\n")
    for plugin, title, target in parts:
        print(f"== [{plugin}] {title}")
        t0 = time.perf_counter()
        try:
            _import_target(target)()
        except Exception as exc:  # one failing part must not hide the others
            failures += 1
            print(f"   FAILED: {type(exc).__name__}: {exc}")
        print(f"   ({time.perf_counter() - t0:.2f} s)\n")
    errors = reg.errors()
    for err in errors:
        print(f"note: plugin failed to load: {err}")
    return 1 if failures or errors else 0


def cmd_new_plugin(args: argparse.Namespace) -> int:
    from ._template import new_plugin

    try:
        path = new_plugin(args.name, kind=args.kind, directory=args.dir)
    except (ValueError, FileExistsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"created {path}")
    print(f"next: pip install -e {path} && pytest {path}")
    return 0


class _VersionAction(argparse.Action):
    """``mlcore --version``: the core's release and plugin API, then every plugin's distribution and version."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the core's and every plugin's version and exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        from ._version import DISTRIBUTION, PLUGIN_API, __version__

        print(f"{DISTRIBUTION} {__version__} (import name mlcore, plugin API {PLUGIN_API[0]}.{PLUGIN_API[1]}, "
              f"Python {sys.version.split()[0]})")
        reg = _registry(fresh_scan=True)
        for p in sorted(reg.plugins(), key=lambda p: (p.distribution or "", p.name)):
            if p.distribution == DISTRIBUTION:
                continue
            note = f"  FAILED: {p.error}" if p.error else ""
            print(f"{p.distribution or '-'} {p.version or '-'} (plugin {p.name}){note}")
        parser.exit(0)


def _table(rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="mlcore", description="mlcore: plugin-based machine learning from specs")
    p.add_argument("--version", action=_VersionAction)
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("plugins", help="installed plugins, versions, component counts, load errors").set_defaults(
        fn=cmd_plugins)
    s = sub.add_parser("list", help="registered names, by kind, optionally matching a glob")
    s.add_argument("kind", nargs="?")
    s.add_argument("pattern", nargs="?")
    s.set_defaults(fn=cmd_list)
    s = sub.add_parser("show", help="kind, provider, signature and summary of a component; or, for MODEL.npz "
                                    "saved by mlcore fit, its resolved config")
    s.add_argument("name")
    s.add_argument("--kind")
    s.add_argument("--format", choices=("toml", "json"), default="toml", help="config format (MODEL.npz)")
    s.set_defaults(fn=cmd_show)
    s = sub.add_parser("build", help="build a spec and print its canonical and full spec")
    s.add_argument("spec")
    s.add_argument("--kind")
    s.set_defaults(fn=cmd_build)
    s = sub.add_parser("doctor", help="check plugins, conflicts, kinds and every target (exit 1 on any problem)")
    s.add_argument("-v", "--verbose", action="store_true", help="show tracebacks")
    s.set_defaults(fn=cmd_doctor)
    s = sub.add_parser("demo", help="build components of every installed family and train a few")
    s.add_argument("--only", nargs="*", help="plugin names to run")
    s.set_defaults(fn=cmd_demo)
    s = sub.add_parser("new-plugin", help="write a ready-to-install plugin package")
    s.add_argument("name")
    s.add_argument("--kind", default="layer")
    s.add_argument("--dir", default=".")
    s.set_defaults(fn=cmd_new_plugin)
    from ._cli_train import add_parsers

    add_parsers(sub)   # fit, evaluate, predict, plot, search
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``mlcore`` script; returns the exit code."""
    from .errors import MlcoreError

    args = _parser().parse_args(argv)
    try:
        return args.fn(args)
    except MlcoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
