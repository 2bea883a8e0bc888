"""mlcore-example: the layer `example` for mlcore.

The registration module (:mod:`mlcore_example.plugin`) is all mlcore imports to list
names; the component module is imported only when the component is built.
"""

__all__ = ["ExampleLayer"]


def __getattr__(attr):
    if attr == "ExampleLayer":
        from .component import ExampleLayer

        return ExampleLayer
    raise AttributeError(f"module {__name__!r} has no attribute {attr!r}")
