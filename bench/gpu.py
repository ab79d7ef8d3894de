# W1/W2 on the GPU for the Python peers, side by side with bench/gpu.ts:
# MLX-Python (CUDA backend; eager, and the whole step mx.compile'd as MLX's docs
# show) and PyTorch (eager, CUDA). Prints one JSON line.
# Usage: python3 bench/gpu.py   (needs mlx + mlx-cuda-13 and torch importable)
import json, statistics, sys, time

RUNS, WARMUP_STEPS, WARMUP_S, LR = 50, 4000, 2.0, 0.01  # as bench/gpu.ts, whose JIT needs the warm-up


def median_ms(step):
    start, i = time.perf_counter(), 0
    while i < WARMUP_STEPS or time.perf_counter() - start < WARMUP_S:
        step()
        i += 1
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        step()
        times.append((time.perf_counter() - t) * 1e3)
    return statistics.median(times)


def mlx_python(compiled):
    import mlx.core as mx
    from workers.mlx_models import Cnn, Mlp, trainer
    mx.set_default_device(mx.gpu)
    mx.random.seed(0)
    return {"W1": median_ms(trainer(Mlp(), (128, 784), compiled)), "W2": median_ms(trainer(Cnn(), (64, 28, 28, 1), compiled)),
            "version": mx.__version__}


def pytorch():
    import torch, torch.nn as nn
    dev = torch.device("cuda")
    torch.manual_seed(0)
    mlp = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10)).to(dev)
    cnn = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3, padding=1),
                        nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64 * 7 * 7, 10)).to(dev)

    def trainer(model, shape):
        x, y = torch.randn(shape, device=dev), torch.randint(0, 10, (shape[0],), device=dev)
        opt = torch.optim.SGD(model.parameters(), lr=LR)
        def step():
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            torch.cuda.synchronize()
        return step

    return {"W1": median_ms(trainer(mlp, (128, 784))), "W2": median_ms(trainer(cnn, (64, 1, 28, 28))), "version": torch.__version__}


print(json.dumps({"mlx-python": mlx_python(False), "mlx-python compiled": mlx_python(True), "pytorch": pytorch(),
                  "gpu": sys.argv[1] if len(sys.argv) > 1 else ""}))
