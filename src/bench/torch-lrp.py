#!/usr/bin/python3
"""PyTorch baseline for `npm run bench`: the same models, timed the same way, explained by LRP-epsilon.

Run by src/bench/torch-baseline.ts as a server: one JSON request per stdin line, one JSON answer per
stdout line, so that the Node benchmark can interleave PyTorch runs with its own in one session.

    {"cmd": "load", "model": "vgg16-random-224", "batch": 1}  -> {"ok": true, "threads": 2, ...}
    {"cmd": "forward"}                                       -> {"ms": 153.2}
    {"cmd": "explain"}                                       -> {"ms": 402.9, "relevance_sum": ...}
    {"cmd": "stats"}                                         -> {"peak_rss_mb": 1234}
    {"cmd": "conv", "size": 56, "cin": 256, "cout": 256}     -> {"ms": 9.1}  (one 3x3 'same' conv)

`/usr/bin/python3 src/bench/torch-lrp.py --self-check` checks the LRP-epsilon below against the
layer-by-layer formulation on a small network and exits.

LRP-epsilon, in the standard autograd formulation (one forward pass, one backward pass): every
linear layer (convolution, dense) outputs z with the gradient scaled by z / (z + eps * sign(z)), so
that, with c = dR/da the gradient reaching an activation a, the backward pass computes
c_in = W^T (c_out * z / z_stab) and R = a * c is exactly R_in = a * W^T (R_out / z_stab). ReLU passes
c where it is active (R = 0 where it is not, since a = 0), max pooling routes it to the window's
winner, and a residual sum a + b hands c to both, i.e. splits R in proportion to a and b.
The models carry no batch normalisation: the toolkit folds it into the convolutions before
explaining, so the folded form is what both sides run (random weights: speed only).
"""

import json
import os
import resource
import sys
import time

import torch
from torch import nn

EPSILON = 1e-6


class EpsilonScaled(nn.Module):
    """A linear layer whose backward pass applies the LRP-epsilon rule (see the module docstring)."""

    def __init__(self, layer):
        super().__init__()
        self.layer = layer

    def forward(self, x):
        z = self.layer(x)
        if not torch.is_grad_enabled():
            return z
        stabilised = z + EPSILON * torch.where(z >= 0, 1.0, -1.0)
        scale = (z / stabilised).detach()
        # The value stays z; the gradient with respect to z becomes `scale`.
        return z * scale + (z - z * scale).detach()


def conv(cin, cout, kernel, stride=1, padding=0):
    return EpsilonScaled(nn.Conv2d(cin, cout, kernel, stride, padding))


def dense(cin, cout):
    return EpsilonScaled(nn.Linear(cin, cout))


def vgg16(classes=1000):
    layers, cin = [], 3
    for convs, width in [(2, 64), (2, 128), (3, 256), (3, 512), (3, 512)]:
        for _ in range(convs):
            layers += [conv(cin, width, 3, padding=1), nn.ReLU()]
            cin = width
        layers.append(nn.MaxPool2d(2, 2))
    layers += [nn.Flatten(), dense(512 * 7 * 7, 4096), nn.ReLU(), dense(4096, 4096), nn.ReLU()]
    return nn.Sequential(*layers, dense(4096, classes))


class Bottleneck(nn.Module):
    """Keras' ResNet-50 v1 block: the stride sits on the first 1x1 convolution."""

    def __init__(self, cin, width, stride, project):
        super().__init__()
        self.body = nn.Sequential(
            conv(cin, width, 1, stride), nn.ReLU(),
            conv(width, width, 3, padding=1), nn.ReLU(),
            conv(width, 4 * width, 1),
        )
        self.shortcut = conv(cin, 4 * width, 1, stride) if project else nn.Identity()

    def forward(self, x):
        return torch.relu(self.body(x) + self.shortcut(x))


def resnet50(classes=1000):
    layers = [conv(3, 64, 7, 2, 3), nn.ReLU(), nn.ZeroPad2d(1), nn.MaxPool2d(3, 2)]
    cin = 64
    for blocks, width, stride in [(3, 64, 1), (4, 128, 2), (6, 256, 2), (3, 512, 2)]:
        for b in range(blocks):
            layers.append(Bottleneck(cin, width, stride if b == 0 else 1, b == 0))
            cin = 4 * width
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), dense(cin, classes)]
    return nn.Sequential(*layers)


def mnist_cnn():
    """The shipped models/mnist-cnn: conv 16, pool, conv 32, pool, dense 64, dense 10."""
    return nn.Sequential(
        conv(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, 2),
        conv(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Flatten(), dense(32 * 7 * 7, 64), nn.ReLU(), dense(64, 10),
    )


MODELS = {
    "vgg16-random-224": (vgg16, (3, 224, 224)),
    "resnet50-random-224": (resnet50, (3, 224, 224)),
    "mnist-cnn-shipped": (mnist_cnn, (1, 28, 28)),
}


def explain(model, x):
    """LRP-epsilon relevance of each sample's highest-scoring class, shaped like x."""
    x = x.detach().requires_grad_(True)
    logits = model(x)
    target = torch.zeros_like(logits)
    target[torch.arange(len(logits)), logits.argmax(1)] = 1.0
    # The output relevance is the target logit; divided by itself that is the one-hot seed.
    (grad,) = torch.autograd.grad(logits, x, target)
    return (x * grad).detach()


def layer_by_layer(model, x):
    """The textbook formulation on a Sequential of linear layers and ReLUs, for the self-check."""
    activations = [x]
    with torch.no_grad():
        for layer in model:
            activations.append(layer(activations[-1]))
    logits = activations[-1]
    relevance = torch.zeros_like(logits)
    rows = torch.arange(len(logits))
    relevance[rows, logits.argmax(1)] = logits[rows, logits.argmax(1)]
    for layer, a in zip(reversed(model), reversed(activations[:-1])):
        if isinstance(layer, nn.ReLU):
            continue
        a = a.detach().requires_grad_(True)
        z = layer.layer(a)
        s = (relevance / (z + EPSILON * torch.where(z >= 0, 1.0, -1.0))).detach()
        (c,) = torch.autograd.grad((z * s).sum(), a)
        relevance = (a * c).detach()
    return relevance


def self_check():
    torch.manual_seed(0)
    model = nn.Sequential(dense(20, 30), nn.ReLU(), dense(30, 30), nn.ReLU(), dense(30, 5))
    x = torch.randn(8, 20)
    fast, slow = explain(model, x), layer_by_layer(model, x)
    worst = (fast - slow).abs().max().item() / slow.abs().max().item()
    print(json.dumps({"self_check_max_relative_difference": worst}))
    return 0 if worst < 1e-5 else 1


def peak_rss_mb():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def serve(threads):
    torch.set_num_threads(threads)
    state = {}
    for line in sys.stdin:
        request = json.loads(line)
        command = request["cmd"]
        if command == "load":
            build, shape = MODELS[request["model"]]
            torch.manual_seed(42)
            state["model"] = build().eval()
            state["x"] = torch.rand(request["batch"], *shape)
            answer = {"ok": True, "threads": torch.get_num_threads(), "torch": torch.__version__}
        elif command == "forward":
            start = time.perf_counter()
            with torch.inference_mode():
                state["model"](state["x"])
            answer = {"ms": (time.perf_counter() - start) * 1000}
        elif command == "explain":
            start = time.perf_counter()
            relevance = explain(state["model"], state["x"])
            answer = {"ms": (time.perf_counter() - start) * 1000,
                      "relevance_sum": relevance.sum().item()}
        elif command == "conv":
            torch.manual_seed(42)
            # No bias: the other side times a plain convolution too.
            layer = nn.Conv2d(request["cin"], request["cout"], 3, padding=1, bias=False)
            x = torch.rand(1, request["cin"], request["size"], request["size"])
            with torch.inference_mode():
                layer(x)  # warm-up
                start = time.perf_counter()
                layer(x)
            answer = {"ms": (time.perf_counter() - start) * 1000}
        elif command == "stats":
            answer = {"peak_rss_mb": peak_rss_mb()}
        else:
            answer = {"error": f"unknown command {command!r}"}
        print(json.dumps(answer), flush=True)
    return 0


if __name__ == "__main__":
    if "--self-check" in sys.argv:
        sys.exit(self_check())
    at = sys.argv.index("--threads") if "--threads" in sys.argv else -1
    sys.exit(serve(int(sys.argv[at + 1]) if at >= 0 else os.cpu_count() or 1))
