"""Draw the README figure (needs matplotlib)."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from mlcore_ngram import simple_good_turing

r, n_r = [1, 2, 3, 4, 5, 6, 8, 10], [1200, 400, 240, 130, 150, 50, 20, 10]
out = simple_good_turing(r, n_r)
fig, ax = plt.subplots(figsize=(4, 3))
ax.loglog(r, r, "k:", label="r (MLE)")
ax.loglog(r, out["r_star"], "o-", label="r* (simple Good-Turing)")
ax.loglog(r, out["z"], "s", label="Z_r"); ax.loglog(r, out["smoothed_n_r"], "-", label="S(r)")
ax.set_xlabel("r"); ax.legend(); fig.tight_layout(); fig.savefig("sgt.png", dpi=100)
