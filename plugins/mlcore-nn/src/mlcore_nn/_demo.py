"""``mlcore demo`` part: an MLP and a small CNN trained from spec strings on the 8x8 digits."""

from __future__ import annotations

import time

MLP = ("sequential(layers=[dense(n_out=64, act_fn=relu), dense(n_out=10)], "
       "loss=softmax_cross_entropy, optimizer=adam(lr=0.003), random_state=0)")
CNN = ("sequential(layers=[conv2d(out_ch=16, kernel_shape=3, pad='same', act_fn=relu), pool2d(kernel_shape=2), "
       "conv2d(out_ch=32, kernel_shape=3, pad='same', act_fn=relu), pool2d(kernel_shape=2), flatten, "
       "dense(n_out=64, act_fn=relu), dense(n_out=10)], loss=softmax_cross_entropy, "
       "optimizer=adam(lr=0.003), random_state=0)")


def run():
    import mlcore

    from .datasets import load_digits

    for title, spec, flat, epochs in (("MLP", MLP, True, 15), ("CNN", CNN, False, 6)):
        Xtr, Xte, ytr, yte = load_digits(flat=flat)
        net = mlcore.build(spec)
        t0 = time.perf_counter()
        net.fit(Xtr, ytr, epochs=epochs, batch_size=32)
        dt = time.perf_counter() - t0
        acc = net.score(Xte, yte)
        print(f"  {title}: {epochs} epochs on {len(Xtr)} digits in {dt:.1f} s, test accuracy {acc:.3f}")
        print(f"    spec: {spec}")
