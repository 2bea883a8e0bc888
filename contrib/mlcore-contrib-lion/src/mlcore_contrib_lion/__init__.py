"""The Lion optimizer for mlcore (third-party example plugin)."""

__all__ = ["Lion"]


def __getattr__(attr):
    if attr == "Lion":
        from .lion import Lion

        return Lion
    raise AttributeError(f"module {__name__!r} has no attribute {attr!r}")
