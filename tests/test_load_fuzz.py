"""Fuzzing mlcore.load with mutated valid files (issue 17).

Each example takes a valid save file (a fitted linear model, a trained network with its
optimizer state and random generator, a standalone layer) and damages it: bit flips in
the raw file (the zip layer), bit flips or truncations inside one member re-packed with
a correct CRC (so the .npy headers, the JSON manifest and the state decoder are reached),
or two members' contents swapped. Loading must either succeed or raise
FileFormatError -- or UnknownComponentError when a flipped bit renames the saved
component (the file then names a component that is not installed, which load reports
with that more useful error) -- and must never allocate more than
``4 MiB + 16 x file size`` (the bound stated in mlcore/_io.py) at its peak.
"""

import io
import tracemalloc
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mlcore
from mlcore.errors import FileFormatError, UnknownComponentError


def LOAD_BOUND(n):
    return 4 * 2 ** 20 + 16 * n


def _valid_files():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 4))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    net = mlcore.build("sequential(layers=[dense(n_out=6, act_fn=relu), dropout(p=0.1), dense(n_out=2)], "
                       "loss=softmax_cross_entropy, optimizer=adam(lr=0.01), random_state=0)")
    net.fit(X, y, epochs=1, batch_size=16)
    return [mlcore.build("ridge(alpha=0.5)").fit(X, X @ np.arange(1.0, 5.0)), net,
            mlcore.build("dense(n_out=3, act_fn=tanh, random_state=0)").initialize((4,))]


class _Files(list):
    def __repr__(self):
        return f"<{len(self)} valid save files>"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("fuzz")
    data = []
    for i, obj in enumerate(_valid_files()):
        p = mlcore.save(obj, d / f"valid{i}.npz")
        mlcore.load(p)  # the originals load
        with open(p, "rb") as fh:
            data.append(fh.read())
    return _Files(data)


def _members(data):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(n, z.read(n)) for n in z.namelist()]


def _repack(members):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name, content in members:
            z.writestr(name, content)
    return buf.getvalue()


def _flip(data, flips):
    b = bytearray(data)
    for pos, bit in flips:
        if b:
            b[pos % len(b)] ^= 1 << bit
    return bytes(b)


flips = st.lists(st.tuples(st.integers(0, 2 ** 31), st.integers(0, 7)), min_size=1, max_size=8)
mutation = st.one_of(
    st.tuples(st.just("raw_flips"), flips),
    st.tuples(st.just("raw_truncate"), st.floats(0, 1, exclude_max=True)),
    st.tuples(st.just("member_flips"), st.integers(0, 2 ** 16), flips),
    st.tuples(st.just("member_truncate"), st.integers(0, 2 ** 16), st.floats(0, 1, exclude_max=True)),
    st.tuples(st.just("member_swap"), st.integers(0, 2 ** 16), st.integers(0, 2 ** 16)),
)


def _mutate(data, m):
    kind = m[0]
    if kind == "raw_flips":
        return _flip(data, m[1])
    if kind == "raw_truncate":
        return data[: int(len(data) * m[1])]
    members = _members(data)
    i = m[1] % len(members)
    name, content = members[i]
    if kind == "member_flips":
        # bias the flips towards the .npy header and the start of the manifest text
        members[i] = (name, _flip(content, [(p % max(1, min(len(content), 512 + p % 4096)), b) for p, b in m[2]]))
    elif kind == "member_truncate":
        members[i] = (name, content[: int(len(content) * m[2])])
    else:
        j = m[2] % len(members)
        members[i], members[j] = (name, members[j][1]), (members[j][0], content)
    return _repack(members)


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(which=st.integers(0, 2), m=mutation)
def test_load_of_a_mutated_file_raises_only_file_format_errors_in_bounded_memory(files, tmp_path, which, m):
    data = _mutate(files[which], m)
    p = tmp_path / "mutated.npz"
    p.write_bytes(data)
    tracemalloc.start()
    try:
        mlcore.load(p)
    except (FileFormatError, UnknownComponentError):
        pass
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < LOAD_BOUND(len(data)), f"peak {peak} bytes loading a {len(data)}-byte file ({m[0]})"
