"""Tokenizers, stop words, punctuation stripping and n-grams.

Four tokenizers share the same options (``lowercase``, ``filter_stopwords``,
``filter_punctuation``): ``words`` (regular expression; with punctuation filtering it is
scikit-learn's default ``token_pattern`` ``(?u)\\b\\w\\w+\\b``), ``whitespace``, ``characters``
and ``bytes`` (UTF-8 byte values).
"""

from __future__ import annotations

import re

__all__ = [
    "STOP_WORDS",
    "TOKENIZERS",
    "ngrams",
    "read_documents",
    "remove_stop_words",
    "strip_punctuation",
    "tokenize",
    "tokenize_bytes",
    "tokenize_chars",
    "tokenize_whitespace",
    "tokenize_words",
]

#: Common English function words (a short list written for mlcore; pass your own with
#: ``stop_words=`` for another language or a longer list).
STOP_WORDS = frozenset(["a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself", "yourselves"])

WORD_PATTERN = re.compile(r"(?u)\b\w\w+\b")          # scikit-learn's default token_pattern
WORD_PUNCT_PATTERN = re.compile(r"(?u)\w+|[^\w\s]")   # words and single punctuation marks
PUNCT_PATTERN = re.compile(r"(?u)[^\w\s]")
SPACE_PATTERN = re.compile(r"(?u)\s+")


def strip_punctuation(line: str) -> str:
    """Remove every character that is neither a word character nor whitespace."""
    return PUNCT_PATTERN.sub("", line)


def remove_stop_words(words, stop_words=None) -> list:
    """Drop the words found (case-insensitively) in ``stop_words`` (default :data:`STOP_WORDS`)."""
    stop = STOP_WORDS if stop_words is None else frozenset(w.lower() for w in stop_words)
    return [w for w in words if w.lower() not in stop]


def _check_text(line):
    if not isinstance(line, str):
        raise TypeError(f"expected a str, got {type(line).__name__}")


def _filtered(line, lowercase, filter_punctuation, filter_stopwords, stop_words):
    """``line`` (checked to be a str) after the optional filters of the character and byte tokenizers."""
    _check_text(line)
    if lowercase:
        line = line.lower()
    if filter_punctuation:
        line = strip_punctuation(line)
    if filter_stopwords:
        line = " ".join(remove_stop_words(line.split(), stop_words))
    return line


def tokenize_words(line: str, lowercase: bool = True, filter_stopwords: bool = True,
                   filter_punctuation: bool = True, stop_words=None) -> list:
    """Word tokens of ``line``.

    With ``filter_punctuation`` tokens are runs of two or more word characters
    (scikit-learn's default ``token_pattern``); otherwise every run of word characters and
    every punctuation mark is a token.

    Example
    -------
    >>> tokenize_words("The cat sat, on the mat!", filter_stopwords=False)
    ['the', 'cat', 'sat', 'on', 'the', 'mat']
    """
    _check_text(line)
    if lowercase:
        line = line.lower()
    words = (WORD_PATTERN if filter_punctuation else WORD_PUNCT_PATTERN).findall(line)
    return remove_stop_words(words, stop_words) if filter_stopwords else words


def tokenize_whitespace(line: str, lowercase: bool = True, filter_stopwords: bool = True,
                        filter_punctuation: bool = True, stop_words=None) -> list:
    """Whitespace-separated tokens; ``filter_punctuation`` strips punctuation from each one.

    Example
    -------
    >>> tokenize_whitespace("Hello, world!  a-b", filter_stopwords=False)
    ['hello', 'world', 'ab']
    """
    _check_text(line)
    if lowercase:
        line = line.lower()
    words = line.split()
    if filter_punctuation:
        words = [w for w in (strip_punctuation(w) for w in words) if w]
    return remove_stop_words(words, stop_words) if filter_stopwords else words


def tokenize_chars(line: str, lowercase: bool = True, filter_stopwords: bool = False,
                   filter_punctuation: bool = True, stop_words=None) -> list:
    """Characters of ``line`` with runs of whitespace collapsed to one space.

    ``filter_stopwords`` removes stop words before splitting into characters.
    """
    line = _filtered(line, lowercase, filter_punctuation, filter_stopwords, stop_words)
    return list(SPACE_PATTERN.sub(" ", line).strip())


def tokenize_bytes(line: str, lowercase: bool = False, filter_stopwords: bool = False,
                   filter_punctuation: bool = False, stop_words=None, encoding: str = "utf-8") -> list:
    """The byte values (0-255) of ``line`` encoded with ``encoding`` (after the optional filters)."""
    line = _filtered(line, lowercase, filter_punctuation, filter_stopwords, stop_words)
    return list(line.encode(encoding))


TOKENIZERS = {"words": tokenize_words, "whitespace": tokenize_whitespace,
              "characters": tokenize_chars, "bytes": tokenize_bytes}


def tokenize(line: str, tokenizer: str = "words", **options) -> list:
    """Tokenize with the tokenizer named ``tokenizer`` (a key of :data:`TOKENIZERS`)."""
    if tokenizer not in TOKENIZERS:
        raise ValueError(f"tokenizer must be one of {sorted(TOKENIZERS)}, got {tokenizer!r}")
    return TOKENIZERS[tokenizer](line, **options)


def ngrams(sequence, N: int) -> list:
    """The ``N``-grams of ``sequence`` as tuples (empty if it is shorter than ``N``).

    Example
    -------
    >>> ngrams(["a", "b", "c"], 2)
    [('a', 'b'), ('b', 'c')]
    """
    if isinstance(N, bool) or not isinstance(N, int) or N < 1:
        raise ValueError(f"N must be a positive integer, got {N!r}")
    seq = list(sequence)
    return list(zip(*(seq[i:] for i in range(N))))


def read_documents(corpus, input_type: str, encoding: str) -> list:
    """The text of each document: ``corpus`` holds strings or (``input_type="files"``) paths."""
    if isinstance(corpus, (str, bytes)):
        raise TypeError("corpus must be a list of documents (or paths), not a single string; wrap it in a list")
    if input_type == "strings":
        docs = list(corpus)
        for d in docs:
            if not isinstance(d, str):
                raise TypeError(f"documents must be str when input_type='strings', got {type(d).__name__}")
        return docs
    if input_type == "files":
        out = []
        for path in corpus:
            with open(path, encoding=encoding) as fh:
                out.append(fh.read())
        return out
    raise ValueError(f"input_type must be 'strings' or 'files', got {input_type!r}")
