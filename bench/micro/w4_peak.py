# MLX-Python side of bench/micro/w4-peak.ts: MLX's peak memory over the weights
# and input during one W4 forward.
import sys
from pathlib import Path

import mlx.core as mx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workers"))
from mlx_models import Mlp

mx.random.seed(0)
model = Mlp()
x = mx.random.normal([1024, 784])
mx.eval(x, model.parameters())
base = mx.get_active_memory()
mx.reset_peak_memory()
mx.eval(model(x))
print(f"MLX-Python: {(mx.get_peak_memory() - base) / 2**20:.2f} MiB")
