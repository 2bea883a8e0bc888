"""A GRU layer for mlcore (third-party example plugin)."""

__all__ = ["GRU"]


def __getattr__(attr):
    if attr == "GRU":
        from .gru import GRU

        return GRU
    raise AttributeError(f"module {__name__!r} has no attribute {attr!r}")
