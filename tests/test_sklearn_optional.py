"""scikit-learn is optional: every estimator imports, builds, fits and predicts with it
unimportable, and the scikit-learn-flavoured errors and warnings fall back to mlcore's
own classes (issue 18)."""

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent('''
    import sys
    sys.modules["sklearn"] = None            # "import sklearn" now raises ImportError
    import warnings
    import numpy as np
    import mlcore
    from mlcore.errors import DataConversionWarning, NotFittedError

    reg = mlcore.registry()
    done = []
    for name in reg.names("estimator"):
        cls = reg.get(name, "estimator")
        example = cls.conformance_example() if hasattr(cls, "conformance_example") else {}
        est = mlcore.build(example.get("spec", name))
        assert est.__sklearn_is_fitted__() is False, name
        est.fit(*example["fit"])
        assert est.__sklearn_is_fitted__() is True, name
        X = example["fit"][0]
        for method in ("predict", "transform", "score_samples"):
            if hasattr(est, method) and est.mlcore_tags()["two_d_array"]:
                getattr(est, method)(X)
        done.append(name)

    ridge = mlcore.build("ridge")
    try:
        ridge.predict(np.ones((2, 2)))
    except NotFittedError as exc:
        assert type(exc) is NotFittedError, type(exc)   # no scikit-learn subclass without scikit-learn
    else:
        raise AssertionError("predict before fit did not raise")
    X = np.random.default_rng(0).normal(size=(20, 2))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        mlcore.build("logistic_regression").fit(X, (X[:, :1] > 0).astype(int))
    assert [x.category for x in w] == [DataConversionWarning], w
    assert sys.modules["sklearn"] is None and not any(m.startswith("sklearn.") for m in sys.modules)
    print(len(done))
''')


def test_every_estimator_works_without_sklearn():
    import mlcore

    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert int(out.stdout.split()[-1]) == len(mlcore.registry().names("estimator"))
