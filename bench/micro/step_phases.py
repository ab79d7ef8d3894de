# MLX-Python side of bench/micro/step-phases.ts for W1, split as it is: building
# the forward and backward graph (value_and_grad, lazy), then the optimizer
# update with the one eval, per step; then the whole step mx.compile'd (model
# and optimizer state as inputs/outputs), split into the call and the eval;
# first, W1's graph alone, never evaluated.
#   python3 bench/micro/step_phases.py [gpu]
import sys, time
from pathlib import Path
import mlx.core as mx, mlx.nn as nn, mlx.optimizers as optim

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workers"))
from mlx_models import Mlp, loss_fn, update_step

if "gpu" in sys.argv:
    mx.set_default_device(mx.gpu)

WARMUP, N = 300, 100  # as step-phases.ts


def phases(compiled):
    mx.random.seed(0)
    model, opt = Mlp(), optim.SGD(learning_rate=0.01)
    x, y = mx.random.normal([128, 784]), mx.random.randint(0, 10, [128])
    step = nn.value_and_grad(model, loss_fn)
    mx.eval(model.parameters(), x, y)
    if compiled:
        whole = update_step(model, opt, True)
    first = second = 0.0
    for i in range(WARMUP + N):
        t0 = time.perf_counter()
        if compiled:
            loss = whole(x, y)
            t1 = time.perf_counter()
        else:
            loss, grads = step(model, x, y)
            t1 = time.perf_counter()
            opt.update(model, grads)
        mx.eval(model.parameters(), opt.state, loss)
        t2 = time.perf_counter()
        if i >= WARMUP:
            first, second = first + t1 - t0, second + t2 - t1
    if compiled:
        print(f"MLX-Python W1 compiled: the call {first / N * 1e3:.3f} ms, the eval {second / N * 1e3:.3f} ms")
    else:
        print(f"MLX-Python W1: graph {first / N * 1e3:.3f} ms, optimizer update + the one eval {second / N * 1e3:.3f} ms")


def graph_alone():
    """W1's graph (forward and backward) built and dropped, never evaluated: the
    host's share of a step alone (as step-phases.ts). Median of 7 rounds of 300 steps."""
    mx.random.seed(0)
    model = Mlp()
    x, y = mx.random.normal([128, 784]), mx.random.randint(0, 10, [128])
    step = nn.value_and_grad(model, loss_fn)
    mx.eval(model.parameters(), x, y)
    for _ in range(WARMUP):
        step(model, x, y)
    rounds = []
    for _ in range(7):
        t = time.perf_counter()
        for _ in range(300):
            step(model, x, y)
        rounds.append((time.perf_counter() - t) / 300)
    print(f"MLX-Python W1 graph alone, never evaluated: {sorted(rounds)[3] * 1e3:.3f} ms")


graph_alone()
phases(False)
phases(True)
