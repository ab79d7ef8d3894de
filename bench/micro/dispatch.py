# MLX-Python side of bench/micro/dispatch.ts: W3's chain with and without the eval, and with every
# intermediate held (as a JS tidy scope holds them), µs per op; then W3's recording row by phase.
#   python3 bench/micro/dispatch.py
import time
import mlx.core as mx

N = 5000
a, b, x0 = mx.full([16], 0.999), mx.full([16], 0.001), mx.random.normal([16])
mx.eval(a, b, x0)


def chain_of(x):
    y = x
    for _ in range(N):
        y = mx.add(mx.multiply(y, a), b)
    return y


def chain(evaluate, hold):
    y = x0
    # hold: keep every intermediate alive, as a tidy scope does in JS: MLX can
    # then donate no buffer to the next op, and allocates one per op.
    held = []
    for _ in range(N):
        m = mx.multiply(y, a)
        y = mx.add(m, b)
        if hold:
            held += [m, y]
    if evaluate:
        mx.eval(y)


def per_op(seconds):
    # µs per op of the chain from the median of the repetitions.
    return f"{sorted(seconds)[len(seconds) // 2] * 1e6 / (2 * N):.2f}"


for evaluate, hold, label in ((True, False, "eval"), (False, False, "no eval"), (True, True, "eval, holding intermediates")):
    times = []
    for r in range(25):
        t = time.perf_counter()
        chain(evaluate, hold)
        if r >= 5:  # warm-up, as dispatch.ts skips its first rounds
            times.append(time.perf_counter() - t)
    print(f"MLX-Python, {label:28} {per_op(times)} µs/op")

# W3's recording row (bench/workers/mlx_python.py): mx.grad's call (the forward traced, the vjp
# built), then the eval of the gradient.
grad = mx.grad(lambda x: mx.sum(chain_of(x)))
build, evaluation = [], []
for r in range(20):
    t = time.perf_counter()
    g = grad(x0)
    t1 = time.perf_counter()
    mx.eval(g)
    if r >= 5:
        build.append(t1 - t)
        evaluation.append(time.perf_counter() - t1)
print(f"MLX-Python, recording + backward by phase, µs/op: grad call {per_op(build)}, eval {per_op(evaluation)}")
