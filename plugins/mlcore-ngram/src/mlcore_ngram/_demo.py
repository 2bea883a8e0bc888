"""Demo: three trigram language models on sentences from a toy grammar."""

from __future__ import annotations

import time

import numpy as np


def _toy_corpus(n_sentences: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    det, adj = ["the", "a", "every", "one"], ["big", "small", "red", "old", "quick", "lazy"]
    noun = ["cat", "dog", "fox", "bird", "mouse", "horse", "child", "farmer"]
    verb, prep = ["sees", "chases", "likes", "follows", "watches"], ["near", "behind", "with", "under"]

    def np_():
        words = [rng.choice(det)] + ([rng.choice(adj)] if rng.random() < 0.5 else []) + [rng.choice(noun)]
        return words + ([rng.choice(prep), *np_()] if rng.random() < 0.2 else [])

    return [" ".join(np_() + [rng.choice(verb)] + np_()) for _ in range(n_sentences)]


def run() -> None:
    import mlcore

    train, held = _toy_corpus(3000, 0), _toy_corpus(300, 1)
    print(f"toy grammar: {len(train)} training sentences, {len(held)} held-out; trigram models")
    for spec in ("mle_ngram(n=3)", "additive_ngram(n=3, k=0.1)", "good_turing_ngram(n=3)"):
        lm = mlcore.build(spec)
        t0 = time.perf_counter()
        lm.fit(train)
        fit_s = time.perf_counter() - t0
        ppl = lm.perplexity(held)
        zero = np.mean(np.isneginf(lm.token_log_probs(held)))
        print(f"  {spec:28s} fit {fit_s * 1e3:6.1f} ms  V={len(lm.vocab_):3d}  held-out perplexity {ppl:8.3f}"
              f"  (tokens with P=0: {zero:.1%})")
    top = ", ".join(f"{w} {np.exp(lp):.2f}" for w, lp in lm.completions(["the", "big"], 3))
    print(f"  good-turing P(. | the big): {top}")
    for s in lm.generate(2, random_state=0):
        print("  sample:", " ".join(s))


if __name__ == "__main__":
    run()
