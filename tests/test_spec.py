"""The spec language: parsing, canonical printing, rejection of code, round trips."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlcore import Spec, parse
from mlcore._spec import MAX_DEPTH, MAX_INT_DIGITS, MAX_SPEC_LENGTH, format_value
from mlcore.errors import ComponentArgumentError, SpecSyntaxError

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


@pytest.mark.parametrize("literal,column", [
    ("1" * 5000, 5),                                  # past Python's int conversion limit (4300)
    ("9" * (MAX_INT_DIGITS + 1), 5),
    ("1_" * MAX_INT_DIGITS + "1", 5),                 # underscores do not count, digits do
    ("-" + "1" * 5000, 5),
    ("0x" + "f" * 30000, 5),                          # builds fine in Python, but would not print back
    ("0b1" + "0" * 2200, 5),                          # 2**2200 has 663 digits
    ("0o7" + "7" * 800, 5),
])
def test_huge_integer_literals_are_refused_with_a_column(literal, column):
    text = f"f(x={literal})"
    with pytest.raises(SpecSyntaxError) as info:
        parse(text)
    assert info.value.column == column and "limit" in info.value.reason


def test_integers_up_to_the_limit_parse_and_print_back():
    for literal, value in [("9" * MAX_INT_DIGITS, 10 ** MAX_INT_DIGITS - 1),
                           ("0x" + "f" * 531, 16 ** 531 - 1)]:          # 2124 bits: 640 decimal digits
        assert parse(f"f({literal})").args == (value,)
        assert parse(format_value(parse(f"f({literal})"))).args == (value,)
    with pytest.raises(SpecSyntaxError, match="limit"):
        parse("{" + "1" * (MAX_INT_DIGITS + 1) + ": 0}")
    with pytest.raises(ValueError, match="digits"):
        format_value([10 ** MAX_INT_DIGITS])            # printing refuses what parsing would refuse


def test_printing_refuses_what_parsing_would_refuse():
    deep = []
    for _ in range(MAX_DEPTH - 1):
        deep = [deep]
    assert parse(format_value(deep)) == deep           # exactly MAX_DEPTH levels print and parse
    with pytest.raises(ValueError, match="deeper"):
        format_value([deep])
    with pytest.raises(ValueError, match="deeper"):
        str(Spec("f", ([deep],)))
    cyclic = []
    cyclic.append(cyclic)
    with pytest.raises(ValueError, match="deeper"):    # not a RecursionError
        format_value(cyclic)


def _nested_mapping(levels):
    m = {"name": "sgd"}
    cur = m
    for _ in range(levels):
        cur["x"] = {"a": None}
        cur = cur["x"]
    return m


def test_mapping_form_depth_is_capped_quickly():
    import time
    import tracemalloc

    ok = {"name": "f", "x": []}                         # a call and a list: 2 levels
    for _ in range(MAX_DEPTH // 2 - 1):
        ok = {"name": "f", "x": [ok]}                  # 2 more each
    assert parse(str(Spec.from_mapping(ok))) == Spec.from_mapping(ok)   # MAX_DEPTH levels, like the text form
    with pytest.raises(ComponentArgumentError, match="deeper"):
        Spec.from_mapping({"name": "f", "x": ok})
    with pytest.raises(SpecSyntaxError, match="deeper"):
        parse(f"f(x={Spec.from_mapping(ok)})")
    cyclic = []
    cyclic.append(cyclic)
    cases = (_nested_mapping(100_000), {"name": "sgd", "x": cyclic})
    tracemalloc.start()
    t0 = time.perf_counter()
    for bad in cases:
        with pytest.raises(ComponentArgumentError, match="deeper"):
            Spec.from_mapping(bad)
    elapsed = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert elapsed < 0.5 and peak < 1_000_000, (elapsed, peak)


@pytest.mark.parametrize("mapping,fragment", [
    ({"name": "sgd", "lr": object()}, "cannot write"),
    ({"name": "sgd", "n": 10 ** 700}, "digits"),
    ({"name": "sgd", "d": {(1, 2): 3}}, "keys"),
    ({"name": "sgd(lr=1)"}, "not a component name"),
    ({"name": "sgd", 1: 2}, "argument name"),
    ({"name": "sgd", "_x": 2}, "argument name"),
    ({"name": "sgd", "s": {"name": "exp", "decay": {"name": "3"}}}, "not a component name"),
    ({"lr": 1}, "name"),
])
def test_mapping_form_holds_only_what_text_can(mapping, fragment):
    with pytest.raises(ComponentArgumentError, match=fragment):
        Spec.from_mapping(mapping)


def test_mapping_form_converts_numpy_scalars():
    np = pytest.importorskip("numpy")
    s = Spec.from_mapping({"name": "sgd", "lr": np.float32(0.5), "n": np.int64(3), "xs": (np.bool_(True),)})
    assert s == parse("sgd(lr=0.5, n=3, xs=(True,))")


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
