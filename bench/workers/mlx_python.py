# MLX-Python side of the bench: the models and train step of mlx_models.py
# (mlx.nn layers, nn.value_and_grad, optim.SGD, one eval per step); variant
# "compiled" wraps the step (or the forward) in mx.compile as MLX's docs show.
# Same protocol as bench/workers/serve.mjs: one JSON request per line on stdin,
# one reply line.
import json, resource, sys, time
from functools import partial

import mlx.core as mx
from mlx_models import Cnn, Mlp, trainer


def chain(record):
    a, b = mx.full([16], 0.999), mx.full([16], 0.001)
    x0 = mx.random.normal([16])
    mx.eval(a, b, x0)

    def f(x):
        y = x
        for _ in range(5000):
            y = mx.add(mx.multiply(y, a), b)
        return y

    g = mx.grad(lambda x: mx.sum(f(x)))
    return (lambda: mx.eval(g(x0))) if record else (lambda: mx.eval(f(x0)))


def infer(compiled):
    model = Mlp()
    x = mx.random.normal([1024, 784])
    mx.eval(x, model.parameters())
    fwd = partial(mx.compile, inputs=model.state)(model) if compiled else model
    return lambda: mx.eval(fwd(x))


WORKLOADS = {
    "W1": lambda v: trainer(Mlp(), [128, 784], v == "compiled"),
    "W2": lambda v: trainer(Cnn(), [64, 28, 28, 1], v == "compiled"),
    "W3": lambda v: chain(v == "grad"),
    "W4": lambda v: infer(v == "compiled"),
}


def rss_mib():
    # Current RSS (not the peak that getrusage reports).
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def send(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    mx.random.seed(0)
    info = {"name": "MLX-Python", "version": f"mlx {mx.__version__}, Python {sys.version.split()[0]}"}
    if "mem" in sys.argv:
        marks = [int(s) for s in (sys.argv[sys.argv.index("mem") + 1:] or ["200,2000"])[0].split(",")]
        run, out = trainer(Mlp(), [128, 784], False), []
        for i in range(1, marks[-1] + 1):
            run()
            if i in marks:
                out.append({"steps": i, "rssMiB": rss_mib(), "activeMiB": mx.get_active_memory() / 2**20, "cacheMiB": mx.get_cache_memory() / 2**20})
        send({"info": info, "mem": out})
        return
    states = {}
    send({"ready": True, "info": info})
    for line in sys.stdin:
        try:
            req = json.loads(line)
            key = (req["w"], req["variant"])
            if key not in states:
                states[key] = WORKLOADS[req["w"]](req["variant"])
                start = time.perf_counter()
                for _ in range(req["warmup"]):
                    states[key]()
                # Steps while the next one (as long as the last) still fits in warmupMs (serve.mjs).
                last, spent, budget = time.perf_counter(), 0.0, req.get("warmupMs", 0) / 1e3
                while req["warmup"] > 0 and last - start + spent < budget:
                    states[key]()
                    now = time.perf_counter()
                    spent, last = now - last, now
            run, times = states[key], []
            for _ in range(req.get("settle", 0)):
                run()
            for _ in range(req["iters"]):
                t0 = time.perf_counter()
                run()
                times.append((time.perf_counter() - t0) * 1e3)
            send({"times": times})
        except Exception as e:  # reported to the orchestrator, which shows it
            send({"error": repr(e)})


main()
