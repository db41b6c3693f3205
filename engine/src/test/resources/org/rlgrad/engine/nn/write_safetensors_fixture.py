"""Writes torch_fixture.safetensors and torch_fixture.json for rlgrad's nn tests.

How to run (from this directory; Debian's python3-torch, no `safetensors` package needed):

    /usr/bin/python3 write_safetensors_fixture.py

The `safetensors` package is not installed here, so the file is written by hand following the
published layout rules (https://github.com/huggingface/safetensors, "Format"): an 8-byte
little-endian header length N, N bytes of UTF-8 JSON {name: {dtype, shape, data_offsets}} with an
optional "__metadata__" of strings, the header padded with spaces to a multiple of 8; then the
tensors' little-endian bytes, ordered as the reference writer orders them (wider dtype first, then
by name), offsets relative to the start of the data.

Contents:
  * "dtypes.*": one tensor per dtype (F32, F64, I64, BOOL), a 0-d scalar and an empty tensor; their
    values are repeated in torch_fixture.json ("values"), as computed by torch, so the test checks
    that rlgrad reads exactly those numbers.
  * "<layer>.*": the state dict of a torch layer (float64) under the layer's prefix, plus
    "<layer>.input" (and other inputs) and "<layer>.output" (and other outputs) computed by torch,
    for the layer tests: load the state dict strictly into the rlgrad layer, run it, compare.
"""
import json
import math
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(20260611)
tensors = {}


def put(prefix, module):
    for k, v in module.state_dict().items():
        tensors[f"{prefix}.{k}"] = v.detach().clone()


# --- one tensor per dtype, a scalar, an empty tensor
tensors["dtypes.f32"] = torch.tensor([[1.5, -2.25, 3.0e-8], [float("inf"), -0.0, 1.0 / 3.0]], dtype=torch.float32)
tensors["dtypes.f64"] = torch.tensor([math.pi, -1e300, 5e-324], dtype=torch.float64)
tensors["dtypes.i64"] = torch.tensor([[2**62 + 7, -(2**63)], [0, -1]], dtype=torch.int64)
tensors["dtypes.bool"] = torch.tensor([True, False, False, True], dtype=torch.bool)
tensors["dtypes.scalar"] = torch.tensor(0.1, dtype=torch.float32)
tensors["dtypes.empty"] = torch.zeros(0, 3, dtype=torch.float32)
values = {k: {"dtype": str(v.dtype), "shape": list(v.shape), "values": v.flatten().tolist()} for k, v in tensors.items()}
values["dtypes.f32"]["values"] = [str(x) for x in values["dtypes.f32"]["values"]]  # JSON has no inf

torch.set_default_dtype(torch.float64)

# --- Linear
lin = nn.Linear(3, 2)
x = torch.randn(4, 3)
put("linear", lin)
tensors["linear.input"] = x
tensors["linear.output"] = lin(x).detach()

# --- TorchRL-style MLP: Linear, Tanh, Linear, Tanh, Linear (keys 0, 2, 4)
mlp = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 4), nn.Tanh(), nn.Linear(4, 2))
x = torch.randn(3, 3)
put("mlp", mlp)
tensors["mlp.input"] = x
tensors["mlp.output"] = mlp(x).detach()

# --- LayerNorm with a non-trivial affine
ln = nn.LayerNorm(5)
with torch.no_grad():
    ln.weight.copy_(torch.randn(5))
    ln.bias.copy_(torch.randn(5))
x = torch.randn(2, 3, 5) * 3 + 1
put("layernorm", ln)
tensors["layernorm.input"] = x
tensors["layernorm.output"] = ln(x).detach()

# --- BatchNorm1d: a training step (updates running stats), then eval
bn = nn.BatchNorm1d(3)
with torch.no_grad():
    bn.weight.copy_(torch.randn(3))
    bn.bias.copy_(torch.randn(3))
    bn.running_mean.copy_(torch.randn(3))
    bn.running_var.copy_(torch.rand(3) + 0.5)
put("batchnorm", bn)
x = torch.randn(5, 3) * 2 + 0.5
bn.train()
tensors["batchnorm.input"] = x
tensors["batchnorm.output_train"] = bn(x).detach()
tensors["batchnorm.after.running_mean"] = bn.running_mean.clone()
tensors["batchnorm.after.running_var"] = bn.running_var.clone()
tensors["batchnorm.after.num_batches_tracked"] = bn.num_batches_tracked.clone()
bn.eval()
x2 = torch.randn(4, 3, 2)
tensors["batchnorm.input_eval"] = x2
tensors["batchnorm.output_eval"] = bn(x2).detach()

# --- Embedding
emb = nn.Embedding(6, 3)
idx = torch.tensor([[0, 5], [2, 2]], dtype=torch.int64)
put("embedding", emb)
tensors["embedding.input"] = idx
tensors["embedding.output"] = emb(idx).detach()

# --- GRUCell
gru = nn.GRUCell(3, 4)
x = torch.randn(2, 3)
h = torch.randn(2, 4)
put("gru", gru)
tensors["gru.input"] = x
tensors["gru.hidden"] = h
tensors["gru.output"] = gru(x, h).detach()

# --- GELU, both forms
x = torch.linspace(-4, 4, 17)
tensors["gelu.input"] = x
tensors["gelu.output_erf"] = F.gelu(x)
tensors["gelu.output_tanh"] = F.gelu(x, approximate="tanh")


# --- a pre-LayerNorm GPT-2 block (HuggingFace GPT2Block's equations), with rlgrad's parameter names
class Attn(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)

    def forward(self, x):
        *b, t, d = x.shape
        q, k, v = self.qkv(x).split(d, dim=-1)
        hd = d // self.heads
        q, k, v = (z.view(*b, t, self.heads, hd).transpose(-3, -2) for z in (q, k, v))
        att = q @ k.transpose(-2, -1) / math.sqrt(hd)
        mask = torch.ones(t, t, dtype=torch.bool).triu(1)
        att = att.masked_fill(mask, float("-inf")).softmax(-1)
        y = (att @ v).transpose(-3, -2).reshape(*b, t, d)
        return self.proj(y)


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.ln_1 = nn.LayerNorm(d)
        self.attn = Attn(d, heads)
        self.ln_2 = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(approximate="tanh"), nn.Linear(4 * d, d))

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


block = Block(6, 2)
with torch.no_grad():
    for name, p in block.named_parameters():
        if name.startswith("ln"):
            p.copy_(torch.randn_like(p) * 0.3 + (1.0 if name.endswith("weight") else 0.0))
x = torch.randn(2, 4, 6)
put("block", block)
tensors["block.input"] = x
tensors["block.output"] = block(x).detach()

# --- write the file by the layout rules
order = {torch.bool: 0, torch.float32: 11, torch.float64: 12, torch.int64: 13}  # the reference's dtype order
names = {torch.bool: ("BOOL", 1), torch.float32: ("F32", 4), torch.float64: ("F64", 8), torch.int64: ("I64", 8)}
items = sorted(tensors.items(), key=lambda kv: (-order[kv[1].dtype], kv[0].encode()))
header = {"__metadata__": {"format": "pt", "written_by": "write_safetensors_fixture.py"}}
blobs = []
offset = 0
for name, t in items:
    t = t.contiguous()
    code, size = names[t.dtype]
    if t.dtype == torch.bool:
        raw = bytes(int(v) for v in t.flatten().tolist())
    else:
        fmt = {"F32": "f", "F64": "d", "I64": "q"}[code]
        raw = struct.pack("<%d%s" % (t.numel(), fmt), *t.flatten().tolist())
    assert len(raw) == t.numel() * size
    header[name] = {"dtype": code, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
    offset += len(raw)
    blobs.append(raw)
js = json.dumps(header, separators=(",", ":")).encode("utf-8")
js += b" " * ((8 - len(js) % 8) % 8)
with open("torch_fixture.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(js)))
    f.write(js)
    for raw in blobs:
        f.write(raw)
with open("torch_fixture.json", "w") as f:
    json.dump({"torch_version": torch.__version__, "tensors": values}, f, indent=1)
print("wrote", len(tensors), "tensors,", offset, "bytes of data")
