# MLX-Python side of bench/micro/steady-step.ts: W1's (or with `W2`, W2's) eager
# train step in one continuous loop of 5 s after 4,000 steps (as steady-step.ts);
# `gpu` runs it on the GPU.
#   python3 bench/micro/steady_step.py [gpu] [W2]
import os, re, resource, sys, time
from pathlib import Path
import mlx.core as mx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workers"))
from mlx_models import Cnn, Mlp, trainer


def switches():
    """Voluntary and involuntary context switches, summed over the process's threads."""
    total = [0, 0]
    for task in os.listdir("/proc/self/task"):
        status = open(f"/proc/self/task/{task}/status").read()
        for i, kind in enumerate(("voluntary", "nonvoluntary")):
            total[i] += int(re.search(rf"^{kind}_ctxt_switches:\s+(\d+)", status, re.M)[1])
    return total


if "gpu" in sys.argv:
    mx.set_default_device(mx.gpu)
mx.random.seed(0)
w = "W2" if "W2" in sys.argv else "W1"
step = trainer(Cnn(), (64, 28, 28, 1), False) if w == "W2" else trainer(Mlp(), (128, 784), False)
for _ in range(4000):
    step()
s0, r0, t0 = switches(), resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
n = 0
while time.perf_counter() - t0 < 5:
    step()
    n += 1
ms, s1, r1 = (time.perf_counter() - t0) * 1e3 / n, switches(), resource.getrusage(resource.RUSAGE_SELF)
cpu = (r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime) * 1e3 / n
print(f"MLX-Python {w}: {ms:.3f} ms/step over {n} steps; per step CPU {cpu:.3f} ms, "
      f"{(s1[0] - s0[0]) / n:.1f} voluntary and {(s1[1] - s0[1]) / n:.2f} involuntary context switches; "
      f"{len(os.listdir('/proc/self/task'))} threads")
