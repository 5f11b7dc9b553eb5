"""CTGAN on the tables of bench_gan.py, scored with the same metrics.

CTGAN is not a dependency of skae (it pins its own data stack), so it runs in a
separate virtual environment given by ``--ctgan-python``; this script, run with
skae's environment, hands each training split to that interpreter, times
``CTGAN(epochs=300).fit`` (one torch thread, like bench_gan.py) and scores the
returned rows exactly as bench_gan.py scores GANSampler: C2ST AUC against the
held-out rows, TSTR accuracy and label agreement.

Set up the CTGAN environment once (CPU torch first, so that pip does not pull CUDA):

    python3 -m venv /tmp/ctv && /tmp/ctv/bin/pip install torch==2.13.0 && \\
        /tmp/ctv/bin/pip install ctgan

Run:  OMP_WAIT_POLICY=PASSIVE python benchmarks/bench_ctgan.py --ctgan-python /tmp/ctv/bin/python
"""

import argparse
import json
import subprocess
import tempfile
import warnings
from pathlib import Path

import _common  # noqa: F401  (puts the repository root on sys.path)
import numpy as np
from _common import machine_header, markdown_table, write_result
from bench_gan import load_table

# Runs inside the CTGAN environment: fit on train.npy (label in the last column,
# treated as discrete), time the fit, save as many sampled rows as training rows.
CTGAN_JOB = """
import json, sys, time
import numpy as np, pandas as pd, torch
from ctgan import CTGAN
torch.set_num_threads(1)
folder, seed = sys.argv[1], int(sys.argv[2])
torch.manual_seed(seed); np.random.seed(seed)
data = np.load(folder + "/train.npy")
frame = pd.DataFrame(data[:, :-1], columns=[f"x{i}" for i in range(data.shape[1] - 1)])
frame["label"] = data[:, -1].astype(int).astype(str)
start = time.perf_counter()
model = CTGAN(epochs=300, cuda=False)
model.fit(frame, discrete_columns=["label"])
fit_s = time.perf_counter() - start
rows = model.sample(len(frame))
out = np.c_[rows.drop(columns="label").to_numpy(float), rows["label"].astype(float).to_numpy()]
np.save(folder + "/synthetic.npy", out)
print(json.dumps({"fit_s": fit_s}))
"""


def main():
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skae.metrics import c2st_auc, tstr_score

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ctgan-python", required=True, help="python of the CTGAN venv")
    parser.add_argument("--seeds", type=int, default=1, help="number of seeds")
    args = parser.parse_args()

    rows = []
    for name in ("moons", "breast_cancer", "digits"):
        X, y = load_table(name)
        X = X.astype(np.float64)
        X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
        judge = HistGradientBoostingClassifier(random_state=0).fit(X_tr, y_tr)
        scores = []
        for seed in range(args.seeds):
            with tempfile.TemporaryDirectory() as folder:
                np.save(Path(folder) / "train.npy", np.c_[X_tr, y_tr])
                done = subprocess.run(
                    [args.ctgan_python, "-c", CTGAN_JOB, folder, str(seed)],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                fit_s = json.loads(done.stdout.strip().splitlines()[-1])["fit_s"]
                synthetic = np.load(Path(folder) / "synthetic.npy")
            X_syn, y_syn = synthetic[:, :-1], synthetic[:, -1].astype(y_tr.dtype)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                auc = c2st_auc(X_te, X_syn, random_state=0)
                tstr = tstr_score(
                    X_syn,
                    y_syn,
                    X_te,
                    y_te,
                    estimator=make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
                )
            agree = float((judge.predict(X_syn) == y_syn).mean())
            scores.append((auc, tstr, agree, fit_s))
            print(
                f"  {name} seed {seed}: C2ST {auc:.3f} TSTR {tstr:.3f} agree {agree:.3f} "
                f"fit {fit_s:.1f}s",
                flush=True,
            )
        mean = np.mean(scores, axis=0)
        rows.append([name, f"{mean[0]:.3f}", f"{mean[1]:.3f}", f"{mean[2]:.3f}", f"{mean[3]:.1f}"])
    text = (
        machine_header(
            "CTGAN (300 epochs) on bench_gan.py's tables",
            [
                f"seeds: {args.seeds}; one torch thread in the CTGAN process; means over seeds",
                "command: OMP_WAIT_POLICY=PASSIVE python benchmarks/bench_ctgan.py "
                "--ctgan-python <CTGAN venv python>",
            ],
        )
        + "\n"
        + markdown_table(
            ["table", "C2ST AUC (0.5 best)", "TSTR acc", "label agreement", "fit s"], rows
        )
    )
    write_result("bench_ctgan", text)


if __name__ == "__main__":
    main()
