"""Reference values for rlgrad's optimisers, clipping and schedules, computed by torch itself.

Run from the repository root with Debian's torch (python3-torch, 1.13):

    /usr/bin/python3 engine/src/test/resources/org/rlgrad/engine/optim/torch_optim_reference.py

It rewrites torch_optim_reference.json next to this script; TorchOptimReferenceTest reads it.

What it records (float64 throughout, so rlgrad must agree to rounding, 1e-12):
  * "params0" and "grads": two parameters and, for each of STEPS steps, their gradients. The
    gradients change magnitude and sign from step to step, so that AMSGrad's running maximum, the
    momentum buffers and the centred average all matter; one coordinate's gradient is 0 at every
    step, and the second parameter has no gradient at step 2 (it must be skipped, state and all).
  * "optimizers": for each configuration (torch class name and keyword arguments, exactly as
    passed to torch), the parameters after each step.
  * "schedules": for each schedule (class name, keyword arguments; "lr_lambda" is a name that
    the Java test maps to the same function), the learning rates of two groups (lr 0.1 and 0.02)
    right after construction and after each of EPOCHS scheduler steps.
  * "clip_grad_norm": for each (max_norm, norm_type), the total norm returned and the clipped
    gradients.

Every optimiser runs torch's single-tensor path (foreach=False), whose order of operations rlgrad
follows.
"""
import json
import math
import os

import torch

torch.set_default_dtype(torch.float64)

STEPS = 4
EPOCHS = 14

PARAMS0 = [
    [[1.0, -2.0, 3.0], [0.5, -0.25, 0.0]],
    [0.75, -1.5],
]


def grads_at(step):
    """Gradients of step `step` (0-based): large, then small, then of flipped sign, then mixed."""
    scale = [1.0, 0.05, -0.7, 0.3][step]
    g0 = [[scale * 0.5, -scale * 1.0, 0.0], [scale * 2.0 + 0.01 * step, -0.3 + 0.1 * step, scale * 1.5]]
    g1 = None if step == 1 else [scale * -0.8, 0.2 - scale]
    return [g0, g1]


OPTIMIZERS = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.5}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.1, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.1, "maximize": True}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "weight_decay": 0.2, "nesterov": True, "maximize": True}),
    ("Adam", {"lr": 0.1}),
    ("Adam", {"lr": 0.1, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.1, "amsgrad": True}),
    # beta2 = 0.9: step 2's small gradients make v fall below its maximum, so AMSGrad departs from Adam.
    ("Adam", {"lr": 0.1, "betas": [0.9, 0.9], "amsgrad": True}),
    ("Adam", {"lr": 0.1, "maximize": True}),
    ("Adam", {"lr": 0.05, "betas": [0.8, 0.99], "eps": 1e-3, "weight_decay": 0.3, "amsgrad": True, "maximize": True}),
    ("AdamW", {"lr": 0.1}),
    ("AdamW", {"lr": 0.1, "betas": [0.9, 0.9], "weight_decay": 0.1, "amsgrad": True}),
    ("AdamW", {"lr": 0.05, "betas": [0.8, 0.99], "eps": 1e-3, "weight_decay": 0.5, "maximize": True}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "centered": True}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "eps": 1e-3}),
    ("RMSprop", {"lr": 0.02, "alpha": 0.8, "eps": 1e-4, "weight_decay": 0.1, "momentum": 0.5, "centered": True, "maximize": True}),
]

SCHEDULES = [
    ("StepLR", {"step_size": 3, "gamma": 0.5}),
    ("MultiStepLR", {"milestones": [2, 5, 5, 9], "gamma": 0.3}),
    ("ExponentialLR", {"gamma": 0.9}),
    ("CosineAnnealingLR", {"T_max": 5, "eta_min": 0.01}),
    ("CosineAnnealingLR", {"T_max": 4}),
    ("LinearLR", {}),
    ("LinearLR", {"start_factor": 0.25, "end_factor": 0.75, "total_iters": 4}),
    ("LambdaLR", {"lr_lambda": "inverse_epoch"}),
]

LAMBDAS = {"inverse_epoch": lambda epoch: 1.0 / (epoch + 1)}

CLIPS = [(1.0, 2.0), (100.0, 2.0), (1.0, 1.0), (0.5, math.inf), (1.0, 3.0), (2.0, 0.5)]


def make_params():
    return [torch.tensor(p, requires_grad=True) for p in PARAMS0]


def run_optimizer(name, kwargs):
    params = make_params()
    args = dict(kwargs)
    if "betas" in args:
        args["betas"] = tuple(args["betas"])
    opt = getattr(torch.optim, name)(params, foreach=False, **args)
    after = []
    for step in range(STEPS):
        opt.zero_grad(set_to_none=True)
        for p, g in zip(params, grads_at(step)):
            if g is not None:
                p.grad = torch.tensor(g)
        opt.step()
        after.append([p.detach().tolist() for p in params])
    return after


def run_schedule(name, kwargs):
    args = dict(kwargs)
    if "lr_lambda" in args:
        args["lr_lambda"] = LAMBDAS[args["lr_lambda"]]
    p, q = torch.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([{"params": [p], "lr": 0.1}, {"params": [q], "lr": 0.02}], lr=0.1)
    sched = getattr(torch.optim.lr_scheduler, name)(opt, **args)
    lrs = [[g["lr"] for g in opt.param_groups]]
    for _ in range(EPOCHS):
        opt.step()
        sched.step()
        lrs.append([g["lr"] for g in opt.param_groups])
    return lrs


def run_clip(max_norm, norm_type):
    params = make_params()
    for p, g in zip(params, grads_at(0)):
        p.grad = torch.tensor(g)
    total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type)
    return {"total": total.item(), "grads": [p.grad.tolist() for p in params]}


def encode(x):
    """JSON has no infinity: norm types are written as strings ("inf") where they are infinite."""
    return "inf" if x == math.inf else x


def main():
    out = {
        "torch_version": torch.__version__,
        "steps": STEPS,
        "params0": PARAMS0,
        "grads": [grads_at(s) for s in range(STEPS)],
        "optimizers": [{"name": n, "kwargs": k, "params": run_optimizer(n, k)} for n, k in OPTIMIZERS],
        "schedules": [{"name": n, "kwargs": k, "base_lrs": [0.1, 0.02], "lrs": run_schedule(n, k)} for n, k in SCHEDULES],
        "clip_grad_norm": [dict(max_norm=m, norm_type=encode(t), **run_clip(m, t)) for m, t in CLIPS],
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch_optim_reference.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
