"""Reference implementations for compare.bench.mjs: the same algorithms as @maas/training, in
NumPy and PyTorch, on the same data file. One timed run per process; prints one JSON line.

    /usr/bin/python3 reference.py '<json config>'

config: impl ("numpy" | "torch"), workload ("linear" | "mlp"), data (raw little-endian float64,
column-major: feature 0 ... feature F-1, then the target), rows, features, epochs, learningRate,
batchSize, hidden (MLP), init (MLP: float64 file of our initial parameters, per layer weights
[in][out] then bias), beta1, beta2, seed (shuffles), threads, dtype ("float64" | "float32").

The clock starts after the data are loaded and converted, and stops after the last epoch.
The reported loss of an epoch is the mean squared error over that epoch's training rows, each
measured before the step it contributes to, as our trainer reports it.
"""

import json
import sys
import time


def blas_library():
    """The BLAS shared library this process loaded (netlib reference or OpenBLAS)."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            paths = {line.split()[-1] for line in maps if ".so" in line}
    except OSError:
        return None
    for path in sorted(paths):
        name = path.rsplit("/", 1)[-1]
        if name.startswith(("libblas", "libopenblas", "libmkl_rt", "libblis")):
            return path
    return None


def load(config, np):
    rows, features = config["rows"], config["features"]
    raw = np.fromfile(config["data"], dtype="<f8")
    if raw.size != rows * (features + 1):
        raise SystemExit(f"{config['data']}: expected {rows * (features + 1)} values, got {raw.size}")
    raw = raw.reshape(features + 1, rows)
    x = np.ascontiguousarray(raw[:features].T)  # rows × features, row-major
    y = raw[features].copy()
    return x, y


def numpy_linear(config):
    import numpy as np

    x, y = load(config, np)
    n, f = x.shape
    lr = config["learningRate"]
    w = np.zeros(f)
    b = 0.0
    losses = []
    start, cpu_start = time.perf_counter(), time.process_time()
    for _ in range(config["epochs"]):
        e = x @ w
        e += b
        e -= y
        losses.append(float(e @ e) / n)
        grad_w = x.T @ e
        w -= (lr * 2.0 / n) * grad_w
        b -= lr * 2.0 * float(e.sum()) / n
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    return seconds, cpu_seconds, losses, {"numpy": np.__version__}


def mlp_shapes(config):
    sizes = [config["features"], *config["hidden"], 1]
    return [(sizes[i], sizes[i + 1]) for i in range(len(sizes) - 1)]


def numpy_mlp(config):
    import numpy as np

    dtype = np.dtype(config["dtype"])
    x, y = load(config, np)
    x = x.astype(dtype)
    y = y.astype(dtype).reshape(-1, 1)
    n = x.shape[0]
    shapes = mlp_shapes(config)
    # One flat parameter vector (as ours), with views per layer, so Adam is a few vector operations.
    params = np.fromfile(config["init"], dtype="<f8").astype(dtype)
    grads = np.zeros_like(params)
    weights, biases, grad_w, grad_b = [], [], [], []
    offset = 0
    for inputs, outputs in shapes:
        for target, grad_target, shape in ((weights, grad_w, (inputs, outputs)), (biases, grad_b, (outputs,))):
            size = shape[0] * (shape[1] if len(shape) > 1 else 1)
            target.append(params[offset : offset + size].reshape(shape))
            grad_target.append(grads[offset : offset + size].reshape(shape))
            offset += size
    if offset != params.size:
        raise SystemExit(f"init: expected {offset} parameters, got {params.size}")
    m = np.zeros_like(params)
    v = np.zeros_like(params)
    lr, beta1, beta2 = config["learningRate"], config["beta1"], config["beta2"]
    batch = config["batchSize"]
    rng = np.random.default_rng(config["seed"])
    layers = len(shapes)
    step = 0
    losses = []
    start, cpu_start = time.perf_counter(), time.process_time()
    for _ in range(config["epochs"]):
        order = rng.permutation(n)
        total = 0.0
        for first in range(0, n, batch):
            index = order[first : first + batch]
            xb = x[index]
            activations = [xb]
            for l in range(layers):
                z = activations[-1] @ weights[l]
                z += biases[l]
                if l + 1 < layers:
                    np.maximum(z, 0, out=z)
                activations.append(z)
            error = activations[-1] - y[index]
            total += float(np.vdot(error, error))
            delta = error * (2.0 / len(index))
            for l in range(layers - 1, -1, -1):
                np.matmul(activations[l].T, delta, out=grad_w[l])
                np.sum(delta, axis=0, out=grad_b[l])
                if l > 0:
                    delta = delta @ weights[l].T
                    delta *= activations[l] > 0
            step += 1
            correction1 = 1 - beta1**step
            correction2 = 1 - beta2**step
            m *= beta1
            m += (1 - beta1) * grads
            v *= beta2
            v += (1 - beta2) * grads * grads
            params -= (lr * correction2**0.5 / correction1) * m / (np.sqrt(v) + 1e-8 * correction2**0.5)
        losses.append(total / n)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    return seconds, cpu_seconds, losses, {"numpy": np.__version__}


def torch_mlp(config):
    import numpy as np
    import torch

    torch.set_num_threads(config["threads"])
    dtype = getattr(torch, config["dtype"])
    x, y = load(config, np)
    x = torch.from_numpy(x).to(dtype)
    y = torch.from_numpy(y).to(dtype).reshape(-1, 1)
    n = x.shape[0]
    init = np.fromfile(config["init"], dtype="<f8")
    modules = []
    offset = 0
    for l, (inputs, outputs) in enumerate(mlp_shapes(config)):
        layer = torch.nn.Linear(inputs, outputs)
        with torch.no_grad():
            w = init[offset : offset + inputs * outputs].reshape(inputs, outputs)
            offset += inputs * outputs
            layer.weight.copy_(torch.from_numpy(w.T.copy()))  # ours is [in][out], torch's [out][in]
            layer.bias.copy_(torch.from_numpy(init[offset : offset + outputs]))
            offset += outputs
        modules.append(layer)
        if l + 1 < len(config["hidden"]) + 1:
            modules.append(torch.nn.ReLU())
    if offset != init.size:
        raise SystemExit(f"init: expected {offset} parameters, got {init.size}")
    model = torch.nn.Sequential(*modules).to(dtype)
    optimizer = torch.optim.Adam(
        model.parameters(), lr=config["learningRate"], betas=(config["beta1"], config["beta2"]), eps=1e-8
    )
    loss_fn = torch.nn.MSELoss()
    generator = torch.Generator().manual_seed(config["seed"])
    batch = config["batchSize"]
    losses = []
    start, cpu_start = time.perf_counter(), time.process_time()
    for _ in range(config["epochs"]):
        order = torch.randperm(n, generator=generator)
        total = torch.zeros((), dtype=torch.float64)
        for first in range(0, n, batch):
            index = order[first : first + batch]
            xb, yb = x[index], y[index]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.detach().double() * len(index)
        losses.append(float(total) / n)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    return seconds, cpu_seconds, losses, {"numpy": np.__version__, "torch": torch.__version__, "torchThreads": torch.get_num_threads()}


def main():
    config = json.loads(sys.argv[1])
    run = {("numpy", "linear"): numpy_linear, ("numpy", "mlp"): numpy_mlp, ("torch", "mlp"): torch_mlp}.get(
        (config["impl"], config["workload"])
    )
    if run is None:
        raise SystemExit(f"no {config['impl']} implementation of {config['workload']}")
    seconds, cpu_seconds, losses, versions = run(config)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpuSeconds": cpu_seconds,
                "epochs": len(losses),
                "finalLoss": losses[-1],
                "losses": losses,
                "blas": blas_library(),
                **versions,
            }
        )
    )


if __name__ == "__main__":
    main()
