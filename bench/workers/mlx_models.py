# The W1/W2 models and train step in MLX-Python, shared by the bench worker,
# bench/gpu.py and bench/micro/step_phases.py (bench/models.ts is the mlx-tape side).
from functools import partial

import mlx.core as mx
import mlx.nn as nn
import mlx.optimizers as optim

LR = 0.01


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


def loss_fn(model, x, y):
    return nn.losses.cross_entropy(model(x), y, reduction="mean")


def update_step(model, opt, compiled):
    """The train step (loss, gradients, `opt`'s update) of `model`, returning the loss;
    `compiled`: through mx.compile with the model and optimizer state as inputs and
    outputs, as MLX's docs show."""
    loss_and_grad = nn.value_and_grad(model, loss_fn)

    def step(x, y):
        loss, grads = loss_and_grad(model, x, y)
        opt.update(model, grads)
        return loss

    if not compiled:
        return step
    opt.init(model.trainable_parameters())
    state = [model.state, opt.state]
    return partial(mx.compile, inputs=state, outputs=state)(step)


def trainer(model, x_shape, compiled):
    """One SGD step of `model` on a fixed random batch, forced to completion (one eval of
    the parameters, the optimizer state and the loss); `compiled`: the whole step
    through mx.compile."""
    x = mx.random.normal(x_shape)
    y = mx.random.randint(0, 10, (x_shape[0],))
    mx.eval(x, y, model.parameters())
    opt = optim.SGD(learning_rate=LR)
    step = update_step(model, opt, compiled)

    def run():
        loss = step(x, y)
        mx.eval(model.parameters(), opt.state, loss)

    return run
