"""mlcore-ngram against nltk.lm: trigram train + score on a Zipfian corpus (issue 9).

Workload: 200,000 training tokens drawn from a Zipf(1) law over V = 5,000 word types, in
sentences of 5..35 tokens; 10,000 held-out tokens from the same law. Both libraries get
the same padded data (``<s> <s> w_1 .. w_k </s>``, every m-gram m = 1..3 counted) and the
same vocabulary; the timed step is training plus scoring every held-out token (words and
``</s>``). Memory: tracemalloc peak of the same step (the corpus is allocated before).
"""

from __future__ import annotations

import math
import tracemalloc
from itertools import chain

import numpy as np
from _harness import median_time, paired_median_times

N_ORDER = 3


def make_corpus(n_train=200_000, n_held=10_000, V=5_000, seed=0):
    rng = np.random.default_rng(seed)
    p = 1.0 / np.arange(1, V + 1)
    p /= p.sum()
    words = np.array([f"w{i}" for i in range(V)])

    def sents(n_tok):
        out, left = [], n_tok
        while left > 0:
            k = min(int(rng.integers(5, 36)), left)
            out.append(words[rng.choice(V, size=k, p=p)].tolist())
            left -= k
        return out

    return sents(n_train), sents(n_held)


def _pad(s):
    return ["<s>"] * (N_ORDER - 1) + s + ["</s>"]


def nltk_train_score(train, held, kind, k=0.1):
    from nltk.lm import MLE, Lidstone, Vocabulary
    from nltk.util import everygrams

    padded = [_pad(s) for s in train]
    vocab = Vocabulary(chain.from_iterable(padded), unk_cutoff=1, unk_label="<unk>")
    lm = MLE(N_ORDER, vocabulary=vocab) if kind == "mle" else Lidstone(k, N_ORDER, vocabulary=vocab)
    lm.fit(everygrams(p, max_len=N_ORDER) for p in padded)
    out = []
    for s in held:
        p = _pad(s)
        out.extend(lm.logscore(p[i], tuple(p[i - N_ORDER + 1:i])) for i in range(N_ORDER - 1, len(p)))
    return np.array(out) * math.log(2.0)


def mlcore_train_score(train, held, kind, k=0.1):
    from mlcore_ngram import AdditiveNGram, GoodTuringNGram, MLENGram

    lm = {"mle": lambda: MLENGram(n=N_ORDER), "additive": lambda: AdditiveNGram(n=N_ORDER, k=k),
          "good_turing": lambda: GoodTuringNGram(n=N_ORDER)}[kind]().fit(train)
    return lm.token_log_probs(held)


def peak_memory(fn) -> float:
    """Peak traced allocation (MB) while ``fn()`` runs."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def _quality(a, b=None):
    if b is None:
        return f"heldout_logprob {a.sum():.4f} (finite {np.isfinite(a).mean():.1%})"
    fin = np.isfinite(a) & np.isfinite(b)
    assert np.array_equal(np.isfinite(a), np.isfinite(b))
    return (f"logprob_over_finite {a[fin].sum():.4f} vs {b[fin].sum():.4f} "
            f"(max |diff| {np.max(np.abs(a[fin] - b[fin])):.1e}, -inf {int((~fin).sum())} vs {int((~np.isfinite(b)).sum())})")


def workloads(quick=False):
    n_train, n_held = (20_000, 2_000) if quick else (200_000, 10_000)
    train, held = make_corpus(n_train, n_held)
    tag = f"{n_train // 1000}k tok, V=5,000, {n_held // 1000}k held-out"
    for kind, label in (("mle", "ngram_mle trigram"), ("additive", "ngram_additive trigram k=0.1")):
        ours = mlcore_train_score(train, held, kind)
        ref = nltk_train_score(train, held, kind)
        # alternated, as many mlcore as nltk repetitions (nltk is slow: 1 or 3)
        t_ours, t_ref = paired_median_times(lambda kind_=kind: mlcore_train_score(train, held, kind_),
                                            lambda kind_=kind: nltk_train_score(train, held, kind_),
                                            repeat=1 if quick else 3, warmup=0)
        m_ours = peak_memory(lambda kind_=kind: mlcore_train_score(train, held, kind_))
        m_ref = peak_memory(lambda kind_=kind: nltk_train_score(train, held, kind_))
        yield {"workload": f"{label}: {tag}", "mlcore": t_ours, "reference": "nltk.lm", "ref": t_ref,
               "quality": f"{_quality(ours, ref)}; peak MB {m_ours:.1f} vs {m_ref:.1f}",
               "target": 1 / 20}
    ours = mlcore_train_score(train, held, "good_turing")
    t_ours = median_time(lambda: mlcore_train_score(train, held, "good_turing"), repeat=7)
    m_ours = peak_memory(lambda: mlcore_train_score(train, held, "good_turing"))
    yield {"workload": f"ngram_good_turing trigram: {tag}", "mlcore": t_ours,
           "reference": "none (nltk.lm has no Good-Turing)", "ref": None,
           "quality": f"{_quality(ours)}; peak MB {m_ours:.1f}"}


if __name__ == "__main__":
    import sys

    for row in workloads(quick="--quick" in sys.argv):
        ref = row["ref"]
        ratio = f"{row['mlcore'] / ref:.4f}" if ref else "-"
        ref_ms = f"{ref * 1e3:.1f} ms" if ref else "-"
        print(f"{row['workload']}: mlcore {row['mlcore'] * 1e3:.1f} ms, {row['reference']} {ref_ms}, "
              f"ratio {ratio} (target {row.get('target')}); {row['quality']}")
