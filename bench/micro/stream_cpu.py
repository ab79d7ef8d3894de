# MLX-Python side of bench/micro/stream-cpu.ts's first load: x = x * a + b on
# [16] arrays, an eval after each op pair; median µs per eval of 20 rounds of 500.
#   python3 bench/micro/stream_cpu.py
import time
import mlx.core as mx

a, b, x = mx.full((16,), 0.999), mx.full((16,), 0.001), mx.random.normal((16,))
mx.eval(a, b, x)
rounds = []
for r in range(24):
    t = time.perf_counter()
    for _ in range(500):
        x = x * a + b
        mx.eval(x)
    if r >= 4:
        rounds.append((time.perf_counter() - t) * 1e6 / 500)
print(f"MLX-Python: a small eval {sorted(rounds)[len(rounds) // 2]:.2f} µs per eval")
