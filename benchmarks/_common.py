"""Helpers shared by the benchmark scripts: machine description, Markdown tables,
result files, timing statistics and the synthetic data set.

Not a benchmark itself (the leading underscore keeps it apart from the scripts).
"""

import datetime
import os
import pathlib
import platform
import statistics
import sys
import warnings

import numpy as np

RESULTS_DIR = pathlib.Path(__file__).resolve().parent / "results"
REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent

# The scripts are run as ``python benchmarks/<name>.py`` from the repository root;
# make ``import skae`` find the working tree even without an editable install.
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))


def check_environment():
    """Warn when the benchmark is run without ``OMP_WAIT_POLICY=PASSIVE``.

    With the default (active) policy, idle OpenMP threads spin for a while after each
    parallel region; on a small shared machine that steals cores from the other
    processes and makes timings noisy.
    """
    if os.environ.get("OMP_WAIT_POLICY", "").upper() != "PASSIVE":
        warnings.warn(
            "OMP_WAIT_POLICY=PASSIVE is not set; timings on a shared machine will be "
            "noisier. Run as `OMP_WAIT_POLICY=PASSIVE python benchmarks/<name>.py`.",
            stacklevel=2,
        )


def cpu_name():
    name = platform.processor()
    if name and name not in ("x86_64", "aarch64", "arm64", "i386"):
        return name
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return name or platform.machine()


def machine_header(title, extra=None):
    """A Markdown header: title, date, machine, library versions and settings."""
    import sklearn
    import torch

    try:
        import skorch

        skorch_version = skorch.__version__
    except ImportError:  # pragma: no cover
        skorch_version = "n/a"
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover
        cores = os.cpu_count()
    lines = [
        f"## {title}",
        "",
        f"- date: {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}",
        f"- machine: {cpu_name()} ({platform.machine()}), {cores} cores available, "
        f"{platform.system()} {platform.release()}",
        f"- python {platform.python_version()}, torch {torch.__version__}, "
        f"skorch {skorch_version}, scikit-learn {sklearn.__version__}, "
        f"numpy {np.__version__}",
        f"- torch threads: {torch.get_num_threads()}, "
        f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', '(unset)')}, "
        f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '(unset)')}",
    ]
    for item in extra or []:
        lines.append(f"- {item}")
    return "\n".join(lines) + "\n"


def markdown_table(headers, rows, align=None):
    """Render ``rows`` (lists of cells) under ``headers`` as a Markdown table.

    ``align`` is a string of ``l``/``r`` per column (default: first left, rest right).
    """
    align = align or "l" + "r" * (len(headers) - 1)
    cells = [[str(c) for c in row] for row in rows]
    widths = [
        max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)
    ]

    def fmt(row):
        out = []
        for cell, width, a in zip(row, widths, align):  # noqa: B905
            out.append(cell.ljust(width) if a == "l" else cell.rjust(width))
        return "| " + " | ".join(out) + " |"

    sep = (
        "|"
        + "|".join(
            ("-" * (w + 1) + ":") if a == "r" else (":" + "-" * (w + 1))
            for w, a in zip(widths, align)  # noqa: B905
        )
        + "|"
    )
    return "\n".join([fmt(headers), sep, *(fmt(r) for r in cells)]) + "\n"


def write_result(name, text, quick=False):
    """Print ``text`` and write it to ``benchmarks/results/<name>.md``.

    A ``--quick`` run writes ``<name>.quick.md`` so that it never overwrites the
    full results.
    """
    print(text)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / (f"{name}.quick.md" if quick else f"{name}.md")
    path.write_text(text if text.endswith("\n") else text + "\n")  # a POSIX text file
    print(f"[written to {path.relative_to(REPO_ROOT)}]")
    return path


def median(values):
    return statistics.median(values)


def fmt_s(seconds):
    if seconds >= 100:
        return f"{seconds:.0f}"
    if seconds >= 10:
        return f"{seconds:.1f}"
    return f"{seconds:.2f}" if seconds >= 1 else f"{seconds:.3f}"


def low_rank_data(n_samples, n_features, rank=32, noise=0.1, seed=0):
    """Float32 data in roughly [0, 1]: a rank-``rank`` signal plus Gaussian noise,
    squashed by a sigmoid (so it is neither trivially linear nor pure noise)."""
    rng = np.random.default_rng(seed)
    left = rng.standard_normal((n_samples, rank), dtype=np.float32)
    right = rng.standard_normal((rank, n_features), dtype=np.float32) / np.sqrt(rank)
    X = left @ right
    X += noise * rng.standard_normal((n_samples, n_features), dtype=np.float32)
    np.negative(X, out=X)
    np.exp(X, out=X)
    X += 1
    np.reciprocal(X, out=X)
    return np.ascontiguousarray(X, dtype=np.float32)


def load_average():
    """The 1-minute load average as a string (or "n/a")."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except (AttributeError, OSError):  # pragma: no cover
        return "n/a"
