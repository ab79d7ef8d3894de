# MLX-Python side of bench/micro/ops.ts: the same ops, MLX's own layers and vjps.
import time

import mlx.core as mx
import mlx.nn as nn


def median(f, n=30):
    ts = []
    for i in range(n + 5):
        t0 = time.perf_counter()
        f()
        if i >= 5:
            ts.append(time.perf_counter() - t0)
    return sorted(ts)[n // 2] * 1e3


def fwd_bwd(f, *xs):
    g = mx.grad(lambda *vs: mx.sum(f(*vs)), argnums=tuple(range(len(xs))))
    return lambda: mx.eval(g(*xs))


a = mx.random.normal([1024, 512])
x = mx.random.normal([64, 28, 28, 32])
h = mx.random.normal([64, 14, 14, 32])
w = mx.random.normal([64, 3, 3, 32])
x1 = mx.random.normal([64, 28, 28, 1])
w1 = mx.random.normal([32, 3, 3, 1])
mx.eval(a, x, h, w, x1, w1)
pool = nn.MaxPool2d(2)
rows = [
    ("nn.relu [1024,512]", lambda: mx.eval(nn.relu(a))),
    ("maximum(x, 0) [1024,512]", lambda: mx.eval(mx.maximum(a, 0))),
    ("nn.relu fwd+bwd [64,28,28,32]", fwd_bwd(nn.relu, x)),
    ("nn.MaxPool2d(2) [64,28,28,32]", lambda: mx.eval(pool(x))),
    ("nn.MaxPool2d(2) fwd+bwd [64,28,28,32]", fwd_bwd(pool, x)),
    ("conv2d pad 1 [64,14,14,32]*[64,3,3,32]", lambda: mx.eval(mx.conv2d(h, w, padding=1))),
    ("conv2d fwd+bwd (dx, dw)", fwd_bwd(lambda u, v: mx.conv2d(u, v, padding=1), h, w)),
    ("conv2d fwd+bwd (dx, dw) [64,28,28,1]*[32,3,3,1]", fwd_bwd(lambda u, v: mx.conv2d(u, v, padding=1), x1, w1)),
]
for name, f in rows:
    print(f"{median(f):8.2f} ms  {name}")
