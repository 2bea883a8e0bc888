"""Helpers shared by the topic models."""

from __future__ import annotations

import numpy as np


def top_words(topic_word, vocabulary=None, n=10):
    """The ``n`` most probable words of every topic, most probable first.

    Parameters
    ----------
    topic_word : ndarray (K, V)
    vocabulary : sequence of V words, optional
        Without it the word ids are returned.
    n : int

    Returns
    -------
    list of K lists
    """
    V = topic_word.shape[1]
    if vocabulary is not None and len(vocabulary) != V:
        raise ValueError(f"vocabulary has {len(vocabulary)} entries, the model has {V} words")
    n = min(int(n), V)
    order = np.argsort(-topic_word, axis=1, kind="stable")[:, :n]
    if vocabulary is None:
        return order.tolist()
    return [[vocabulary[i] for i in row] for row in order]
