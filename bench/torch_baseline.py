#!/usr/bin/python3
"""rlgrad's PyTorch baseline: the workloads the Java JMH suite runs, timed in eager PyTorch.

A focused mirror of ../shared/bench/torch_baseline.py (the reference), restricted to the
workloads that rlgrad's bench module has: matmul_n*, add_n*, add_grad_n*, reduce_*, mlp_step,
sac_step, ppo_step and gae_*. Names, shapes, hyperparameters and the timing rule are those of
../shared/bench/README.md. ./rlgrad bench runs it once per thread count:

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/torch_baseline.py \\
        --threads N [--only NAME[,NAME...]] [--json FILE] [--list]

Output: '#' context lines (versions, CPU, threads, and one line
'# blas: library=PATH core=NAME threads=N' naming the BLAS torch actually loaded), a header, and
one line per workload: 'name threads median_ms p10_ms p90_ms'.

Timing rule (README.md): warm up for at least 0.5 s and 3 calls; pick an inner repeat count so
that one sample lasts about 50 ms (at least one call); take 21 samples of the mean time per call
(fewer for slow workloads: at most about 8 s of samples, never fewer than 5); report the median
and the 10th and 90th percentiles (linear interpolation).
"""
import argparse
import ctypes
import datetime
import json
import math
import platform
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 0
WARMUP_S, SAMPLE_S, SAMPLES, MIN_SAMPLES, BUDGET_S = 0.5, 0.050, 21, 5, 8.0


def measure(fn):
    """(median, p10, p90, samples, inner) of the per-call time in ms, by the README's rule."""
    t0 = time.perf_counter()
    calls = 0
    while True:
        fn()
        calls += 1
        now = time.perf_counter()
        if (calls >= 3 and now - t0 >= WARMUP_S) or now - t0 >= 4 * BUDGET_S:
            break
    per_call = (now - t0) / calls
    inner = max(1, int(round(SAMPLE_S / per_call)))
    n = max(MIN_SAMPLES, min(SAMPLES, int(BUDGET_S / (per_call * inner))))
    samples = []
    for _ in range(n):
        t = time.perf_counter()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter() - t) / inner * 1e3)
    a = np.asarray(samples)
    return float(np.median(a)), float(np.percentile(a, 10)), float(np.percentile(a, 90)), n, inner


def pin_threads(n):
    """torch's OpenMP pool and OpenBLAS's own pool, which torch.set_num_threads does not reach."""
    torch.set_num_threads(n)
    info = {"blas_library": None, "openblas_core": None, "openblas_threads": None}
    with open("/proc/self/maps") as f:
        libs = sorted({line.split()[-1] for line in f if "blas" in line.lower() and "/" in line})
    for path in libs:
        info["blas_library"] = path
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            lib.openblas_set_num_threads(ctypes.c_int(n))
            info["openblas_threads"] = int(lib.openblas_get_num_threads())
            info["openblas_core"] = lib.openblas_get_corename().decode()
            break
        except (OSError, AttributeError):
            continue  # not OpenBLAS (the reference BLAS has no openblas_* symbols)
    return info


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def mlp(sizes, act):
    """Linear, act, ..., Linear (no activation after the last); nn.Linear's default init."""
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(act())
    return nn.Sequential(*layers)


def matmul(n):
    a, b = torch.randn(n, n), torch.randn(n, n)
    return lambda: a @ b


def add(n, grad):
    a = torch.randn(n, requires_grad=grad)
    b = torch.randn(n, requires_grad=grad)
    return lambda: a + b


def reduce(kind):
    x = torch.randn(256, 4096)
    return {
        "sum": lambda: x.sum(-1),
        "amax": lambda: x.amax(-1),
        "softmax": lambda: torch.softmax(x, -1),
        "logsumexp": lambda: torch.logsumexp(x, -1),
    }[kind]


def mlp_step():
    net = mlp([17, 256, 256, 6], nn.Tanh)
    opt = torch.optim.Adam(net.parameters(), lr=3e-4)
    x, y = torch.randn(256, 17), torch.randn(256, 6)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.mse_loss(net(x), y)
        loss.backward()
        opt.step()
        return loss

    return step


def sac_step():
    obs_dim, act_dim, hidden, batch = 17, 6, 256, 256
    gamma, tau, lr, target_entropy = 0.99, 0.005, 3e-4, -6.0
    actor = mlp([obs_dim, hidden, hidden, 2 * act_dim], nn.ReLU)
    q1, q2 = (mlp([obs_dim + act_dim, hidden, hidden, 1], nn.ReLU) for _ in range(2))
    q1_t, q2_t = (mlp([obs_dim + act_dim, hidden, hidden, 1], nn.ReLU) for _ in range(2))
    q1_t.load_state_dict(q1.state_dict())
    q2_t.load_state_dict(q2.state_dict())
    online = list(q1.parameters()) + list(q2.parameters())
    targets = list(q1_t.parameters()) + list(q2_t.parameters())
    for p in targets:
        p.requires_grad_(False)
    log_alpha = torch.zeros(1, requires_grad=True)
    opt_actor = torch.optim.Adam(actor.parameters(), lr=lr)
    opt_critic = torch.optim.Adam(online, lr=lr)
    opt_alpha = torch.optim.Adam([log_alpha], lr=lr)
    obs, next_obs = torch.randn(batch, obs_dim), torch.randn(batch, obs_dim)
    act = torch.rand(batch, act_dim) * 2 - 1
    rew = torch.randn(batch, 1)
    done = (torch.rand(batch, 1) < 0.05).float()
    log_sqrt_2pi = 0.5 * math.log(2 * math.pi)

    def policy(o):
        loc, raw = actor(o).chunk(2, dim=-1)
        scale = F.softplus(raw) + 1e-4
        eps = torch.randn_like(loc)
        u = loc + scale * eps
        log_det = 2.0 * (math.log(2.0) - u - F.softplus(-2.0 * u))
        return torch.tanh(u), (-0.5 * eps.pow(2) - scale.log() - log_sqrt_2pi - log_det).sum(-1, keepdim=True)

    def step():
        alpha = log_alpha.exp().detach()
        with torch.no_grad():
            a2, logp2 = policy(next_obs)
            sa2 = torch.cat([next_obs, a2], -1)
            y = rew + gamma * (1.0 - done) * (torch.min(q1_t(sa2), q2_t(sa2)) - alpha * logp2)
        sa = torch.cat([obs, act], -1)
        loss_q = F.mse_loss(q1(sa), y) + F.mse_loss(q2(sa), y)
        opt_critic.zero_grad(set_to_none=True)
        loss_q.backward()
        opt_critic.step()
        a_pi, logp = policy(obs)
        sa_pi = torch.cat([obs, a_pi], -1)
        loss_pi = (alpha * logp - torch.min(q1(sa_pi), q2(sa_pi))).mean()
        opt_actor.zero_grad(set_to_none=True)
        loss_pi.backward()
        opt_actor.step()
        loss_alpha = -(log_alpha * (logp.detach() + target_entropy)).mean()
        opt_alpha.zero_grad(set_to_none=True)
        loss_alpha.backward()
        opt_alpha.step()
        with torch.no_grad():
            for t, p in zip(targets, online):
                t.lerp_(p, tau)
        return loss_q

    return step


def ppo_step():
    actor = mlp([8, 64, 64, 4], nn.Tanh)
    critic = mlp([8, 64, 64, 1], nn.Tanh)
    opt = torch.optim.Adam(list(actor.parameters()) + list(critic.parameters()), lr=3e-4)
    obs = torch.randn(64, 8)
    actions = torch.randint(0, 4, (64,))
    adv, returns = torch.randn(64), torch.randn(64)
    with torch.no_grad():
        old_logp = torch.log_softmax(actor(obs), -1).gather(-1, actions[:, None]).squeeze(-1)
        old_logp = old_logp + 0.1 * torch.randn(64)

    def step():
        logp_all = torch.log_softmax(actor(obs), -1)
        logp = logp_all.gather(-1, actions[:, None]).squeeze(-1)
        entropy = -(logp_all.exp() * logp_all).sum(-1).mean()
        ratio = (logp - old_logp).exp()
        surr = torch.min(ratio * adv, ratio.clamp(0.8, 1.2) * adv)
        value = critic(obs).squeeze(-1)
        loss = -surr.mean() + 0.5 * F.mse_loss(value, returns) - 0.01 * entropy
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss

    return step


WORKLOADS = (
    [(f"matmul_n{n}", lambda n=n: matmul(n)) for n in (64, 256, 512, 1024)]
    + [(f"add_n{n}", lambda n=n: add(n, False)) for n in (1, 64, 4096)]
    + [(f"add_grad_n{n}", lambda n=n: add(n, True)) for n in (1, 64, 4096)]
    + [(f"reduce_{k}", lambda k=k: reduce(k)) for k in ("sum", "amax", "softmax", "logsumexp")]
    + [("mlp_step", mlp_step), ("sac_step", sac_step), ("ppo_step", ppo_step)]
    + [("gae_T1e6", lambda: gae(1, 1_000_000)), ("gae_64x2048", lambda: gae(64, 2048))]
)


# GAE (README: gae_T1e6 and gae_64x2048): gamma 0.99, lambda 0.95, done probability 0.001, and
# the fastest torch 1.13 form, an exact blocked linear scan with no Python loop over T.
GAE_GAMMA, GAE_LMBDA, GAE_DONE_P, GAE_CHUNK = 0.99, 0.95, 0.001, 1024


def gae_data(batch, steps):
    """reward, value, next value ~ N(0, 1) float32 [batch, steps] in that order; done = uniform < p."""
    g = torch.Generator().manual_seed(SEED)
    reward = torch.randn(batch, steps, generator=g)
    value = torch.randn(batch, steps, generator=g)
    next_value = torch.randn(batch, steps, generator=g)
    done = torch.rand(batch, steps, generator=g) < GAE_DONE_P
    return reward, value, next_value, done


def gae_blocked(reward, value, next_value, done):
    """Exact GAE over the last dim of [B, T]: delta_t = r_t + gamma (1 - d_t) V'_t - V_t,
    A_t = delta_t + gamma lambda (1 - d_t) A_{t+1}. Chunks of L steps; inside a chunk, with
    g = gamma lambda and P_k = g^k, A_t = (S_t - R_t) / P_t where S is the reversed cumulative sum
    of P_j delta_j and R_t is S just after the first done at or after t (found through the count of
    dones ahead, C_t, as an index into a table); chunk-start values follow a recurrence over the
    T / L chunks, solved by a loop over chunks. Returns (advantage, advantage + value)."""
    B, T = reward.shape
    dtype = reward.dtype
    delta = (~done).to(dtype).mul_(next_value).mul_(GAE_GAMMA).add_(reward).sub_(value)
    dnf = done.to(dtype)
    L = min(GAE_CHUNK, T)
    nb = -(-T // L)
    pad = nb * L - T
    if pad:
        delta = F.pad(delta, (0, pad))
        dnf = F.pad(dnf, (0, pad), value=1.0)
    g64 = torch.tensor(GAE_GAMMA * GAE_LMBDA, dtype=torch.float64)
    k = torch.arange(L, dtype=torch.float64)
    P = g64.pow(k).to(dtype)
    tail = g64.pow(L - k).to(dtype)
    N = B * nb * L
    dflat = dnf.reshape(N)
    C = dflat.cumsum(0)
    D = int(C[-1].item())
    C.neg_().add_(dflat).add_(D)
    S = (delta.view(B * nb, L) * P).flip(-1).cumsum(-1).flip(-1)
    S_next = F.pad(S[:, 1:], (0, 1)).reshape(N)
    pos = dflat.nonzero().squeeze(-1)
    table = torch.cat([S_next.index_select(0, pos), torch.zeros(1, dtype=dtype)])
    R = table.index_select(0, C.neg().add_(D).long()).view(B * nb, L)
    Cc = C.view(B * nb, L)
    C_next = F.pad(Cc[:, 0], (0, 1))[1:].view(B * nb, 1)
    reach_end = Cc == C_next
    R.masked_fill_(reach_end, 0.0)
    A = S.sub_(R).div_(P).view(B, nb, L)
    if nb > 1:
        carry_f = torch.where(reach_end, tail, torch.zeros((), dtype=dtype)).view(B, nb, L)
        a0 = A[..., 0].double().numpy()
        f0 = carry_f[..., 0].double().numpy()
        X = np.zeros((B, nb + 1))
        if B == 1:
            a0l, f0l, x = a0[0].tolist(), f0[0].tolist(), 0.0
            out = [0.0] * (nb + 1)
            for c in range(nb - 1, -1, -1):
                x = a0l[c] + f0l[c] * x
                out[c] = x
            X[0] = out
        else:
            for c in range(nb - 1, -1, -1):
                X[:, c] = a0[:, c] + f0[:, c] * X[:, c + 1]
        A.addcmul_(carry_f, torch.from_numpy(X[:, 1:]).to(dtype).unsqueeze(-1))
    A = A.reshape(B, nb * L)[:, :T]
    return A, A + value


def gae(batch, steps):
    data = gae_data(batch, steps)
    return lambda: gae_blocked(*data)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--only", default="", help="comma-separated names or name prefixes")
    ap.add_argument("--json", metavar="FILE")
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args()
    only = [o for o in args.only.split(",") if o]
    chosen = [(n, b) for n, b in WORKLOADS if not only or any(n == o or n.startswith(o) for o in only)]
    if args.list:
        print("\n".join(n for n, _ in WORKLOADS))
        return 0
    blas = pin_threads(args.threads)
    meta = {"date_utc": datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M"), "torch": torch.__version__,
            "numpy": np.__version__, "python": platform.python_version(), "cpu": cpu_model(),
            "threads": args.threads, "torch_threads": torch.get_num_threads(), **blas}
    print(f"# date {meta['date_utc']} UTC, torch {meta['torch']}, numpy {meta['numpy']}, python {meta['python']}")
    print(f"# cpu {meta['cpu']}; torch threads {meta['torch_threads']}")
    print(f"# blas: library={blas['blas_library']} core={blas['openblas_core']} threads={blas['openblas_threads']}")
    print("name threads median_ms p10_ms p90_ms")
    sys.stdout.flush()
    results = []
    for name, build in chosen:
        torch.manual_seed(SEED)
        fn = build()
        med, p10, p90, n, inner = measure(fn)
        results.append(dict(name=name, threads=args.threads, median_ms=med, p10_ms=p10, p90_ms=p90,
                            samples=n, inner=inner))
        print(f"{name} {args.threads} {med:.4g} {p10:.4g} {p90:.4g}")
        sys.stdout.flush()
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"meta": meta, "results": results}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
