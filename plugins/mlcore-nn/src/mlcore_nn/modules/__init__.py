"""Composite layers ("modules"): multi-head attention, ResNet skip blocks, WaveNet residual block.

Each module is a registered ``layer`` whose parameters live in its own ``params`` dict
(so one optimizer step updates every sub-part), created on the first ``forward``.
Imported lazily: this package module imports nothing heavy.
"""
