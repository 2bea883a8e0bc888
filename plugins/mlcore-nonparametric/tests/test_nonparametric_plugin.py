"""The plugin is discovered, registers its contract names, and its demo runs."""

import mlcore


def test_registered_names():
    reg = mlcore.registry()
    assert {"knn", "knn_regressor", "kernel_regression", "gp_regression"} <= set(reg.names("estimator"))
    assert reg.info("gp_regression", "estimator")["distribution"] == "mlcore-nonparametric"


def test_demo_runs(capsys):
    from mlcore_nonparametric._demo import run

    run()
    out = capsys.readouterr().out
    assert "accuracy 0.9" in out and "gp_regression: fitted kernel rbf(" in out
