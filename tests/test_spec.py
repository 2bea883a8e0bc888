"""The spec language: parsing, canonical printing, rejection of code, round trips."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlcore import Spec, parse
from mlcore._spec import MAX_DEPTH, MAX_SPEC_LENGTH, format_value
from mlcore.errors import SpecSyntaxError

CANONICAL = [
    ("sgd(lr=0.1, scheduler=exponential(decay=0.9))", "sgd(lr=0.1, scheduler=exponential(decay=0.9))"),
    ("adam(lr=1e-3, eps=-1E-8, clip_norm=None)", "adam(lr=0.001, eps=-1e-08, clip_norm=None)"),
    ("adam(lr=1e-3, betas=(0.9, 0.999), amsgrad=True)", "adam(lr=0.001, betas=(0.9, 0.999), amsgrad=True)"),
    ("f(t=(1,), e=())", "f(t=(1,), e=())"),
    ("f(t=( 1 , ), e=( ))", "f(t=(1,), e=())"),
    ('x(d={a: 1, "b c": [1,2], 3: None})', "x(d={a: 1, 'b c': [1, 2], 3: None})"),
    ('mlp(name="a \\"q\\" b")', "mlp(name='a \"q\" b')"),
    ("s(x='tab\\there\\n', y='\\x41\\u00e9\\U0001F600')", "s(x='tab\\there\\n', y='Aé😀')"),
    ("s(x='back\\\\slash', y=\"it's\")", "s(x='back\\\\slash', y='it\\'s')"),
    ("relu", "relu"),
    ("relu()", "relu"),
    ("f(0x1F, 1_000, .5, 5., +3, 0o17, 0b101, 1_0.2_5e1_0)", "f(31, 1000, 0.5, 5.0, 3, 15, 5, 102500000000.0)"),
    ("f(a=inf, b=-inf, c=nan, d=+inf)", "f(a=inf, b=-inf, c=nan, d=inf)"),
    ("f(-0.0, 0, -0)", "f(-0.0, 0, 0)"),
    ("optim/adam(lr=0.5)", "optim/adam(lr=0.5)"),
    ("sequential(layers=[dense(n_out=64, act_fn=relu), dense(n_out=10)], optimizer=adam(lr=1e-3),)",
     "sequential(layers=[dense(n_out=64, act_fn=relu), dense(n_out=10)], optimizer=adam(lr=0.001))"),
    ("  adam ( lr = 1 )  ", "adam(lr=1)"),
    ("f(10000000000000000000000000)", "f(10000000000000000000000000)"),
    ("[1, 'a', (2,), {}]", "[1, 'a', (2,), {}]"),
]


@pytest.mark.parametrize("text,canonical", CANONICAL)
def test_canonical_printing(text, canonical):
    value = parse(text)
    assert format_value(value) == canonical
    assert format_value(parse(canonical)) == canonical  # idempotent


def test_positional_and_keyword_arguments_are_kept_apart():
    s = parse("dense(64, act_fn=relu)")
    assert s == Spec("dense", (64,), (("act_fn", Spec("relu")),))
    assert s.kwargs_dict == {"act_fn": Spec("relu")}
    assert parse("optim/adam").plugin == "optim" and parse("optim/adam").short_name == "adam"


def test_tuples_keep_their_type():
    assert parse("f(a=(1,), b=(), c=[1], d=(1, 2))").kwargs_dict == {"a": (1,), "b": (), "c": [1], "d": (1, 2)}
    assert isinstance(parse("f(a=(1,))").kwargs_dict["a"], tuple)


REJECTED = [
    ("__import__('os').system('x')", 1, "reserved"),
    ("a.b", 2, "attribute access"),
    ("x[0]", 2, "subscripts"),
    ("1+2", 2, "arithmetic"),
    ("f(x=1+2)", 6, "arithmetic"),
    ("lambda: 1", 1, "keyword"),
    ("f(x=lambda: 1)", 5, "keyword"),
    ("adam(lr=0.1", 12, "end of input"),
    ("a(b=1, 2)", 8, "positional argument follows keyword"),
    ("a((1))", 3, "1-tuple"),
    ("a(x=[1 2])", 8, "expected ',' or ']'"),
    ("a(x=b.c[0])", 6, "attribute access"),
    ("f(_private=1)", 3, "reserved"),
    ("f(x=1, x=2)", 8, "twice"),
    ("'unterminated", 1, "unterminated string"),
    ("f(x='\\q')", 6, "unknown escape"),
    ("f(x=1abc)", 5, "invalid number"),
    ("f(x=-y)", 5, "sign"),
    ("f(x=${a.b})", 5, "references"),
    ("import os", 1, "keyword"),
    ("f(x=1) g", 8, "end of input"),
    ("", 1, "end of input"),
    ("f(x={1.5: 2})", 6, "dict keys"),
    ("f(x=0777)", 5, "invalid number"),
]


@pytest.mark.parametrize("text,column,fragment", REJECTED)
def test_rejected_with_column(text, column, fragment):
    with pytest.raises(SpecSyntaxError) as info:
        parse(text)
    assert info.value.column == column, str(info.value)
    assert fragment in info.value.reason
    assert "^" in str(info.value)


def test_length_cap():
    with pytest.raises(SpecSyntaxError, match="over the limit"):
        parse("f(x='" + "a" * MAX_SPEC_LENGTH + "')")


def test_depth_cap():
    ok = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert parse(ok) is not None
    with pytest.raises(SpecSyntaxError, match="nesting deeper"):
        parse("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    with pytest.raises(SpecSyntaxError, match="nesting deeper"):
        parse("f(x=" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1))


def test_parse_never_evaluates(monkeypatch):
    import builtins

    def boom(*a, **k):  # any attempt to evaluate code fails the test
        raise AssertionError("eval/exec called")

    monkeypatch.setattr(builtins, "eval", boom)
    monkeypatch.setattr(builtins, "exec", boom)
    monkeypatch.setattr(builtins, "__import__", boom)
    assert str(parse("system(cmd='rm -rf /')")) == "system(cmd='rm -rf /')"


def test_mapping_form_round_trip():
    m = {"name": "sgd", "lr": 0.1, "scheduler": {"name": "exponential", "decay": 0.9}, "xs": [{"name": "relu"}]}
    s = Spec.from_mapping(m)
    assert str(s) == "sgd(lr=0.1, scheduler=exponential(decay=0.9), xs=[relu])"
    assert s.to_mapping() == m
    assert Spec.from_mapping(parse(str(s)).to_mapping()) == s
    with pytest.raises(ValueError, match="name"):
        Spec.from_mapping({"lr": 1})


def test_unprintable_values_are_refused():
    with pytest.raises(TypeError, match="cannot write"):
        format_value(object())
    with pytest.raises(TypeError, match="keys"):
        format_value({(1, 2): 3})


# ---------------------------------------------------------------- property tests

names = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True).filter(
    lambda s: s not in {"inf", "nan", "and", "or", "not", "in", "is", "if", "else", "for", "as", "def", "del",
                        "try", "with", "from", "pass", "class", "while", "break", "raise", "return", "yield",
                        "assert", "async", "await", "elif", "except", "global", "import", "lambda", "finally",
                        "continue", "nonlocal"})
scalars = (st.none() | st.booleans() | st.integers() | st.text()
           | st.floats(allow_nan=False))


def _values(children):
    return (st.lists(children, max_size=4)
            | st.lists(children, max_size=4).map(tuple)
            | st.dictionaries(names | st.text(max_size=5) | st.integers(), children, max_size=4)
            | st.builds(lambda n, a, kw: Spec(n, tuple(a), tuple(kw.items())), names,
                        st.lists(children, max_size=3), st.dictionaries(names, children, max_size=3)))


trees = st.recursive(scalars, _values, max_leaves=20)


def _same_tree(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    if type(a) is not type(b):
        return False
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same_tree(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same_tree(a[k], b[k]) for k in a)
    if isinstance(a, Spec):
        return a.name == b.name and _same_tree(a.args, b.args) and _same_tree(a.kwargs, b.kwargs)
    return a == b


@settings(max_examples=300, deadline=None)
@given(trees)
def test_print_parse_round_trip(tree):
    text = format_value(tree)
    again = parse(text)
    assert _same_tree(tree, again), (tree, text, again)
    assert format_value(again) == text  # printing is idempotent


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_text_parses_or_fails_cleanly(text):
    try:
        parse(text)
    except SpecSyntaxError as exc:
        assert 1 <= exc.column <= len(text) + 1
