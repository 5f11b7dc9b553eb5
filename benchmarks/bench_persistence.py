"""Saving and loading a fitted AutoencoderTransformer: file size and load time.

The 784-256-64-256-784 autoencoder (fitted for one epoch on random rows: the
state's size does not depend on training) is saved four ways:

* ``pickle, skorch net (before)``: the layout skae pickled until issue #20, the
  estimator's attributes with the skorch net pickled by skorch (its module,
  optimizer and criterion as ``torch.save`` bytes inside the pickle);
* ``pickle`` and ``joblib``: the estimator as it pickles now, its net as arrays;
* ``skops.io``: the same state in skops' format (a zip of .npy files and a JSON
  schema), loaded with the skae types trusted.

Loads are interleaved and repeated; medians are reported. Loading rebuilds the
torch module and optimizer from the arrays.

    python benchmarks/bench_persistence.py [--repeats 15]
"""

import argparse
import io
import pickle
import time

import joblib
import numpy as np
import skops.io as sio
from _common import check_environment, machine_header, markdown_table, write_result

from skae import AutoencoderTransformer


def old_layout(estimator):
    """The estimator pickled as before: its attributes, with the skorch net object."""
    return pickle.dumps(dict(vars(estimator)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    check_environment()

    X = np.random.RandomState(0).rand(2000, 784).astype(np.float32)
    ae = AutoencoderTransformer(64, hidden_dims=(256,), max_epochs=1, random_state=0).fit(X)
    expected = ae.transform(X[:100])
    trusted = sio.get_untrusted_types(data=sio.dumps(ae))

    joblib_buffer = io.BytesIO()
    joblib.dump(ae, joblib_buffer)
    blobs = {
        "pickle, skorch net (before)": (old_layout(ae), pickle.loads),
        "pickle": (pickle.dumps(ae), pickle.loads),
        "joblib": (joblib_buffer.getvalue(), lambda b: joblib.load(io.BytesIO(b))),
        "skops.io": (sio.dumps(ae), lambda b: sio.loads(b, trusted=trusted)),
    }
    for blob, load in blobs.values():  # warm up, and check the round trip
        loaded = load(blob)
        if not isinstance(loaded, dict):
            np.testing.assert_array_equal(loaded.transform(X[:100]), expected)
    times = {name: [] for name in blobs}
    for _ in range(args.repeats):
        for name, (blob, load) in blobs.items():
            start = time.perf_counter()
            load(blob)
            times[name].append(time.perf_counter() - start)

    base = np.median(times["pickle, skorch net (before)"])
    rows = [
        [
            name,
            f"{len(blob) / 2**20:.2f}",
            f"{np.median(times[name]) * 1000:.1f}",
            f"{np.median(times[name]) / base:.2f}x",
        ]
        for name, (blob, _) in blobs.items()
    ]
    n_params = sum(p.numel() for p in ae.net_.module_.parameters())
    text = "\n".join(
        [
            machine_header("Saving and loading the 784-256-64-256-784 autoencoder"),
            f"{n_params:,} weights (float32) with Adam's two moments; medians of "
            f"{args.repeats} interleaved loads.",
            "",
            markdown_table(
                ["format", "size (MiB)", "load (ms)", "load vs before"],
                rows,
                align="lrrr",
            ),
            "",
        ]
    )
    write_result("bench_persistence", text)


if __name__ == "__main__":
    main()
