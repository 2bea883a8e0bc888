"""A corpus without tokens raises a clear ValueError (issue 22, section 2).

It used to give all-NaN ``topic_word_``, ``transform`` and ``perplexity`` with only a
RuntimeWarning. Empty documents among non-empty ones remain valid input.
"""

import numpy as np
import pytest
from scipy.sparse import csr_matrix

import mlcore

SPECS = ["lda(n_topics=2, max_iter=5, random_state=0)", "smoothed_lda(n_topics=2, n_iter=6, random_state=0)"]
EMPTY = {
    "zero matrix": np.zeros((3, 4)),
    "zero sparse": csr_matrix((3, 4)),
    "empty documents": [np.array([], dtype=int)] * 3,
}
CORPUS = np.array([[1, 2, 0, 1], [0, 1, 3, 0], [2, 0, 0, 1]])


@pytest.mark.parametrize("spec", SPECS)
@pytest.mark.parametrize("case", sorted(EMPTY))
def test_fit_on_a_corpus_without_tokens_raises(spec, case):
    with pytest.raises(ValueError, match="no tokens.*fit needs at least one token"):
        mlcore.build(spec).fit(EMPTY[case])


@pytest.mark.parametrize("spec", SPECS)
def test_perplexity_of_no_tokens_raises_and_empty_documents_get_the_prior(spec):
    model = mlcore.build(spec).fit(CORPUS)
    with pytest.raises(ValueError, match="perplexity needs at least one token"):
        model.perplexity(np.zeros((2, 4)))
    # an empty document has no evidence: its topic proportions are finite (the prior's)
    theta = model.transform(np.zeros((2, 4)))
    assert np.all(np.isfinite(theta))
    np.testing.assert_allclose(theta.sum(axis=1), 1.0)
    assert np.isfinite(model.perplexity([np.array([0, 1]), np.array([], dtype=int)]))
