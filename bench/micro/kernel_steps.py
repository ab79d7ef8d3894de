# MLX-Python side of bench/micro/kernel-steps.ts: STEPS eager W1 (or W=W2) train steps on the GPU.
import os, sys
from pathlib import Path
import mlx.core as mx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workers"))
from mlx_models import Cnn, Mlp, trainer

mx.set_default_device(mx.gpu)
mx.random.seed(0)
run = trainer(Cnn(), [64, 28, 28, 1], False) if os.environ.get("W") == "W2" else trainer(Mlp(), [128, 784], False)
for _ in range(int(os.environ.get("STEPS", "3"))):
    run()
