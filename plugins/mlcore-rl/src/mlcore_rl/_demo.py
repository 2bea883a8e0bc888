"""``mlcore demo`` part: Q-learning and Dyna-Q on the built-in grid world (no Gymnasium needed)."""

import time

import mlcore

from .trainer import evaluate, train


def run():
    for spec in ["temporal_difference(lr=0.5, epsilon=0.1, off_policy=True, temporal_discount=0.95, random_state=0)",
                 "dyna(lr=0.5, epsilon=0.1, temporal_discount=0.95, n_simulated_actions=20, random_state=0)"]:
        env = mlcore.build("grid_world", kind="env")
        agent = mlcore.build(spec, kind="agent")
        t0 = time.perf_counter()
        returns = train(agent, env, 150, max_steps=1000, random_state=0)
        greedy = evaluate(agent, env, 1, max_steps=200)[0]
        name = spec.split("(")[0]
        print(f"   {name:20s} 150 episodes in {time.perf_counter() - t0:.2f} s: first return "
              f"{returns[0]:.0f}, last {returns[-1]:.0f}, greedy path return {greedy:.0f}")
