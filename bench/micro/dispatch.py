# MLX-Python side of bench/micro/dispatch.ts: W3's chain with and without the eval, µs per op.
#   python3 bench/micro/dispatch.py
import time
import mlx.core as mx

N = 5000
a, b, x0 = mx.full([16], 0.999), mx.full([16], 0.001), mx.random.normal([16])
mx.eval(a, b, x0)


def chain(evaluate):
    y = x0
    for _ in range(N):
        y = mx.add(mx.multiply(y, a), b)
    if evaluate:
        mx.eval(y)


for evaluate in (True, False):
    times = []
    for r in range(20):
        t = time.perf_counter()
        chain(evaluate)
        times.append(time.perf_counter() - t)
    print(f"MLX-Python, {'eval' if evaluate else 'no eval':8} {sorted(times)[10] * 1e6 / (2 * N):.2f} µs/op")
