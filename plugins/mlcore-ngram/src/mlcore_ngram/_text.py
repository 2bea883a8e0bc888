"""Tokenisation and integer coding of sentences for the n-gram models.

A corpus becomes one flat ``int64`` stream: every sentence is padded with ``n - 1``
begin symbols on the left and one end symbol on the right, and the padded sentences
are concatenated. ``ends[i]`` is the exclusive end of padded sentence ``i``.
"""

from __future__ import annotations

import re
from itertools import chain
from operator import itemgetter

import numpy as np

__all__ = [
    "BUILTIN_TOKENIZERS",
    "as_token_lists",
    "build_vocabulary",
    "encode",
    "pad_stream",
    "resolve_tokenizer",
    "tokenize",
]

_WORD_RE = re.compile(r"\w+(?:['\u2019]\w+)*|[^\w\s]")


def _whitespace(text: str) -> list[str]:
    return text.split()


def _word(text: str) -> list[str]:
    return _WORD_RE.findall(text)


def _char(text: str) -> list[str]:
    return [c for c in text if not c.isspace()]


BUILTIN_TOKENIZERS = {"whitespace": _whitespace, "word": _word, "char": _char}


def tokenize(text: str, tokenizer: str = "whitespace", lowercase: bool = False) -> list[str]:
    """Split ``text`` into tokens with a built-in tokenizer.

    Parameters
    ----------
    text : str
    tokenizer : {"whitespace", "word", "char"}
        ``"whitespace"``: ``str.split()``. ``"word"``: runs of word characters (with inner
        apostrophes, ``"don't"``) and single punctuation marks, regex
        ``\\w+(?:'\\w+)*|[^\\w\\s]``. ``"char"``: every non-space character.
    lowercase : bool

    Example
    -------
    >>> tokenize("The cat's mat, too.", "word", lowercase=True)
    ['the', "cat's", 'mat', ',', 'too', '.']
    """
    return resolve_tokenizer(tokenizer)(text.lower() if lowercase else text)


def resolve_tokenizer(spec):
    """The callable ``str -> list[str]`` named by ``spec``.

    A built-in name, or else an mlcore spec (for example a tokenizer component of
    mlcore-preprocessing) built with :func:`mlcore.build`; the built object must be
    callable on a string or have a ``tokenize(str)`` method.
    """
    if spec in BUILTIN_TOKENIZERS:
        return BUILTIN_TOKENIZERS[spec]
    import mlcore
    from mlcore.errors import ComponentArgumentError

    try:
        obj = mlcore.build(spec)
    except Exception as exc:
        raise ComponentArgumentError(
            f"tokenizer={spec!r} is neither a built-in tokenizer ({', '.join(BUILTIN_TOKENIZERS)}) "
            f"nor a buildable mlcore spec: {exc}") from exc
    fn = getattr(obj, "tokenize", None) or (obj if callable(obj) else None)
    if fn is None:
        raise ComponentArgumentError(f"tokenizer={spec!r} built {type(obj).__name__}, which is neither "
                                     "callable nor has a tokenize(str) method")
    return fn


def as_token_lists(X, tokenizer, lowercase: bool, name: str = "X") -> list:
    """Sentences (strings or token sequences) as a list of token lists.

    Token sequences are used as given (lower-cased if asked); strings are tokenised.
    """
    if isinstance(X, (str, bytes)):
        raise TypeError(f"{name} must be an iterable of sentences (strings or token lists), got a single "
                        f"{type(X).__name__}; wrap it in a list: [{X[:20]!r}...]")
    try:
        it = iter(X)
    except TypeError as exc:
        raise TypeError(f"{name} must be an iterable of sentences, got {type(X).__name__}") from exc
    if isinstance(X, list) and not lowercase and all(type(s) is list for s in X):
        return X   # already token lists: used as given (never modified)
    tok = None
    out = []
    for s in it:
        if isinstance(s, str):
            tok = tok or resolve_tokenizer(tokenizer)
            out.append(tok(s.lower() if lowercase else s))
        elif isinstance(s, (list, tuple, np.ndarray)):
            if lowercase:
                out.append([t.lower() if isinstance(t, str) else t for t in s])
            else:
                out.append(s)
        else:
            raise TypeError(f"each sentence of {name} must be a str or a list/tuple of str tokens, "
                            f"got {type(s).__name__}")
    return out


def _check_tokens(types) -> None:
    bad = next((t for t in types if not isinstance(t, str)), None)
    if bad is not None:
        raise TypeError(f"tokens must be str, got {bad!r} ({type(bad).__name__})")


class _Codes(dict):
    """Token -> id mapping giving 0 (``<unk>``) for unknown tokens."""

    def __missing__(self, key):
        return 0


class _FirstSeen(dict):
    """Token -> id mapping that numbers a new token on first lookup (one pass, C-speed hits)."""

    def __missing__(self, key):
        v = self[key] = len(self)
        return v


def _codes_of(table: dict, flat: list) -> np.ndarray:
    """``[table[t] for t in flat]`` as int64, looked up at C speed by ``itemgetter``."""
    if len(flat) < 2:   # itemgetter of one key returns a scalar, of none raises
        return np.array([table[t] for t in flat], dtype=np.int64)
    return np.fromiter(itemgetter(*flat)(table), np.int64, count=len(flat))


def build_vocabulary(sents: list, specials: list[str], min_count: int):
    """Vocabulary and integer codes of the training tokens.

    Returns
    -------
    vocab : list of str
        ``specials`` first (their ids are 0, 1, ...), then the words seen at least
        ``min_count`` times, by decreasing count then alphabetically.
    ids : ndarray of int64, shape (n_tokens,)
        Code of every token of ``sents`` in order; rarer words map to id 0 (``<unk>``).
    codes : dict
        Token -> id for ``vocab`` (unknown tokens -> 0).
    """
    flat = list(chain.from_iterable(sents))
    first = _FirstSeen()
    raw = _codes_of(first, flat)               # provisional ids in order of first appearance
    types = list(first)
    _check_tokens(types)
    counts = np.bincount(raw, minlength=len(types))
    names = np.array(types, dtype=str) if types else np.zeros(0, dtype=str)
    special = np.isin(names, specials)
    kept = np.flatnonzero((counts >= min_count) & ~special)
    kept = kept[np.lexsort((names[kept], -counts[kept]))]   # by count desc, then alphabetically
    vocab = list(specials) + names[kept].tolist()
    remap = np.zeros(len(types), dtype=np.int64)            # default 0: <unk>
    remap[kept] = np.arange(len(specials), len(vocab))
    for i, s in enumerate(specials):                        # special symbols written in the text
        remap[special & (names == s)] = i
    codes = _Codes(zip(vocab, range(len(vocab))))
    return vocab, remap[raw], codes


def encode(sents: list, word_ids: dict) -> np.ndarray:
    """Integer codes of the tokens of ``sents`` under a fitted vocabulary (unknown -> 0)."""
    return _codes_of(word_ids if isinstance(word_ids, _Codes) else _Codes(word_ids),
                     list(chain.from_iterable(sents)))


def pad_stream(ids: np.ndarray, lengths: np.ndarray, n: int, bos_id: int, eos_id: int):
    """Pad each sentence with ``n - 1`` begin ids and one end id; concatenate.

    Returns
    -------
    stream : ndarray of int64, shape (sum(lengths) + n * n_sentences,)
    ends : ndarray of int64, shape (n_sentences,)
        Exclusive end of each padded sentence in ``stream``.
    """
    pad = n - 1
    plen = lengths + pad + 1
    ends = np.cumsum(plen)
    stream = np.full(int(ends[-1]) if len(ends) else 0, bos_id, dtype=np.int64)
    if len(ids):
        word_start = np.cumsum(lengths) - lengths            # first word of each sentence in `ids`
        shift = np.repeat(ends - plen + pad - word_start, lengths)
        stream[np.arange(len(ids)) + shift] = ids
    stream[ends - 1] = eos_id
    return stream, ends
