# MLX-Python side of bench/micro/host-work.ts: W1's (or with `W2`, W2's) eager train
# step without its eval (host work alone: graph and update) against the whole step;
# `gpu` runs it on the GPU.
#   python3 bench/micro/host_work.py [gpu] [W2]
import sys, time
from pathlib import Path
import mlx.core as mx, mlx.nn as nn, mlx.optimizers as optim

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workers"))
from mlx_models import LR, Cnn, Mlp, loss_fn

if "gpu" in sys.argv:
    mx.set_default_device(mx.gpu)
mx.random.seed(0)
W = "W2" if "W2" in sys.argv else "W1"
model, opt = (Cnn() if W == "W2" else Mlp()), optim.SGD(learning_rate=LR)
x_shape = [64, 28, 28, 1] if W == "W2" else [128, 784]
x, y = mx.random.normal(x_shape), mx.random.randint(0, 10, [x_shape[0]])
mx.eval(x, y, model.parameters())
loss_and_grad = nn.value_and_grad(model, loss_fn)


def step(evaluate=True):
    loss, grads = loss_and_grad(model, x, y)
    opt.update(model, grads)
    if evaluate:
        mx.eval(model.parameters(), opt.state, loss)


def ms_per_step(host_only, n):
    t = time.perf_counter()
    for _ in range(n):
        step(not host_only)
    ms = (time.perf_counter() - t) / n * 1e3
    mx.eval(model.parameters(), opt.state)  # what the host-only steps left lazy
    return ms


for _ in range(300):
    step()
host, whole = [], []
for _ in range(9):
    host.append(ms_per_step(True, 50))
    whole.append(ms_per_step(False, 200))
print(f"MLX-Python {W}: host work alone {sorted(host)[4]:.3f} ms, whole step {sorted(whole)[4]:.3f} ms")
