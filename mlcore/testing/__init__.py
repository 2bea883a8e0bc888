"""The conformance kit for plugin authors.

Run it in your plugin's tests::

    from mlcore.testing import check_component

    def test_my_layer_conforms(tmp_path):
        check_component("my_layer(n_out=3)", tmp_path=tmp_path)

Checks (by kind): every method the kind's interface requires (``required_methods``); spec round trip (minimal and full);
save/load round trip (state and outputs); determinism under a fixed ``random_state``;
layers: the whole layer contract (``check_layer_contract``: the required methods,
``output_shape`` equal to the shape ``forward`` gives for several input shapes,
``initialize`` creating exactly the parameters ``forward`` uses, the same network
generator giving identical parameters and outputs, and an empty batch or an input of
the wrong rank giving a ValueError naming the shape);
finite-difference gradients for layers and losses; scikit-learn estimator API
(``get_params``/``set_params``, ``NotFittedError`` before ``fit``, ``fit`` returns
self, ``clone``); optimizers resume bit-identically after save/load;
environments follow the Gymnasium API (``check_env_api``).

Example inputs come from the class method ``conformance_example()``; see
:func:`check_component`.
"""

from ._checks import (
    Case,
    assert_state_equal,
    check_component,
    check_env_api,
    check_estimator_api,
    check_save_load,
    check_spec_round_trip,
    conformance_cases,
    example_of,
)
from ._gradients import check_layer_gradients, check_loss_gradients, numerical_gradient
from ._layers import (
    check_layer_contract,
    check_layer_initialize,
    check_layer_input_errors,
    check_layer_network_seed,
    check_layer_output_shape,
)

__all__ = [
    "Case",
    "conformance_cases",
    "check_component",
    "check_spec_round_trip",
    "check_save_load",
    "check_estimator_api",
    "check_env_api",
    "check_layer_contract",
    "check_layer_output_shape",
    "check_layer_initialize",
    "check_layer_network_seed",
    "check_layer_input_errors",
    "check_layer_gradients",
    "check_loss_gradients",
    "numerical_gradient",
    "assert_state_equal",
    "example_of",
]
