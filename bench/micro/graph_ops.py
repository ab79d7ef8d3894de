# MLX-Python side of bench/micro/graph-ops.ts: the ops of one W1/W2 train
# step's graph (the nodes of mx.export_to_dot before the step's one eval),
# counted by primitive; on the default device, or the GPU with `gpu`.
#   python3 bench/micro/graph_ops.py [gpu]
import collections, io, re, sys
from pathlib import Path
import mlx.core as mx, mlx.optimizers as optim, mlx.nn as nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workers"))
from mlx_models import LR, Cnn, Mlp, loss_fn

if "gpu" in sys.argv:
    mx.set_default_device(mx.gpu)
mx.random.seed(0)
for name, model, shape in [("W1", Mlp(), [128, 784]), ("W2", Cnn(), [64, 28, 28, 1])]:
    x, y = mx.random.normal(shape), mx.random.randint(0, 10, [shape[0]])
    opt = optim.SGD(learning_rate=LR)
    step = nn.value_and_grad(model, loss_fn)
    mx.eval(x, y, model.parameters())
    for last in (False, True):
        loss, grads = step(model, x, y)
        opt.update(model, grads)
        if last:
            dot = io.StringIO()
            mx.export_to_dot(dot, model.parameters(), opt.state, loss)
        mx.eval(model.parameters(), opt.state, loss)
    ops = list(dict(re.findall(r'\{ (\d+) \[label ="([^"]*)"', dot.getvalue())).values())
    listed = ", ".join(f"{op} {n}" for op, n in collections.Counter(ops).most_common())
    print(f"MLX-Python {name}: {len(ops)} ops: {listed}")
