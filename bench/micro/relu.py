# MLX-Python side of bench/micro/relu.ts: nn.relu (compiled) against mx.maximum(x, 0).
import time

import mlx.core as mx
import mlx.nn as nn

x = mx.random.normal([1024, 512])
mx.eval(x)


def median(f, n=400):
    ts = []
    for i in range(n + 50):
        t0 = time.perf_counter()
        mx.eval(f(x))
        if i >= 50:
            ts.append(time.perf_counter() - t0)
    return sorted(ts)[n // 2] * 1e3


for _ in range(3):
    print(f"nn.relu {median(nn.relu):.3f} ms   mx.maximum(x, 0) {median(lambda t: mx.maximum(t, 0)):.3f} ms")
