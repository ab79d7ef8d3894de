# The W1/W2 models in MLX-Python, shared by the bench worker, bench/gpu.py and
# bench/micro/step_phases.py (bench/models.ts is the mlx-tape side).
import mlx.nn as nn


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(784, 512)
        self.l2 = nn.Linear(512, 512)
        self.l3 = nn.Linear(512, 10)

    def __call__(self, x):
        return self.l3(nn.relu(self.l2(nn.relu(self.l1(x)))))


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 32, 3, padding=1)
        self.c2 = nn.Conv2d(32, 64, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(64 * 7 * 7, 10)

    def __call__(self, x):
        h = self.pool(nn.relu(self.c1(x)))
        h = self.pool(nn.relu(self.c2(h)))
        return self.fc(h.reshape(h.shape[0], -1))
