"""Helpers shared by the topic models."""

from __future__ import annotations

import numpy as np

from mlcore.validation import check_is_fitted

__all__ = ["TopicModel", "top_words"]


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


class TopicModel:
    """What the topic models share, given the learned ``topic_word_`` (K, V) and
    ``doc_topic_`` (D, K): ``fit_transform`` and ``top_words``. Mixed in first."""

    def fit_transform(self, X, y=None, **kwargs):
        """``fit(X)`` and return the training document-topic proportions."""
        return self.fit(X, **kwargs).doc_topic_

    def top_words(self, vocabulary=None, n=10):
        """The ``n`` most probable words of every topic (ids, or entries of ``vocabulary``)."""
        check_is_fitted(self, "topic_word_")
        return top_words(self.topic_word_, vocabulary, n)
