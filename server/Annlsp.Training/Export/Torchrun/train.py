#!/usr/bin/env python3
"""Trains this package's target with PyTorch DistributedDataParallel, the recipe of `annlsp train`.

    torchrun --standalone --nproc_per_node=N train.py [--epochs E] [--out RUNS] [--resume RUN] [--data DIR]

Every torchrun flag works unchanged (--nnodes, --node_rank, --rdzv_backend, --rdzv_endpoint …); plain
`python3 train.py` trains in one process. gloo on CPUs, NCCL on GPUs (one process per GPU). The batch
size of the .ann is the global batch: each of the N processes takes batch/N examples of every step,
so the steps, the learning rates and the examples of each step are the same for any N. Rank 0 writes
the annlsp run folder. See README.md.
"""
import argparse
import datetime
import json
import math
import os
import signal
import sys
import time

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data.distributed import DistributedSampler

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import annlsp_data  # noqa: E402
import annlsp_run  # noqa: E402
from annlsp_run import RunFolder, TrainingError  # noqa: E402

with open(os.path.join(HERE, "annlsp_target.json"), encoding="utf-8") as _f:
    TARGET = json.load(_f)


def parse_args(argv):
    p = argparse.ArgumentParser(description=f"Train {TARGET['target']} ({TARGET['kind']}) with DDP; run it under torchrun.")
    p.add_argument("--epochs", type=int, help=f"epochs in all (default {TARGET['epochs']}; with --resume, the total to reach)")
    p.add_argument("--out", help="root folder of runs: RUNS/<target>/<stamp>/ (default: runs/ in this package)")
    p.add_argument("--resume", metavar="RUN", help="a run folder (or its checkpoint.safetensors) to continue, with any number of processes")
    p.add_argument("--data", metavar="DIR", help="the data folder (replaces the one the .ann names)")
    p.add_argument("--limit", type=int, help="at most this many training examples (and evaluation examples), for quick runs")
    p.add_argument("--device", default=None, help=f"auto, cpu or cuda (default: the .ann's, {TARGET['device']})")
    p.add_argument("--progress-every", type=int, default=0, help="a step event every this many steps (default: about 20 per epoch)")
    p.add_argument("--timeout", type=float, default=300, help="seconds to wait for the other processes (rendezvous and collectives; default 300)")
    return p.parse_args(argv)


# ---- the process group ----

class Dist:
    """This process's place in the job. Without torchrun's environment: one process, no process group."""

    def __init__(self, device_choice, timeout):
        self.world = int(os.environ.get("WORLD_SIZE", "1"))
        self.rank = int(os.environ.get("RANK", "0"))
        self.local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        choice = device_choice or TARGET["device"]
        if choice == "auto":
            choice = "cuda" if torch.cuda.is_available() else "cpu"
        if choice.startswith("cuda"):
            if not torch.cuda.is_available():
                raise TrainingError("cuda was asked for but this PyTorch sees no CUDA device (torch.cuda.is_available() is False); use --device cpu")
            if self.local_rank >= torch.cuda.device_count():
                raise TrainingError(f"local rank {self.local_rank} has no GPU: this node has {torch.cuda.device_count()}; start at most that many processes per node (--nproc_per_node)")
            torch.cuda.set_device(self.local_rank)
            self.device = torch.device("cuda", self.local_rank)
            self.backend = "nccl"
        else:
            self.device = torch.device("cpu")
            self.backend = "gloo"
        self.enabled = "WORLD_SIZE" in os.environ and self.world >= 1 and "MASTER_ADDR" in os.environ
        if self.enabled:
            where = f"{os.environ.get('MASTER_ADDR')}:{os.environ.get('MASTER_PORT')}"
            try:
                dist.init_process_group(self.backend, timeout=datetime.timedelta(seconds=timeout))
            except (RuntimeError, OSError, ValueError) as e:  # TimeoutError is an OSError
                raise TrainingError(f"could not join the other {self.world - 1} processes at {where} within {timeout:g} s "
                                    f"({str(e).splitlines()[0]}); check --rdzv_endpoint/--master_addr, the port and the firewall") from None

    def all_sum(self, t):
        if self.enabled and self.world > 1:
            dist.all_reduce(t)
        return t

    def broadcast(self, t, src=0):
        if self.enabled and self.world > 1:
            dist.broadcast(t, src)
        return t

    def barrier(self):
        if self.enabled and self.world > 1:
            dist.barrier()

    def wrap(self, module):
        if not self.enabled:
            return module
        return DistributedDataParallel(module, device_ids=[self.local_rank] if self.device.type == "cuda" else None)

    def close(self):
        if self.enabled and dist.is_initialized():
            dist.destroy_process_group()


# ---- the recipe (Training/LearningRateSchedule.cs, Trainer.cs) ----

WARMUP_FRACTION, WARMUP_DIVISOR = 0.3, 25


def learning_rate(schedule, peak, step, total):
    if total <= 1:
        return peak
    t = min(max(step, 0), total - 1)
    if schedule == "cosine":
        return peak * 0.5 * (1 + math.cos(math.pi * t / total))
    if schedule == "onecycle":
        warm = max(1, math.floor(WARMUP_FRACTION * total))
        if t < warm:
            return peak / WARMUP_DIVISOR + (peak - peak / WARMUP_DIVISOR) * t / warm
        return peak * 0.5 * (1 + math.cos(math.pi * (t - warm) / (total - warm)))
    return peak


def make_optimizer(params):
    o = TARGET["optimizer"]
    if o["name"] == "adam":
        return torch.optim.Adam(params, lr=o["lr"], betas=(o["beta1"], o["beta2"]), weight_decay=o["weight_decay"], eps=1e-8)
    if o["name"] == "sgd":
        return torch.optim.SGD(params, lr=o["lr"], momentum=o["momentum"], nesterov=o["nesterov"], weight_decay=o["weight_decay"])
    raise TrainingError(f"unknown optimizer '{o['name']}' (expected adam or sgd)")


def optimizer_state(opt, params, prefix):
    """The flat optimizer state of a checkpoint (FlatOptimizer.cs): one vector per buffer over all parameters, in order."""
    names = ["exp_avg", "exp_avg_sq"] if isinstance(opt, torch.optim.Adam) else ["momentum_buffer"]
    out, step = {}, 0
    for name in names:
        parts = []
        for p in params:
            s = opt.state.get(p, {})
            v = s.get(name)
            parts.append((v if v is not None else torch.zeros_like(p)).detach().reshape(-1).float().cpu())
            if "step" in s:
                step = int(s["step"])
        out[prefix + name] = torch.cat(parts)
    out[prefix + "step"] = torch.tensor(step if isinstance(opt, torch.optim.Adam) else getattr(opt, "_annlsp_steps", 0), dtype=torch.int64)
    return out


def load_optimizer_state(opt, params, state, prefix):
    step = int(state[prefix + "step"].item()) if prefix + "step" in state else 0
    names = ["exp_avg", "exp_avg_sq"] if isinstance(opt, torch.optim.Adam) else ["momentum_buffer"]
    for name in names:
        flat = state.get(prefix + name)
        if flat is None or step == 0:
            continue
        total = sum(p.numel() for p in params)
        if flat.numel() != total:
            raise TrainingError(f"the checkpoint's optimizer state holds {flat.numel()} values, the network has {total} parameters — was the network changed since the run?")
        offset = 0
        for p in params:
            n = p.numel()
            s = opt.state[p]
            s[name] = flat[offset:offset + n].view_as(p).to(p.device, p.dtype).clone()
            if isinstance(opt, torch.optim.Adam):
                s["step"] = torch.tensor(float(step))
            offset += n
    opt._annlsp_steps = step


def load_model_state(model, state, prefix):
    own = model.state_dict()
    with torch.no_grad():
        for key, value in own.items():
            saved = state.get(prefix + key)
            if saved is None:
                raise TrainingError(f"the checkpoint has no '{key}' — was the network changed since the run?")
            if tuple(saved.shape) != tuple(value.shape):
                raise TrainingError(f"the checkpoint's '{key}' is {'×'.join(map(str, saved.shape))} but the network's is {'×'.join(map(str, value.shape))} — was the network changed since the run?")
            value.copy_(saved.to(value.dtype))


def build(role):
    net = TARGET["networks"][role]
    sys.path.insert(0, HERE)
    module = __import__(net["module"])
    return getattr(module, net["class"])()


def dcgan_init(module):
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
                nn.init.normal_(m.weight, 0, 0.02)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, (nn.BatchNorm2d, nn.BatchNorm1d)):
                nn.init.normal_(m.weight, 1, 0.02)
                nn.init.zeros_(m.bias)


def symmetric(bytes_):
    """Pixels 0–255 -> [-1, 1], the data range of the generative kinds (TensorDataSet.Normalise)."""
    return bytes_.float().div_(127.5).sub_(1.0)


class Logits(nn.Module):
    """The network up to its logits (a trailing softmax/sigmoid is left out: the loss is on logits). Its `net` is the exported module."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net.logits(x) if hasattr(self.net, "logits") else self.net(x)


def adversarial_pair(job, dev):
    """The gan and pix2pix kinds' generator and discriminator as the product's AdversarialPair builds them: DCGAN's
    initialisation, each wrapped for DDP (the discriminator's logits), an optimizer each over its trainable parameters."""
    g_net, d_net = build("generator").to(dev), build("discriminator").to(dev)
    dcgan_init(g_net)
    dcgan_init(d_net)
    g, d = job.dist.wrap(g_net), job.dist.wrap(Logits(d_net))
    g_params = [p for p in g_net.parameters() if p.requires_grad]
    d_params = [p for p in d_net.parameters() if p.requires_grad]
    return g_net, d_net, g, d, g_params, d_params, make_optimizer(g_params), make_optimizer(d_params)


def load_adversarial_pair(state, g_net, d_net, g_opt, d_opt, g_params, d_params):
    """A checkpoint's generator.*, discriminator.*, optim_g.* and optim_d.* entries (the keys the product writes)."""
    load_model_state(g_net, state, "generator.")
    load_model_state(d_net, state, "discriminator.")
    load_optimizer_state(g_opt, g_params, state, "optim_g.")
    load_optimizer_state(d_opt, d_params, state, "optim_d.")


class Standardisation:
    """x' = (x / 255 - mean) / std per channel, with the training split's statistics (InputStandardisation.cs)."""

    def __init__(self, mean, std, device):
        self.mean = [float(m) for m in mean]
        self.std = [s if s > 1e-6 else 1.0 for s in (float(s) for s in std)]
        self.scale = torch.tensor([1.0 / (255.0 * s) for s in self.std], device=device).view(1, -1, 1, 1)
        self.shift = torch.tensor([-m / s for m, s in zip(self.mean, self.std)], device=device).view(1, -1, 1, 1)

    @staticmethod
    def from_data(images):
        count = max(1, images.shape[0] * images.shape[2] * images.shape[3])
        s, q = torch.zeros(images.shape[1], dtype=torch.float64), torch.zeros(images.shape[1], dtype=torch.float64)
        for start in range(0, images.shape[0], 2048):  # float64 chunk by chunk, no full-size float copy
            chunk = images[start:start + 2048].to(torch.float64)
            s += chunk.sum((0, 2, 3))
            q += (chunk * chunk).sum((0, 2, 3))
        m = s / count
        return [float(v) / 255 for v in m], [math.sqrt(max(0.0, float(qq) / count - float(mm) ** 2)) / 255 for qq, mm in zip(q, m)]

    def apply(self, bytes_):
        return bytes_.float().mul_(self.scale).add_(self.shift)

    def to_json(self):
        return {"kind": "standardised: (x / 255 - mean) / std", "mean": self.mean, "std": self.std}


class Augmentation:
    """random_flip and random_shift, as the product's BatchAugmentation: per training image a left-right mirror with
    probability 1/2, then a move by up to `shift` pixels down or up and right or left (the border black), on the raw
    images before normalisation; drawn from a CPU generator seeded with the seed, the global step and the rank."""

    def __init__(self, job):
        self.flip, self.shift = bool(TARGET.get("random_flip")), int(TARGET.get("random_shift") or 0)
        self.seed, self.rank = job.seed, job.dist.rank

    def __call__(self, global_step, *images):
        if not self.flip and self.shift == 0:
            return images
        b = images[0].shape[0]
        g = torch.Generator().manual_seed(self.seed * 1_000_003 + 0xA56 + global_step + 104729 * self.rank)
        flips = torch.rand(b, generator=g) < 0.5 if self.flip else None
        moves = torch.randint(-self.shift, self.shift + 1, (b, 2), generator=g) if self.shift else None
        return tuple(augment_images(x, flips, moves) for x in images)


def augment_images(x, flips, moves):
    """Image i of x [B, C, H, W] mirrored where flips[i], then moved down by moves[i, 0] and right by moves[i, 1]."""
    b, c, h, w = x.shape
    if flips is not None and bool(flips.any()):
        x = torch.where(flips.to(x.device).view(b, 1, 1, 1), x.flip(3), x)
    s = 0 if moves is None else int(moves.abs().max())
    if s == 0:
        return x
    # out[i, j] = padded[i + s - dy, j + s - dx]: two gathers, rows then columns
    padded = F.pad(x, (s, s, s, s))
    rows = (s - moves[:, 0]).to(x.device).view(b, 1) + torch.arange(h, device=x.device).view(1, h)
    cols = (s - moves[:, 1]).to(x.device).view(b, 1) + torch.arange(w, device=x.device).view(1, w)
    padded = padded.gather(2, rows.view(b, 1, h, 1).expand(b, c, h, w + 2 * s))
    return padded.gather(3, cols.view(b, 1, 1, w).expand(b, c, h, w))


def take(split, index):
    """The examples of a data set at index (a slice or a tensor of indices): images, labels and a paired set's inputs."""
    return dict(split, **{k: split[k][index] for k in ("images", "labels", "inputs") if k in split})


# ---- one training job ----

class Job:
    def __init__(self, args):
        self.args = args
        self.stop_requested = False
        self.dist = Dist(args.device, args.timeout)
        self.device = self.dist.device
        self.rank0 = self.dist.rank == 0
        self.epochs = args.epochs or TARGET["epochs"]
        if TARGET["batch"] % self.dist.world:
            raise TrainingError(f"the global batch {TARGET['batch']} does not split evenly into {self.dist.world} processes; "
                                f"start a number of processes that divides it (--nproc_per_node × --nnodes)")
        self.local_batch = TARGET["batch"] // self.dist.world
        self.run = None
        self.resume_state, self.resume_meta = None, None

    # events: rank 0 prints each as a JSON line (annlsp train --progress json) and keeps steps and epochs in metrics.jsonl
    def emit(self, event, /, **fields):
        if not self.rank0:
            return
        line = annlsp_run.event_json(event, fields)
        if event in ("step", "epoch") and self.run is not None:
            self.run.append_metrics(line)
        print(line, flush=True)

    def open_run(self):
        """Rank 0 creates (or reopens) the run folder; every rank learns the seed and reads the checkpoint."""
        if self.args.resume:
            path = self.args.resume
            folder = os.path.dirname(path) if os.path.isfile(path) else path
            if not os.path.isdir(folder):
                raise TrainingError(f"run folder {folder} does not exist")
            ckpt = path if os.path.isfile(path) else os.path.join(folder, annlsp_run.CHECKPOINT_FILE)
            self.resume_state, self.resume_meta = annlsp_run.load_checkpoint(ckpt)
            if self.resume_meta["target"] != TARGET["target"]:
                raise TrainingError(f"{folder} is a run of '{self.resume_meta['target']}', not of '{TARGET['target']}'")
            self.seed = int(self.resume_meta["seed"])
            self.run = RunFolder.open(folder)
            if self.rank0:
                self.run.remove_temporary_files()
            return
        seed = TARGET["seed"] if TARGET["seed"] is not None else int.from_bytes(os.urandom(4), "little") % (2 ** 31 - 2) + 1
        self.seed = int(self.dist.broadcast(torch.tensor([seed], dtype=torch.int64))[0])
        if self.rank0:
            self.run = RunFolder.create(self.args.out or os.path.join(HERE, "runs"), TARGET["target"])
            with open(os.path.join(HERE, "source.ann"), encoding="utf-8") as f:
                self.run.write_source(f.read())

    def run_json(self, kind, train, evaluation, evaluation_name, networks, normalisation, loss=None):
        o = TARGET["optimizer"]
        return {
            "target": TARGET["target"], "kind": kind, "source": TARGET.get("source"), "sourceSha256": TARGET["sourceSha256"],
            "warnings": [], "started": datetime.datetime.now().astimezone().isoformat(),
            "device": str(self.device) if self.device.type == "cpu" else "cuda",
            "libtorch": f"PyTorch {torch.__version__} ({sys.executable}), torchrun {self.dist.world} process{'es' if self.dist.world > 1 else ''}, {self.dist.backend}",
            "libtorchDir": os.path.dirname(torch.__file__), "seed": self.seed, "epochs": self.epochs, "batch": TARGET["batch"], "limit": self.args.limit,
            "optimizer": {k: o[k] for k in ("name", "lr", "beta1", "beta2", "weight_decay", "momentum", "nesterov")},
            "schedule": TARGET["schedule"], "loss": loss or ("bce_with_logits" if kind == "gan" else "cross_entropy (on logits)"),
            "label_smoothing": TARGET["label_smoothing"] if kind == "classifier" else None,
            "random_flip": TARGET["random_flip"], "random_shift": TARGET["random_shift"],
            "data": {"name": TARGET["data"]["name"], "directory": self.args.data or TARGET["data"].get("directory"), "description": train["description"],
                     "train": len(train["labels"]), "evaluation": None if evaluation is None else len(evaluation["labels"]), "evaluationSet": evaluation_name,
                     "classes": train["classes"], "normalisation": normalisation},
            "preview": f"{TARGET['preview'][0]}x{TARGET['preview'][1]}", "checkpointEvery": TARGET["checkpoint_every"], "networks": networks,
            "distributed": {"processes": self.dist.world, "backend": self.dist.backend, "perProcessBatch": self.local_batch,
                            "nodes": int(os.environ.get("GROUP_WORLD_SIZE", os.environ.get("NNODES", "1")) or 1)},
            "versions": {"annlsp": TARGET["annlspVersion"], "pytorch": torch.__version__, "python": sys.version.split()[0]},
        }

    def network_json(self, role, model):
        n = TARGET["networks"][role]
        return {"name": n["class"], "input": n["input"], "output": n["output"], "parameters": sum(p.numel() for p in model.parameters()),
                "trailingActivation": n.get("trailingActivation")}

    def load_data(self, need_evaluation):
        train, test = annlsp_data.load(TARGET["data"], self.args.data)
        shape = TARGET["data"].get("shape")
        if shape and list(train["images"].shape[1:]) != list(shape):
            raise TrainingError(f"{TARGET['data']['name']} gives images of {'×'.join(map(str, train['images'].shape[1:]))}, but the network expects {'×'.join(map(str, shape))}")
        inputs = TARGET["data"].get("input")
        if inputs and "inputs" in train and list(train["inputs"].shape[1:]) != list(inputs):
            raise TrainingError(f"{TARGET['data']['name']} gives inputs of {'×'.join(map(str, train['inputs'].shape[1:]))}, but the generator expects {'×'.join(map(str, inputs))}")
        limit = self.args.limit
        if limit and 0 < limit < len(train["labels"]):
            train = take(train, slice(0, limit))
        if not need_evaluation:
            return train, None, "none"
        fraction = TARGET.get("validate_fraction")
        if fraction or test is None:
            g = torch.Generator().manual_seed(self.seed)
            perm = torch.randperm(len(train["labels"]), generator=g)
            held = max(1, round(len(perm) * (fraction or 0.1)))
            cut = len(perm) - held
            return take(train, perm[:cut]), dict(take(train, perm[cut:]), description=train["description"] + " (held out)"), "validation"
        if limit and 0 < limit < len(test["labels"]):
            test = take(test, slice(0, max(limit, 500)))
        return train, test, "test"

    def batches(self, n, epoch, first_step):
        """The steps of an epoch: this rank's part of each global batch. DistributedSampler deals out one seeded permutation
        (that of Trainer.Permutation: seed · 1000003 + epoch) rank by rank, so the union of the ranks' batch k is the
        permutation's k-th slice of the global batch size whatever the number of processes."""
        sampler = DistributedSampler(range(n), num_replicas=self.dist.world, rank=self.dist.rank, shuffle=True, seed=self.seed * 1_000_003, drop_last=False)
        sampler.set_epoch(epoch)
        indices = torch.tensor(list(iter(sampler)), dtype=torch.int64)
        steps = self.steps_per_epoch(n)
        for step in range(first_step, steps):
            yield step, indices[step * self.local_batch:(step + 1) * self.local_batch]

    def steps_per_epoch(self, n):
        per_rank = math.ceil(n / self.dist.world)
        return max(1, math.ceil(per_rank / self.local_batch))

    def progress_every(self, steps):
        return self.args.progress_every if self.args.progress_every > 0 else max(1, steps // 20)

    def stop_agreed(self):
        """A SIGTERM (a preempted pod, scancel) on any rank stops every rank at the same step."""
        flag = self.dist.all_sum(torch.tensor([1.0 if self.stop_requested else 0.0], device=self.device))
        return bool(flag.item() > 0)

    def sync_buffers(self, *modules):
        """Batch-norm running statistics are each process's own; rank 0's are evaluated and saved (as DDP feeds them to every forward)."""
        for m in modules:
            for b in m.buffers():
                self.dist.broadcast(b.data)

    def check_replicas(self, *modules):
        """Every rank must hold the same parameters at the end (DDP's contract); a difference is an error, and ANNLSP_REPLICA_DIR keeps each rank's copy."""
        for m in modules:
            flat = torch.cat([p.detach().reshape(-1).double() for p in m.parameters()])
            hi, lo = flat.clone(), flat.clone()
            if self.dist.enabled and self.dist.world > 1:
                dist.all_reduce(hi, op=dist.ReduceOp.MAX)
                dist.all_reduce(lo, op=dist.ReduceOp.MIN)
            if not torch.equal(hi, lo):
                raise TrainingError(f"the processes ended with different parameters (largest difference {float((hi - lo).max()):g}); the run is not trustworthy")
        folder = os.environ.get("ANNLSP_REPLICA_DIR")
        if folder:
            os.makedirs(folder, exist_ok=True)
            torch.save([{k: v.detach().cpu() for k, v in m.named_parameters()} for m in modules], os.path.join(folder, f"rank-{self.dist.rank}.pt"))

    def save_model(self, module, name=annlsp_run.MODEL_FILE):
        """model.pt as the exported module's state dict (annlsp sample / export --run read it)."""
        path = os.path.join(self.run.path, name)
        temp = path + ".tmp"
        torch.save({k: v.detach().cpu().clone() for k, v in module.state_dict().items()}, temp)
        os.replace(temp, path)

    def checkpoint_meta(self, epoch, step_in_epoch, global_step, input_json):
        return {"target": TARGET["target"], "kind": TARGET["kind"], "seed": self.seed, "epoch": epoch, "stepInEpoch": step_in_epoch,
                "globalStep": global_step, "written": datetime.datetime.now().astimezone().isoformat(), "input": input_json,
                "processes": self.dist.world}

    def started(self, kind, steps, n, evaluation, global_step):
        self.emit("started", target=TARGET["target"], kind=kind, device=str(self.device) if self.device.type == "cpu" else "cuda",
                  libtorch=f"PyTorch {torch.__version__} (torchrun, {self.dist.world} × {self.dist.backend})", libtorchDir=os.path.dirname(torch.__file__),
                  runDir=self.run.path if self.run else None, epochs=self.epochs, stepsPerEpoch=steps, train=n, evaluation=evaluation,
                  resumedFrom=global_step if self.resume_meta else None, seed=self.seed, warnings=[])

    def position(self):
        m = self.resume_meta
        return (int(m["epoch"]), int(m["stepInEpoch"]), int(m["globalStep"])) if m else (0, 0, 0)

    def already_finished(self, keys):
        epoch, _, global_step = self.position()
        last = next((o for o in reversed(self.run.read_metrics()) if o.get("event") == "epoch"), {}) if self.rank0 else {}
        message = f"{self.run.path} has already finished: it trained {epoch} epochs and {self.epochs} are asked for; nothing to do (pass --epochs N with N > {epoch} to train further)"
        self.emit("finished", status="finished", alreadyFinished=True, runDir=self.run.path, epoch=epoch, globalStep=global_step,
                  **{k: last.get(k) for k in keys}, message=message, model=os.path.join(self.run.path, annlsp_run.MODEL_FILE))

    def nan_failure(self, epoch, step, value):
        raise TrainingError(f"the loss became {'NaN' if math.isnan(value) else 'infinite'} at epoch {epoch + 1}, step {step + 1} — the learning rate ({TARGET['optimizer']['lr']}) is probably too high")


# ---- the kinds: one class each (Training/ClassifierTarget.cs, GanTarget.cs, Pix2PixTarget.cs, DiffusionTarget.cs) ----

class ClassifierKind:
    keys = ("loss", "accuracy")

    def __init__(self, job):
        self.job = job

    def run(self):
        job, dev = self.job, self.job.device
        train, evaluation, evaluation_name = job.load_data(need_evaluation=True)
        torch.manual_seed(job.seed)
        net = build("network").to(dev)
        model = job.dist.wrap(Logits(net))
        params = [p for p in net.parameters() if p.requires_grad]
        opt = make_optimizer(params)
        saved = job.resume_meta.get("input") if job.resume_meta else None
        if saved and saved.get("mean"):
            stand = Standardisation(saved["mean"], saved["std"], dev)
        elif job.resume_meta:
            c = train["images"].shape[1]
            stand = Standardisation([0.0] * c, [1.0] * c, dev)
        else:
            stand = Standardisation(*Standardisation.from_data(train["images"]), dev)
        input_json = stand.to_json()
        start_epoch, start_step, global_step = job.position()
        if job.resume_meta:
            load_model_state(net, job.resume_state, "model.")
            load_optimizer_state(opt, params, job.resume_state, "optim.")
            if start_epoch >= job.epochs:
                return job.already_finished(self.keys)
            if job.rank0:
                job.run.truncate_metrics(global_step)
        elif job.rank0:
            job.run.write_run_json(job.run_json("classifier", train, evaluation, evaluation_name, {"network": job.network_json("network", net)}, input_json))
        images, labels = train["images"].to(dev), train["labels"].to(dev)
        n = len(labels)
        steps = job.steps_per_epoch(n)
        total = steps * job.epochs
        every = job.progress_every(steps)
        smoothing = TARGET["label_smoothing"]
        job.started("classifier", steps, n, len(evaluation["labels"]), global_step)
        augment = Augmentation(job)
        metrics = {}
        for epoch in range(start_epoch, job.epochs):
            model.train()
            torch.manual_seed(job.seed + 7919 * (epoch + 1) + 104729 * job.dist.rank)  # dropout noise per epoch and rank
            sums = torch.zeros(3, dtype=torch.float64, device=dev)  # loss · count, correct, count
            clock = time.perf_counter()
            for step, idx in job.batches(n, epoch, start_step if epoch == start_epoch else 0):
                idx = idx.to(dev)
                x, y = stand.apply(augment(global_step, images.index_select(0, idx))[0]), labels.index_select(0, idx)
                logits = model(x)
                loss = F.cross_entropy(logits, y, label_smoothing=smoothing)
                opt.zero_grad(set_to_none=False)
                loss.backward()
                lr = learning_rate(TARGET["schedule"], TARGET["optimizer"]["lr"], global_step, total)
                for group in opt.param_groups:
                    group["lr"] = lr
                opt.step()
                opt._annlsp_steps = getattr(opt, "_annlsp_steps", 0) + 1
                with torch.no_grad():
                    sums += torch.stack([loss.detach().double() * len(y), logits.argmax(1).eq(y).sum().double(), torch.tensor(float(len(y)), device=dev, dtype=torch.float64)])
                global_step += 1
                if global_step % every == 0 or step == steps - 1:
                    mean_loss = job.dist.all_sum(loss.detach().double().reshape(1)) / job.dist.world
                    step_loss = float(mean_loss.item())
                    if not math.isfinite(step_loss):
                        job.nan_failure(epoch, step, step_loss)
                    seen = float(job.dist.all_sum(sums.clone())[2].item())
                    job.emit("step", epoch=epoch + 1, step=step + 1, steps=steps, globalStep=global_step, loss=step_loss, lr=lr,
                             imagesPerSecond=seen / max(1e-9, time.perf_counter() - clock))
                    if job.stop_agreed():
                        return self.stop(net, opt, params, epoch, step + 1, global_step, input_json, sums)
            seconds = time.perf_counter() - clock
            total_sums = job.dist.all_sum(sums.clone())
            seen = float(total_sums[2])
            train_loss = float(total_sums[0]) / seen if seen else float("nan")
            train_acc = float(total_sums[1]) / seen if seen else float("nan")
            if seen and not math.isfinite(train_loss):
                job.nan_failure(epoch, steps - 1, train_loss)
            job.sync_buffers(net)
            eval_loss, eval_acc = self.evaluate(net, evaluation, stand)
            metrics = {"loss": train_loss, "accuracy": eval_acc}
            job.emit("epoch", epoch=epoch + 1, epochs=job.epochs, globalStep=global_step, loss=train_loss, accuracy=eval_acc, train_accuracy=train_acc,
                     val_loss=eval_loss, evaluationSet=evaluation_name, seconds=seconds, imagesPerSecond=seen / max(1e-9, seconds))
            if job.rank0:
                path = job.run.sample_path(epoch + 1)
                self.grid(net, evaluation, stand, path)
                job.emit("sample", epoch=epoch + 1, path=path)
            if (epoch + 1) % max(1, TARGET["checkpoint_every"]) == 0 or epoch + 1 == job.epochs:
                self.checkpoint(net, opt, params, epoch + 1, 0, global_step, input_json, epoch + 1)
        job.check_replicas(net)
        if job.rank0:
            job.save_model(net)
        job.emit("finished", status="finished", runDir=job.run.path if job.run else None, epoch=job.epochs, globalStep=global_step,
                 loss=metrics.get("loss", float("nan")), accuracy=metrics.get("accuracy", float("nan")), model=os.path.join(job.run.path, annlsp_run.MODEL_FILE) if job.run else None)

    def stop(self, net, opt, params, epoch, step, global_step, input_json, sums):
        job = self.job
        job.sync_buffers(net)
        self.checkpoint(net, opt, params, epoch, step, global_step, input_json, epoch + 1)
        if job.rank0:
            job.save_model(net)
        total = job.dist.all_sum(sums.clone())
        job.emit("finished", status="stopped", runDir=job.run.path if job.run else None, epoch=epoch + 1, globalStep=global_step,
                 loss=float(total[0]) / max(1.0, float(total[2])), model=os.path.join(job.run.path, annlsp_run.MODEL_FILE) if job.run else None)

    def checkpoint(self, net, opt, params, done, step_in_epoch, global_step, input_json, event_epoch):
        """done: the epochs completed (a stop inside epoch e is e - 1 done and step_in_epoch steps into e), as Trainer.CheckpointMeta."""
        job = self.job
        if job.rank0:
            tensors = {"model." + k: v for k, v in net.state_dict().items()}
            tensors.update(optimizer_state(opt, params, "optim."))
            annlsp_run.save_checkpoint(job.run.checkpoint, tensors, job.checkpoint_meta(done, step_in_epoch, global_step, input_json))
            job.emit("checkpoint", epoch=event_epoch, step=step_in_epoch, globalStep=global_step, path=job.run.checkpoint)
        job.dist.barrier()

    def evaluate(self, net, data, stand):
        """Each rank scores every world-th example; the sums are added up."""
        job, dev = self.job, self.job.device
        net.eval()
        sums = torch.zeros(3, dtype=torch.float64, device=dev)
        images, labels = data["images"][job.dist.rank::job.dist.world], data["labels"][job.dist.rank::job.dist.world]
        with torch.no_grad():
            for start in range(0, len(labels), 256):
                x = stand.apply(images[start:start + 256].to(dev))
                y = labels[start:start + 256].to(dev)
                logits = Logits(net)(x)
                sums += torch.stack([F.cross_entropy(logits, y, reduction="sum").double(), logits.argmax(1).eq(y).sum().double(), torch.tensor(float(len(y)), device=dev, dtype=torch.float64)])
        net.train()
        sums = job.dist.all_sum(sums)
        return float(sums[0] / sums[2]), float(sums[1] / sums[2])

    def grid(self, net, data, stand, path):
        ph, pw = TARGET["preview"]
        cells = min(ph * pw, len(data["labels"]))
        rows = max(1, min(ph, (cells + pw - 1) // pw))
        net.eval()
        with torch.no_grad():
            x = data["images"][:cells]
            predicted = Logits(net)(stand.apply(x.to(self.job.device))).argmax(1).cpu().tolist()
        net.train()
        labels = data["labels"][:cells].tolist()
        annlsp_run.write_grid(path, x.float() / 255, rows, pw, 0, 1, predicted, [p == t for p, t in zip(predicted, labels)])


class GanKind:
    """The DCGAN recipe of Trainer.Gan.cs: N(0, 0.02) weights, BCE on logits, one D step on real + detached fake, one G step."""
    keys = ("loss_g", "loss_d")

    def __init__(self, job):
        self.job = job

    def run(self):
        job, dev = self.job, self.job.device
        train, _, _ = job.load_data(need_evaluation=False)
        torch.manual_seed(job.seed)
        g_net, d_net, g, d, g_params, d_params, g_opt, d_opt = adversarial_pair(job, dev)
        latent = TARGET["latent"]
        ph, pw = TARGET["preview"]
        fixed_noise = torch.randn(ph * pw, latent, generator=torch.Generator().manual_seed(job.seed + 17)).to(dev)
        pair = (g_net, d_net, g_opt, d_opt, g_params, d_params)
        start_epoch, start_step, global_step = job.position()
        if not self.resume_or_begin(pair, start_epoch, global_step, lambda: job.run_json(
                "gan", train, None, "none", {"generator": job.network_json("generator", g_net), "discriminator": job.network_json("discriminator", d_net)}, "[-1, 1]")):
            return job.already_finished(self.keys)
        images = train["images"].to(dev)
        n = len(images)
        steps = job.steps_per_epoch(n)
        total = steps * job.epochs
        every = job.progress_every(steps)
        job.started("gan", steps, n, None, global_step)
        augment = Augmentation(job)
        metrics = {}
        for epoch in range(start_epoch, job.epochs):
            g.train()
            d.train()
            torch.manual_seed(job.seed + 7919 * (epoch + 1) + 104729 * job.dist.rank)  # each rank its own noise
            sums = torch.zeros(5, dtype=torch.float64, device=dev)  # loss_d, loss_g, D(x), D(G(z)) weighted by count; count
            clock = time.perf_counter()
            for step, idx in job.batches(n, epoch, start_step if epoch == start_epoch else 0):
                real = augment(global_step, images.index_select(0, idx.to(dev)))[0].float().div_(127.5).sub_(1.0)
                count = len(real)
                z = torch.randn(count, latent, device=dev)
                fake = g(z)
                ones, zeros = torch.ones(count, 1, device=dev), torch.zeros(count, 1, device=dev)
                d_opt.zero_grad(set_to_none=False)
                # two forward/backward passes (DDP synchronises each); the gradients add up to those of their sum
                d_real = d(real)
                loss_real = F.binary_cross_entropy_with_logits(d_real, ones)
                loss_real.backward()
                d_fake = d(fake.detach())
                loss_fake = F.binary_cross_entropy_with_logits(d_fake, zeros)
                loss_fake.backward()
                lr = learning_rate(TARGET["schedule"], TARGET["optimizer"]["lr"], global_step, total)
                for o in (d_opt, g_opt):
                    for group in o.param_groups:
                        group["lr"] = lr
                d_opt.step()
                g_opt.zero_grad(set_to_none=False)
                loss_g = F.binary_cross_entropy_with_logits(d(fake), ones)
                loss_g.backward()
                g_opt.step()
                for o in (d_opt, g_opt):
                    o._annlsp_steps = getattr(o, "_annlsp_steps", 0) + 1
                with torch.no_grad():
                    row = torch.stack([(loss_real + loss_fake).detach(), loss_g.detach(), torch.sigmoid(d_real.detach()).mean(), torch.sigmoid(d_fake.detach()).mean()]).double()
                    sums[:4] += row * count
                    sums[4] += count
                global_step += 1
                if (global_step % every == 0 or step == steps - 1) and self.report_step(
                        pair, ("loss_d", "loss_g", "d_x", "d_g_z"), row, sums, epoch, step, steps, global_step, lr, clock, {}):
                    return
            seconds = time.perf_counter() - clock
            avg, seen = self.epoch_means(sums, epoch, steps)
            metrics = {"loss_d": avg[0], "loss_g": avg[1]}
            job.emit("epoch", epoch=epoch + 1, epochs=job.epochs, globalStep=global_step, loss_d=avg[0], loss_g=avg[1], d_x=avg[2], d_g_z=avg[3],
                     seconds=seconds, imagesPerSecond=seen / max(1e-9, seconds))
            job.sync_buffers(g_net, d_net)
            if job.rank0:
                path = job.run.sample_path(epoch + 1)
                g_net.eval()
                with torch.no_grad():
                    samples = g_net(fixed_noise)
                g_net.train()
                annlsp_run.write_grid(path, samples, ph, pw, -1, 1)
                job.emit("sample", epoch=epoch + 1, path=path)
            if (epoch + 1) % max(1, TARGET["checkpoint_every"]) == 0 or epoch + 1 == job.epochs:
                self.checkpoint(pair, epoch + 1, 0, global_step, epoch + 1)
        self.finish(pair, global_step, {k: metrics.get(k, float("nan")) for k in ("loss_g", "loss_d")})

    # ---- what the gan and pix2pix kinds share: resuming, the step reports and a stop, the epoch's means, the end ----

    def resume_or_begin(self, pair, start_epoch, global_step, run_json):
        """Resuming: the pair and its optimizers from the checkpoint and the metrics after it dropped (False when the run has
        already trained its epochs); a new run: run.json."""
        job = self.job
        g_net, d_net, g_opt, d_opt, g_params, d_params = pair
        if job.resume_meta:
            load_adversarial_pair(job.resume_state, g_net, d_net, g_opt, d_opt, g_params, d_params)
            if start_epoch >= job.epochs:
                return False
            if job.rank0:
                job.run.truncate_metrics(global_step)
        elif job.rank0:
            job.run.write_run_json(run_json())
        return True

    def report_step(self, pair, names, row, sums, epoch, step, steps, global_step, lr, clock, stopped_fields):
        """A step event with the ranks' mean of this step's `row` (named `names`); then, when every rank agrees to stop, a
        mid-epoch checkpoint, the models and a `finished` event with status "stopped". True when the run stopped."""
        job = self.job
        report = (job.dist.all_sum(row.clone()) / job.dist.world).tolist()
        bad = next((v for v in report if not math.isfinite(v)), None)
        if bad is not None:
            job.nan_failure(epoch, step, bad)
        seen = float(job.dist.all_sum(sums.clone())[-1].item())
        job.emit("step", epoch=epoch + 1, step=step + 1, steps=steps, globalStep=global_step, **dict(zip(names, report)),
                 lr=lr, imagesPerSecond=seen / max(1e-9, time.perf_counter() - clock))
        if not job.stop_agreed():
            return False
        job.sync_buffers(pair[0], pair[1])
        self.checkpoint(pair, epoch, step + 1, global_step, epoch + 1)
        self.save_models(pair)
        job.emit("finished", status="stopped", runDir=job.run.path if job.run else None, epoch=epoch + 1, globalStep=global_step,
                 **stopped_fields, model=os.path.join(job.run.path, annlsp_run.MODEL_FILE) if job.run else None)
        return True

    def epoch_means(self, sums, epoch, steps):
        """The epoch's means over all ranks of the count-weighted sums (the count last), and the count."""
        t = self.job.dist.all_sum(sums.clone())
        seen = float(t[-1])
        avg = [float(v) / max(1.0, seen) for v in t[:-1]]
        bad = next((v for v in avg if not math.isfinite(v)), None)
        if bad is not None:
            self.job.nan_failure(epoch, steps - 1, bad)
        return avg, seen

    def save_models(self, pair):
        if self.job.rank0:
            self.job.save_model(pair[0])
            self.job.save_model(pair[1], "discriminator.pt")

    def finish(self, pair, global_step, fields):
        job = self.job
        job.check_replicas(pair[0], pair[1])
        self.save_models(pair)
        job.emit("finished", status="finished", runDir=job.run.path if job.run else None, epoch=job.epochs, globalStep=global_step,
                 **fields, model=os.path.join(job.run.path, annlsp_run.MODEL_FILE) if job.run else None)

    def checkpoint(self, pair, done, step_in_epoch, global_step, event_epoch):
        job = self.job
        g_net, d_net, g_opt, d_opt, g_params, d_params = pair
        if job.rank0:
            tensors = {"generator." + k: v for k, v in g_net.state_dict().items()}
            tensors.update({"discriminator." + k: v for k, v in d_net.state_dict().items()})
            tensors.update(optimizer_state(g_opt, g_params, "optim_g."))
            tensors.update(optimizer_state(d_opt, d_params, "optim_d."))
            annlsp_run.save_checkpoint(job.run.checkpoint, tensors, job.checkpoint_meta(done, step_in_epoch, global_step, None))
            job.emit("checkpoint", epoch=event_epoch, step=step_in_epoch, globalStep=global_step, path=job.run.checkpoint)
        job.dist.barrier()


class Pix2PixKind(GanKind):
    """pix2pix (Pix2PixTarget.cs): D sees the input beside an image; one D step on (x, y) → 1 and (x, G(x)) → 0 with its loss
    halved, one G step on BCE(D(x, G(x)), 1) + λ·|G(x) − y|; N(0, 0.02) weights. After every epoch the held-out pairs measure
    L1 and PSNR of G(x) against y beside those of the input itself; the sample is rows of input | generated | target."""
    keys = ("loss_d", "loss_g", "l1", "psnr", "l1_input", "psnr_input")
    evaluation_pairs, evaluation_batch = 1000, 250

    def run(self):
        job, dev = self.job, self.job.device
        train, evaluation, evaluation_name = job.load_data(need_evaluation=True)
        if "inputs" not in train:
            raise TrainingError(f"{TARGET['data']['name']} is not a paired data set: train the gan on edges(…) or pairs(…)")
        torch.manual_seed(job.seed)
        g_net, d_net, g, d, g_params, d_params, g_opt, d_opt = adversarial_pair(job, dev)
        lam = float(TARGET["l1"])
        pair = (g_net, d_net, g_opt, d_opt, g_params, d_params)
        start_epoch, start_step, global_step = job.position()
        if not self.resume_or_begin(pair, start_epoch, global_step, lambda: job.run_json(
                "pix2pix", train, evaluation, evaluation_name,
                {"generator": job.network_json("generator", g_net), "discriminator": job.network_json("discriminator", d_net), "l1": lam},
                "[-1, 1]", loss=f"bce_with_logits + {lam:g}·l1")):
            return job.already_finished(self.keys)
        inputs, targets = train["inputs"].to(dev), train["images"].to(dev)
        n = len(targets)
        steps = job.steps_per_epoch(n)
        total = steps * job.epochs
        every = job.progress_every(steps)
        job.started("pix2pix", steps, n, len(evaluation["labels"]), global_step)
        augment = Augmentation(job)
        metrics = {}
        for epoch in range(start_epoch, job.epochs):
            g.train()
            d.train()
            torch.manual_seed(job.seed + 7919 * (epoch + 1) + 104729 * job.dist.rank)  # dropout per epoch and rank
            sums = torch.zeros(4, dtype=torch.float64, device=dev)  # loss_d, loss_g, l1 (pixels in [0, 1]) weighted by count; count
            clock = time.perf_counter()
            for step, idx in job.batches(n, epoch, start_step if epoch == start_epoch else 0):
                idx = idx.to(dev)
                x, y = (symmetric(t) for t in augment(global_step, inputs.index_select(0, idx), targets.index_select(0, idx)))
                count = len(y)
                fake = g(x)
                lr = learning_rate(TARGET["schedule"], TARGET["optimizer"]["lr"], global_step, total)
                for o in (d_opt, g_opt):
                    for group in o.param_groups:
                        group["lr"] = lr
                d_opt.zero_grad(set_to_none=False)
                # two forward/backward passes (DDP synchronises each); the gradients add up to those of the halved sum
                d_real = d(torch.cat([x, y], 1))
                loss_real = 0.5 * F.binary_cross_entropy_with_logits(d_real, torch.ones_like(d_real))
                loss_real.backward()
                d_fake = d(torch.cat([x, fake.detach()], 1))
                loss_fake = 0.5 * F.binary_cross_entropy_with_logits(d_fake, torch.zeros_like(d_fake))
                loss_fake.backward()
                d_opt.step()
                g_opt.zero_grad(set_to_none=False)
                d_fake2 = d(torch.cat([x, fake], 1))
                l1 = (fake - y).abs().mean()
                loss_g = F.binary_cross_entropy_with_logits(d_fake2, torch.ones_like(d_fake2)) + lam * l1
                loss_g.backward()
                g_opt.step()
                for o in (d_opt, g_opt):
                    o._annlsp_steps = getattr(o, "_annlsp_steps", 0) + 1
                with torch.no_grad():
                    row = torch.stack([(loss_real + loss_fake).detach(), loss_g.detach(), l1.detach() / 2]).double()  # L1 in [0, 1]: half that in [-1, 1]
                    sums[:3] += row * count
                    sums[3] += count
                global_step += 1
                if (global_step % every == 0 or step == steps - 1) and self.report_step(
                        pair, ("loss_d", "loss_g", "train_l1"), row, sums, epoch, step, steps, global_step, lr, clock, {k: metrics.get(k) for k in self.keys}):
                    return
            seconds = time.perf_counter() - clock
            avg, seen = self.epoch_means(sums, epoch, steps)
            job.sync_buffers(g_net, d_net)
            l1_out, psnr, l1_input, psnr_input = self.measure(g_net, evaluation)
            metrics = {"loss_d": avg[0], "loss_g": avg[1], "train_l1": avg[2], "l1": l1_out, "psnr": psnr, "l1_input": l1_input, "psnr_input": psnr_input}
            job.emit("epoch", epoch=epoch + 1, epochs=job.epochs, globalStep=global_step, loss_d=avg[0], loss_g=avg[1], l1=l1_out, psnr=psnr,
                     l1_input=l1_input, psnr_input=psnr_input, evaluationSet=evaluation_name, seconds=seconds, imagesPerSecond=seen / max(1e-9, seconds))
            if job.rank0:
                path = job.run.sample_path(epoch + 1)
                self.triplets(g_net, evaluation, path)
                job.emit("sample", epoch=epoch + 1, path=path)
            if (epoch + 1) % max(1, TARGET["checkpoint_every"]) == 0 or epoch + 1 == job.epochs:
                self.checkpoint(pair, epoch + 1, 0, global_step, epoch + 1)
        self.finish(pair, global_step, {k: metrics.get(k, float("nan")) for k in self.keys})

    def measure(self, g_net, pairs):
        """Mean |G(x) − y| and mean per-image PSNR (dB, peak 1) over the first 1000 held-out pairs, pixels in [0, 1]; the same
        for the input itself as the answer (its channels repeated when the target has more). Each rank takes every world-th pair."""
        job, dev = self.job, self.job.device
        n = min(self.evaluation_pairs, len(pairs["labels"]))
        inputs, targets = pairs["inputs"][:n][job.dist.rank::job.dist.world], pairs["images"][:n][job.dist.rank::job.dist.world]
        sums = torch.zeros(4, dtype=torch.float64, device=dev)
        g_net.eval()
        with torch.no_grad():
            for start in range(0, len(targets), self.evaluation_batch):
                x = symmetric(inputs[start:start + self.evaluation_batch].to(dev))
                y = symmetric(targets[start:start + self.evaluation_batch].to(dev)).add(1).div(2)
                output = g_net(x).clamp(-1, 1).add(1).div(2)
                for k, answer in enumerate((output, x.add(1).div(2).expand_as(y))):
                    diff = answer - y
                    mse = diff.square().mean((1, 2, 3)).clamp_min(1e-10)
                    sums[2 * k] += diff.abs().mean((1, 2, 3)).sum().double()
                    sums[2 * k + 1] += (-10 * mse.log10()).sum().double()
        g_net.train()
        sums = job.dist.all_sum(sums) / n
        return float(sums[0]), float(sums[1]), float(sums[2]), float(sums[3])

    def triplets(self, g_net, pairs, path):
        """One row per held-out pair (the first `preview` rows, the same every epoch): input | generated | target."""
        shown = min(max(1, TARGET["preview"][0]), len(pairs["labels"]))
        x = symmetric(pairs["inputs"][:shown].to(self.job.device))
        y = symmetric(pairs["images"][:shown].to(self.job.device))
        g_net.eval()
        with torch.no_grad():
            fake = g_net(x).clamp(-1, 1)
        g_net.train()
        c = max(x.shape[1], y.shape[1])
        rows = torch.stack([t.expand(t.shape[0], c, t.shape[2], t.shape[3]) for t in (x, fake, y)], 1).reshape(-1, c, y.shape[2], y.shape[3])
        annlsp_run.write_grid(path, rows, shown, 3, -1, 1)


class Denoise(nn.Module):
    """The denoiser's prediction of the noise: forward(x, time) (a trailing softmax/sigmoid left out, as the trainer runs it);
    a denoiser that does not read `time` sees only x."""

    def __init__(self, net, uses_time):
        super().__init__()
        self.net = net
        self.uses_time = uses_time

    def forward(self, x, time=None):
        run = self.net.logits if hasattr(self.net, "logits") else self.net
        return run(x, time) if self.uses_time else run(x)


class DiffusionKind:
    """A diffusion model (DiffusionTarget.cs): images in [−1, 1]; each example a step t uniform over the T steps and noise ε;
    the denoiser sees x_t = √ᾱ_t·x₀ + √(1 − ᾱ_t)·ε and the embedding of t and learns ε, the velocity or x₀ (MSE; the
    module's PREDICT and training_target). An exponential moving average
    of its weights (decay min(ema, (1 + n)/(10 + n)) after n steps) draws the samples and is model.pt. The schedule, the
    embedding and the samplers are the diffusion's module that annlsp export writes (<diffusion>.py in this package)."""
    keys = ("loss",)
    preview_seed_offset, step_noise_seed_offset = 17, 23  # DiffusionTarget.PreviewSeedOffset, DiffusionProcess.StepNoiseSeedOffset
    trajectory_samples, trajectory_frames = 4, 10

    def __init__(self, job):
        self.job = job

    def run(self):
        job, dev = self.job, self.job.device
        spec = TARGET["diffusion"]
        process = __import__(spec["module"])
        train, _, _ = job.load_data(need_evaluation=False)
        torch.manual_seed(job.seed)
        net, ema = build("denoiser").to(dev), build("denoiser").to(dev)
        ema.load_state_dict(net.state_dict())
        ema.eval().requires_grad_(False)
        model = job.dist.wrap(Denoise(net, process.USES_TIME))
        params = [p for p in net.parameters() if p.requires_grad]
        ema_params = [e for e, p in zip(ema.parameters(), net.parameters()) if p.requires_grad]
        opt = make_optimizer(params)
        _, alpha_bars = process.schedule()
        sqrt_ab = torch.tensor([math.sqrt(a) for a in alpha_bars], dtype=torch.float32, device=dev)
        sqrt_one_minus_ab = torch.tensor([math.sqrt(1 - a) for a in alpha_bars], dtype=torch.float32, device=dev)
        ph, pw = TARGET["preview"]
        shape = tuple(train["images"].shape[1:])
        preview_noise = torch.randn((ph * pw,) + shape, generator=torch.Generator().manual_seed(job.seed + self.preview_seed_offset)).to(dev)
        start_epoch, start_step, global_step = job.position()
        if job.resume_meta:
            load_model_state(net, job.resume_state, "model.")
            load_model_state(ema, job.resume_state, "ema.")
            load_optimizer_state(opt, params, job.resume_state, "optim.")
            if start_epoch >= job.epochs:
                return job.already_finished(self.keys)
            if job.rank0:
                job.run.truncate_metrics(global_step)
        elif job.rank0:
            networks = {"denoiser": job.network_json("denoiser", net),
                        "diffusion": {k: spec[k] for k in ("name", "steps", "schedule", "beta_start", "beta_end", "sampler", "time_embed", "ema", "predict", "alpha_bar_T")}}
            job.run.write_run_json(job.run_json("diffusion", train, None, "none", networks, "[-1, 1]", loss=process.LOSS))
        images = train["images"].to(dev)
        n = len(images)
        steps = job.steps_per_epoch(n)
        total = steps * job.epochs
        every = job.progress_every(steps)
        job.started("diffusion", steps, n, None, global_step)
        augment = Augmentation(job)
        metrics = {}
        for epoch in range(start_epoch, job.epochs):
            model.train()
            torch.manual_seed(job.seed + 7919 * (epoch + 1) + 104729 * job.dist.rank)  # each rank its own steps and noise
            sums = torch.zeros(2, dtype=torch.float64, device=dev)  # loss · count, count
            clock = time.perf_counter()
            for step, idx in job.batches(n, epoch, start_step if epoch == start_epoch else 0):
                x0 = symmetric(augment(global_step, images.index_select(0, idx.to(dev)))[0])
                count = len(x0)
                t = torch.randint(0, process.STEPS, (count,), dtype=torch.int64, device=dev)
                noise = torch.randn_like(x0)
                view = (-1,) + (1,) * (x0.dim() - 1)
                a, b = sqrt_ab.index_select(0, t).view(view), sqrt_one_minus_ab.index_select(0, t).view(view)
                xt = a * x0 + b * noise
                loss = F.mse_loss(model(xt, process.time_embedding(t)), process.training_target(x0, noise, a, b))
                opt.zero_grad(set_to_none=False)
                loss.backward()
                lr = learning_rate(TARGET["schedule"], TARGET["optimizer"]["lr"], global_step, total)
                for group in opt.param_groups:
                    group["lr"] = lr
                opt.step()
                opt._annlsp_steps = getattr(opt, "_annlsp_steps", 0) + 1
                with torch.no_grad():
                    decay = min(float(spec["ema"]), (1.0 + opt._annlsp_steps) / (10.0 + opt._annlsp_steps))
                    for e, p in zip(ema_params, params):
                        e.mul_(decay).add_(p.detach(), alpha=1 - decay)
                    sums += torch.stack([loss.detach().double() * count, torch.tensor(float(count), device=dev, dtype=torch.float64)])
                global_step += 1
                if global_step % every == 0 or step == steps - 1:
                    step_loss = float((job.dist.all_sum(loss.detach().double().reshape(1)) / job.dist.world).item())
                    if not math.isfinite(step_loss):
                        job.nan_failure(epoch, step, step_loss)
                    seen = float(job.dist.all_sum(sums.clone())[1].item())
                    job.emit("step", epoch=epoch + 1, step=step + 1, steps=steps, globalStep=global_step, loss=step_loss, lr=lr,
                             imagesPerSecond=seen / max(1e-9, time.perf_counter() - clock))
                    if job.stop_agreed():
                        job.sync_buffers(net)
                        self.checkpoint(net, ema, opt, params, epoch, step + 1, global_step, epoch + 1)
                        if job.rank0:
                            self.save_models(net, ema)
                        total_sums = job.dist.all_sum(sums.clone())
                        return job.emit("finished", status="stopped", runDir=job.run.path if job.run else None, epoch=epoch + 1, globalStep=global_step,
                                        loss=float(total_sums[0]) / max(1.0, float(total_sums[1])), model=os.path.join(job.run.path, annlsp_run.MODEL_FILE) if job.run else None)
            seconds = time.perf_counter() - clock
            total_sums = job.dist.all_sum(sums.clone())
            seen = float(total_sums[1])
            epoch_loss = float(total_sums[0]) / seen if seen else float("nan")
            if seen and not math.isfinite(epoch_loss):
                job.nan_failure(epoch, steps - 1, epoch_loss)
            metrics = {"loss": epoch_loss}
            job.emit("epoch", epoch=epoch + 1, epochs=job.epochs, globalStep=global_step, loss=epoch_loss, seconds=seconds, imagesPerSecond=seen / max(1e-9, seconds))
            job.sync_buffers(net)
            if job.rank0:
                path = job.run.sample_path(epoch + 1)
                trajectory = self.preview(process, net, ema, preview_noise, path, ph, pw)
                job.emit("sample", epoch=epoch + 1, path=path, trajectory=trajectory)
            if (epoch + 1) % max(1, TARGET["checkpoint_every"]) == 0 or epoch + 1 == job.epochs:
                self.checkpoint(net, ema, opt, params, epoch + 1, 0, global_step, epoch + 1)
        job.check_replicas(net)
        if job.rank0:
            self.save_models(net, ema)
        job.emit("finished", status="finished", runDir=job.run.path if job.run else None, epoch=job.epochs, globalStep=global_step,
                 loss=metrics.get("loss", float("nan")), model=os.path.join(job.run.path, annlsp_run.MODEL_FILE) if job.run else None)

    @staticmethod
    def copy_buffers(net, ema):
        """Batch-norm statistics are not averaged: the EMA network uses the trained ones."""
        with torch.no_grad():
            for (_, b), (_, e) in zip(net.named_buffers(), ema.named_buffers()):
                e.copy_(b)

    def preview(self, process, net, ema, noise, path, rows, cols):
        """The EMA denoiser's samples from the fixed noise (with the diffusion's sampler, in chunks of 256; DDPM's step noise
        seeded per chunk), and the first samples' trajectory beside it (samples/trajectory-NNN.png)."""
        self.copy_buffers(net, ema)
        denoiser = Denoise(ema, process.USES_TIME)
        frames, chunks = [], []
        for i in range(0, noise.shape[0], 256):
            generator = torch.Generator().manual_seed(self.job.seed + self.step_noise_seed_offset + i)
            chunks.append(process.sample(denoiser, noise[i:i + 256], process.SAMPLER, generator, frames if i == 0 else None,
                                         self.trajectory_samples, self.trajectory_frames))
        annlsp_run.write_grid(path, torch.cat(chunks), rows, cols, -1, 1)
        trajectory = os.path.join(os.path.dirname(path), os.path.basename(path).replace("epoch-", "trajectory-"))
        grid = torch.stack(frames, 1)  # [samples, frames, C, H, W]: noise (left) to image (right)
        annlsp_run.write_grid(trajectory, grid.reshape((-1,) + tuple(grid.shape[2:])), grid.shape[0], grid.shape[1], -1, 1)
        return trajectory

    def save_models(self, net, ema):
        """model.pt is the EMA denoiser (what annlsp sample and export read); denoiser-trained.pt the weights as trained."""
        self.copy_buffers(net, ema)
        self.job.save_model(ema)
        self.job.save_model(net, "denoiser-trained.pt")

    def checkpoint(self, net, ema, opt, params, done, step_in_epoch, global_step, event_epoch):
        job = self.job
        if job.rank0:
            self.copy_buffers(net, ema)
            tensors = {"model." + k: v for k, v in net.state_dict().items()}
            tensors.update({"ema." + k: v for k, v in ema.state_dict().items()})
            tensors.update(optimizer_state(opt, params, "optim."))
            annlsp_run.save_checkpoint(job.run.checkpoint, tensors, job.checkpoint_meta(done, step_in_epoch, global_step, None))
            job.emit("checkpoint", epoch=event_epoch, step=step_in_epoch, globalStep=global_step, path=job.run.checkpoint)
        job.dist.barrier()


KINDS = {"classifier": ClassifierKind, "gan": GanKind, "pix2pix": Pix2PixKind, "diffusion": DiffusionKind}


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    job = None
    try:
        job = Job(args)
        signal.signal(signal.SIGTERM, lambda *_: setattr(job, "stop_requested", True))
        job.open_run()
        kind = KINDS.get(TARGET["kind"])
        if kind is None:
            raise TrainingError(f"this package's train.py cannot train a '{TARGET['kind']}' (it trains {', '.join(KINDS)}); export it with a newer annlsp")
        kind(job).run()
        job.dist.close()
        return 0
    except (TrainingError, RuntimeError) as e:
        rank = os.environ.get("RANK", "0")
        message = str(e) if isinstance(e, TrainingError) else f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
        print(f"train.py (rank {rank}): error: {message}", file=sys.stderr, flush=True)
        if job is not None and job.rank0:
            job.emit("failed", reason=message, runDir=job.run.path if job.run else None)
        return 1


if __name__ == "__main__":
    sys.exit(main())
