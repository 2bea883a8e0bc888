"""``mlcore demo`` part: word2vec (skip-gram, negative sampling) on a small generated corpus."""

from __future__ import annotations

import time

_GROUPS = {
    "animal": "cat dog horse cow sheep goat rabbit mouse",
    "food": "bread cheese apple pear rice soup cake fish",
    "place": "garden kitchen field market river forest house school",
    "colour": "red green blue yellow black white brown grey",
}
_TEMPLATES = [
    "the {colour} {animal} eats {food} in the {place}",
    "a {animal} walks to the {place} with a {colour} {animal}",
    "we buy {food} and {food} at the {place}",
    "the {place} is {colour} and the {animal} likes {food}",
    "my {animal} sleeps near the {colour} {place}",
]


def corpus(n_sentences: int = 4000, seed: int = 0):
    """Sentences generated from a few templates (the bundled small corpus)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    words = {k: v.split() for k, v in _GROUPS.items()}
    out = []
    for _ in range(n_sentences):
        tpl = _TEMPLATES[rng.integers(len(_TEMPLATES))]
        toks = []
        for tok in tpl.split():
            toks.append(words[tok[1:-1]][rng.integers(8)] if tok.startswith("{") else tok)
        out.append(toks)
    return out


def run():
    import mlcore

    sents = corpus()
    model = mlcore.build("word2vec(embedding_dim=32, window=4, epochs=5, random_state=0)")
    t0 = time.perf_counter()
    model.fit(sents)
    dt = time.perf_counter() - t0
    print(f"  word2vec skip-gram: {model.n_words_} words x 5 epochs in {dt:.1f} s "
          f"({max(model.words_per_second):,.0f} words/s), loss {model.history_['loss'][-1]:.3f}")
    for w in ("cat", "cheese", "river", "blue"):
        print(f"    {w:>7}: " + ", ".join(f"{n} ({s:.2f})" for n, s in model.most_similar(w, 5)))
