# Cross-check of rkflow's layer stacks against PyTorch: builds the nn.Sequential a spec means,
# loads rkflow's exported safetensors (parsed here: the format is 8 bytes of header length, a JSON
# header, then little-endian data), runs the batch (rkflow's NHWC rows, permuted to NCHW), and
# writes the logits, the mean cross-entropy and every parameter's gradient as raw float32.
# usage: torch_check.py SPEC_JSON WEIGHTS INPUTS LABELS OUT_DIR
import json, struct, sys
import torch
import torch.nn as nn

spec = json.load(open(sys.argv[1]))
raw = open(sys.argv[2], "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
header = json.loads(raw[8:8 + n])
data = raw[8 + n:]

layers = []
h, w, c = spec["input"]
for l in spec["layers"]:
    k = l["kind"]
    if k == "conv":
        layers.append(nn.Conv2d(c, l["filters"], l["size"], stride=l["stride"], padding=l["pad"]))
        c = l["filters"]
    elif k == "dense":
        layers.append(nn.Linear(l["in"], l["units"]))
    elif k in ("relu", "tanh", "gelu"):
        layers.append({"relu": nn.ReLU(), "tanh": nn.Tanh(), "gelu": nn.GELU(approximate="tanh")}[k])
    elif k in ("maxpool", "avgpool"):
        cls = nn.MaxPool2d if k == "maxpool" else nn.AvgPool2d
        layers.append(cls(l["size"], stride=l["stride"], padding=l["pad"]))
    elif k == "flatten":
        layers.append(nn.Flatten())
    elif k == "dropout":
        layers.append(nn.Identity())  # compared in evaluation mode
model = nn.Sequential(*layers)

p = 0
for layer in model:
    if isinstance(layer, (nn.Conv2d, nn.Linear)):
        for kind in ("weight", "bias"):
            e = header["layers.%d.%s" % (p, kind)]
            a, b = e["data_offsets"]
            t = torch.frombuffer(bytearray(data[a:b]), dtype=torch.float32).reshape(e["shape"])
            getattr(layer, kind).data.copy_(t)
        p += 1

rows = spec["batch"]
x = torch.frombuffer(bytearray(open(sys.argv[3], "rb").read()), dtype=torch.float32)
if spec["image"]:
    x = x.reshape(rows, h, w, spec["input"][2]).permute(0, 3, 1, 2).contiguous()
else:
    x = x.reshape(rows, -1)
y = torch.frombuffer(bytearray(open(sys.argv[4], "rb").read()), dtype=torch.int32).long()
model = model.double()
logits = model(x.double())
loss = nn.functional.cross_entropy(logits, y)
loss.backward()
out = sys.argv[5]
logits.detach().float().numpy().tofile(out + "/logits.f32")
torch.tensor([loss.item()], dtype=torch.float32).numpy().tofile(out + "/loss.f32")
p = 0
for layer in model:
    if isinstance(layer, (nn.Conv2d, nn.Linear)):
        for kind in ("weight", "bias"):
            getattr(layer, kind).grad.float().numpy().tofile(out + "/layers.%d.%s.f32" % (p, kind))
        p += 1
