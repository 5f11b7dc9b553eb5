"""ODDS-style outlier-detection data sets that build offline (for bench_outliers.py).

Each construction takes a seed and returns ``(X, is_outlier)``: a training table
that holds its outliers (2-10% of the rows, as in the ODDS protocol, where a
detector is fitted on the contaminated data and every row is ranked by its score)
and a boolean label per row. Bundled scikit-learn data sets follow ODDS's recipe
(one or a few classes are the inliers, a small random draw of the others the
outliers); generated sets plant outliers of a known kind.

Not a benchmark itself (the leading underscore keeps it apart from the scripts).
"""

import numpy as np
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
    load_wine,
    make_blobs,
    make_circles,
    make_classification,
    make_moons,
    make_swiss_roll,
)


def _contaminate(X_in, X_out, fraction, rng):
    """Inliers plus ``fraction`` (of the result) outliers drawn from ``X_out``, shuffled."""
    n_out = max(2, round(fraction * len(X_in) / (1 - fraction)))
    X_out = X_out[rng.choice(len(X_out), n_out, replace=False)]
    X = np.vstack([X_in, X_out])
    is_outlier = np.r_[np.zeros(len(X_in), bool), np.ones(n_out, bool)]
    order = rng.permutation(len(X))
    return X[order], is_outlier[order]


def _one_class_out(load, outlier_class, fraction, seed):
    """A bundled labelled data set, ODDS's way: the rows of every class but
    ``outlier_class`` are the inliers, ``fraction`` of the rows drawn from it."""
    rng = np.random.default_rng(seed)
    X, y = load(return_X_y=True)
    return _contaminate(X[y != outlier_class], X[y == outlier_class], fraction, rng)


def _among_digits(X, outliers, rng):
    """1,200 digits drawn from ``X`` as the inliers, 4% of the rows ``outliers``:
    the recipe of the digit constructions whose outliers are altered digits."""
    inliers = X[rng.choice(len(X), 1200, replace=False)]
    return _contaminate(inliers, outliers, 0.04, rng)


def _near_subspace(basis, n, noise, rng):
    """``n`` rows at random points of the span of ``basis``'s rows, plus Gaussian
    noise of standard deviation ``noise`` in every column."""
    return rng.normal(size=(n, len(basis))) @ basis + noise * rng.normal(size=(n, basis.shape[1]))


def _uniform_away(X, low, high, n, min_distance, rng):
    """Of ``n`` points uniform in the box ``[low, high]``, those farther than
    ``min_distance`` from every row of ``X``."""
    uniform = rng.uniform(low, high, size=(n, X.shape[1]))
    far = np.min(((uniform[:, None] - X[None]) ** 2).sum(-1), axis=1) > min_distance**2
    return uniform[far]


def digits(seed):
    """Digits (8x8 images): two digits are the inliers, 5% of rows other digits
    (like ODDS's mnist: digit 0 against 6)."""
    rng = np.random.default_rng(seed)
    X, y = load_digits(return_X_y=True)
    inliers = rng.choice(10, 2, replace=False)
    mask = np.isin(y, inliers)
    return _contaminate(X[mask], X[~mask], 0.05, rng)


def breast_cancer(seed):
    """Wisconsin breast cancer (30 features): benign tumours, 4% malignant ones."""
    return _one_class_out(load_breast_cancer, 0, 0.04, seed)


def wine(seed):
    """Wine (13 features): cultivars 1 and 2, 7% of the third (ODDS's wine uses
    one cultivar against the others)."""
    return _one_class_out(load_wine, 2, 0.07, seed)


def blobs(seed):
    """Five Gaussian clusters of different spreads (standard deviations 0.5 to 2.5)
    in 4 dimensions; 5% of rows uniform over the clusters' bounding box, kept only
    at least 1 away from every cluster row: a density problem, where a dense
    cluster's surroundings are emptier than a loose one's."""
    rng = np.random.default_rng(seed)
    X, _ = make_blobs(
        n_samples=950,
        n_features=4,
        centers=5,
        cluster_std=np.linspace(0.5, 2.5, 5),
        random_state=seed,
    )
    return _contaminate(X, _uniform_away(X, X.min(0), X.max(0), 2000, 1.0, rng), 0.05, rng)


def manifold(seed):
    """Rows on a curved 4-dimensional manifold in 80 dimensions (plus noise); 5%
    outliers are inlier rows whose features were a quarter resampled from other
    rows: every value is typical on its own, the row as a whole is not."""
    rng = np.random.default_rng(seed)
    n, latent, width = 1000, 4, 80
    Z = rng.normal(size=(n, latent))
    A = rng.normal(size=(latent, 32)) / np.sqrt(latent)
    B = rng.normal(size=(32, width)) / np.sqrt(32)
    X = np.tanh(Z @ A) @ B + 0.05 * rng.normal(size=(n, width))
    n_out = round(0.05 * n / 0.95)
    outliers = X[rng.choice(n, n_out, replace=False)].copy()
    for row in outliers:
        columns = rng.choice(width, width // 4, replace=False)
        row[columns] = X[rng.integers(n, size=columns.size), columns]
    return _contaminate(X, outliers, 0.05, rng)


def digit(seed):
    """Digits: one digit (drawn with the seed) is the inlier class, 5% of rows
    other digits (ODDS's mnist keeps one digit against another)."""
    rng = np.random.default_rng(seed)
    X, y = load_digits(return_X_y=True)
    inlier = rng.integers(10)
    return _contaminate(X[y == inlier], X[y != inlier], 0.05, rng)


def subspace(seed):
    """800 rows near a random 5-dimensional subspace of 20 dimensions (noise 0.1);
    5% outliers drawn the same way but with noise 1.0: typical along the subspace,
    off it in every other direction."""
    rng = np.random.default_rng(seed)
    basis = rng.normal(size=(5, 20))
    X = _near_subspace(basis, 800, 0.1, rng)
    off = _near_subspace(basis, 60, 1.0, rng)
    return _contaminate(X, off, 0.05, rng)


def clusters(seed):
    """make_classification with 4 classes of one cluster each in 30 dimensions (8
    informative, 10 redundant): three classes are the inliers, 5% of rows the
    fourth, a cluster that overlaps the others in most directions."""
    rng = np.random.default_rng(seed)
    X, y = make_classification(
        n_samples=1200,
        n_features=30,
        n_informative=8,
        n_redundant=10,
        n_classes=4,
        n_clusters_per_class=1,
        random_state=seed,
    )
    return _contaminate(X[y != 3], X[y == 3], 0.05, rng)


def iris(seed):
    """Iris (4 features): setosa and versicolor, 5% virginica, which lies next to
    versicolor."""
    return _one_class_out(load_iris, 2, 0.05, seed)


def cancer_reversed(seed):
    """Breast cancer the other way round: malignant tumours, which vary widely, are
    the inliers, 5% benign ones (compact, at the small end of most features) the
    outliers."""
    return _one_class_out(load_breast_cancer, 1, 0.05, seed)


def moons_noise(seed):
    """Two moons (900 rows, noise 0.08); 5% uniform points kept at least 0.3 away
    from every moon row."""
    rng = np.random.default_rng(seed)
    X, _ = make_moons(900, noise=0.08, random_state=seed)
    noise = _uniform_away(X, X.min(0) - 0.5, X.max(0) + 0.5, 3000, 0.3, rng)
    return _contaminate(X, noise, 0.05, rng)


def swiss_roll(seed):
    """A swiss roll (noise 0.2) with 7 near-constant extra columns; 5% rows moved 8
    to 12 along the roll's axis and off the extra columns."""
    rng = np.random.default_rng(seed)
    X, _ = make_swiss_roll(1000, noise=0.2, random_state=seed)
    X = np.c_[X, 0.1 * rng.normal(size=(1000, 7))]
    outliers = X[rng.choice(1000, 60)].copy()
    outliers[:, 1] += rng.choice([-1, 1], 60) * rng.uniform(8, 12, 60)
    outliers[:, 3:] += rng.normal(size=(60, 7))
    return _contaminate(X, outliers, 0.05, rng)


def digits_noise(seed):
    """Digits 0 to 4; 3% outliers are digits with a fifth of their pixels set to
    random grey levels."""
    rng = np.random.default_rng(seed)
    X, y = load_digits(return_X_y=True)
    outliers = X[rng.choice(len(X), 200)].copy()
    mask = rng.random(outliers.shape) < 0.2
    outliers[mask] = rng.integers(0, 17, mask.sum())
    return _contaminate(X[np.isin(y, [0, 1, 2, 3, 4])], outliers, 0.03, rng)


def wine_pair(seed):
    """Wine: cultivars 1 and 3, 6% of cultivar 2, which lies between them on most
    features."""
    return _one_class_out(load_wine, 1, 0.06, seed)


def correlated(seed):
    """950 rows of a 10-dimensional Gaussian whose columns are strongly correlated
    (three latent factors plus noise 0.3); 5% outliers have each value drawn from
    another inlier row: typical column by column, unlike the rows jointly."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(950, 3)) @ rng.normal(size=(3, 10)) + 0.3 * rng.normal(size=(950, 10))
    shuffled = np.column_stack([X[rng.permutation(950), j] for j in range(10)])
    return _contaminate(X, shuffled, 0.05, rng)


def local_density(seed):
    """Two 2-d clusters, a dense one (500 rows, spread 0.3) and a loose one (450
    rows, spread 2, 6 away); 5% outliers 1.2 to 2 from the dense cluster's centre,
    which would be typical distances in the loose one (LOF's textbook case)."""
    rng = np.random.default_rng(seed)
    X = np.vstack([0.3 * rng.normal(size=(500, 2)), [6, 0] + 2 * rng.normal(size=(450, 2))])
    angle = rng.uniform(0, 2 * np.pi, 100)
    radius = rng.uniform(1.2, 2, 100)
    around = np.c_[radius * np.cos(angle), radius * np.sin(angle)]
    return _contaminate(X, around, 0.05, rng)


def digits_mirrored(seed):
    """All digits; 4% outliers are digits 2, 3, 4, 5, 7 and 9 mirrored left to
    right: each pixel value is common, the shapes are not."""
    rng = np.random.default_rng(seed)
    X, y = load_digits(return_X_y=True)
    asymmetric = np.isin(y, [2, 3, 4, 5, 7, 9])
    mirrored = X[asymmetric].reshape(-1, 8, 8)[:, :, ::-1].reshape(-1, 64)
    return _among_digits(X, mirrored, rng)


def lognormal_typos(seed):
    """A table of 12 skewed positive columns (lognormal, driven by two latent
    factors, as prices and counts are); 4% outliers are rows with two values
    multiplied or divided by 4 to 10, as entry errors are."""
    rng = np.random.default_rng(seed)
    X = np.exp(0.5 * rng.normal(size=(960, 2)) @ rng.normal(size=(2, 12)))
    X *= np.exp(0.2 * rng.normal(size=X.shape))
    typos = X[rng.choice(960, 100)].copy()
    for row in typos:
        columns = rng.choice(12, 2, replace=False)
        row[columns] *= rng.uniform(4, 10, 2) ** rng.choice([-1, 1], 2)
    return _contaminate(X, typos, 0.04, rng)


def cancer_ten(seed):
    """Breast cancer: benign tumours with 10% malignant ones, the most contamination
    ODDS sets allow."""
    return _one_class_out(load_breast_cancer, 0, 0.10, seed)


def iris_middle(seed):
    """Iris: setosa and virginica, 5% versicolor, which lies between them."""
    return _one_class_out(load_iris, 1, 0.05, seed)


def binary_prototypes(seed):
    """960 rows of 24 yes/no columns, each a copy of one of four prototypes with 10%
    of its answers flipped; 4% outliers flip half of theirs (answers at random)."""
    rng = np.random.default_rng(seed)
    prototypes = rng.random((4, 24)) < 0.5

    def flipped(n, share):
        rows = prototypes[rng.integers(4, size=n)]
        return (rows ^ (rng.random(rows.shape) < share)).astype(float)

    return _contaminate(flipped(960, 0.1), flipped(100, 0.5), 0.04, rng)


def sine_windows(seed):
    """Windows of 32 steps of a noisy sine (random phase, period 12 to 16, noise
    0.1); 5% outliers hold a spike of 1.5 at one step or a flat stretch of 8 steps."""
    rng = np.random.default_rng(seed)

    def windows(n):
        t = np.arange(32)
        phase = rng.uniform(0, 2 * np.pi, (n, 1))
        period = rng.uniform(12, 16, (n, 1))
        return np.sin(2 * np.pi * t / period + phase) + 0.1 * rng.normal(size=(n, 32))

    outliers = windows(100)
    for row in outliers:
        start = rng.integers(24)
        if rng.random() < 0.5:
            row[start] += rng.choice([-1.5, 1.5])
        else:
            row[start : start + 8] = row[start]
    return _contaminate(windows(950), outliers, 0.05, rng)


def density_5d(seed):
    """Three 5-d Gaussian clusters of spreads 0.2, 1 and 3 (300 rows each); 5%
    outliers lie 1 to 1.5 from the tightest cluster's centre, nearer than many rows
    of the loose ones are to theirs."""
    rng = np.random.default_rng(seed)
    centres = 8 * rng.normal(size=(3, 5))
    X = np.vstack(
        [c + s * rng.normal(size=(300, 5)) for c, s in zip(centres, (0.2, 1, 3), strict=True)]
    )
    directions = rng.normal(size=(100, 5))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    around = centres[0] + rng.uniform(1, 1.5, (100, 1)) * directions
    return _contaminate(X, around, 0.05, rng)


def poisson_counts(seed):
    """960 rows of 15 small counts (Poisson, rates 0.2 to 4 from one of three
    profiles, so many rows repeat); 4% outliers draw each count from a randomly
    chosen profile, column by column."""
    rng = np.random.default_rng(seed)
    profiles = rng.uniform(0.2, 4, size=(3, 15))
    X = rng.poisson(profiles[rng.integers(3, size=960)]).astype(float)
    mixed = profiles[rng.integers(3, size=(100, 15)), np.arange(15)]
    return _contaminate(X, rng.poisson(mixed).astype(float), 0.04, rng)


def gaussian_shift(seed):
    """950 rows of a 30-d standard Gaussian; 5% outliers are shifted by 0.7 in every
    dimension: unremarkable column by column, far off along the diagonal."""
    rng = np.random.default_rng(seed)
    return _contaminate(rng.normal(size=(950, 30)), rng.normal(size=(100, 30)) + 0.7, 0.05, rng)


def ring_hole(seed):
    """950 rows on a noisy ring of radius 3 in 3-d (noise 0.3); 5% outliers fill the
    hole (within radius 1.2 of the centre), surrounded by the ring."""
    rng = np.random.default_rng(seed)
    angle = rng.uniform(0, 2 * np.pi, 950)
    X = np.c_[3 * np.cos(angle), 3 * np.sin(angle), np.zeros(950)]
    X += 0.3 * rng.normal(size=X.shape)
    inside = rng.uniform(-1.2, 1.2, size=(400, 3)) * [1, 1, 0.25]
    inside = inside[np.linalg.norm(inside, axis=1) < 1.2]
    return _contaminate(X, inside, 0.05, rng)


def digits_chimeras(seed):
    """Digits; 4% outliers join the top half of one digit to the bottom half of a
    different one."""
    rng = np.random.default_rng(seed)
    X, y = load_digits(return_X_y=True)
    top, bottom = rng.choice(len(X), 200), rng.choice(len(X), 200)
    keep = y[top] != y[bottom]
    chimeras = np.c_[X[top[keep], :32], X[bottom[keep], 32:]]
    return _among_digits(X, chimeras, rng)


def two_spirals(seed):
    """Two interleaved 2-d spirals (950 rows, noise 0.3); 5% outliers uniform in
    their box and at least 0.8 from every spiral row, between the arms."""
    rng = np.random.default_rng(seed)
    t = np.sqrt(rng.uniform(0.05, 1, 950)) * 3 * np.pi
    arm = rng.choice([-1, 1], 950)[:, None]
    X = arm * np.c_[t * np.cos(t), t * np.sin(t)] + 0.3 * rng.normal(size=(950, 2))
    between = _uniform_away(X, X.min(0), X.max(0), 3000, 0.8, rng)
    return _contaminate(X, between, 0.05, rng)


def cancer_one_feature(seed):
    """Benign breast tumours; 5% outliers are benign rows with one feature
    multiplied by 2.5 to 4, as a unit or entry error would."""
    rng = np.random.default_rng(seed)
    X, y = load_breast_cancer(return_X_y=True)
    X = X[y == 1]
    outliers = X[rng.choice(len(X), 60)].copy()
    columns = rng.integers(X.shape[1], size=60)
    outliers[np.arange(60), columns] *= rng.uniform(2.5, 4, 60)
    return _contaminate(X, outliers, 0.05, rng)


def digits_shifted(seed):
    """Digits; 4% outliers are digits moved two pixels left or right, the freed
    columns left blank."""
    rng = np.random.default_rng(seed)
    X, _ = load_digits(return_X_y=True)
    images = X[rng.choice(len(X), 100)].reshape(-1, 8, 8)
    shifted = np.zeros_like(images)
    for image, moved in zip(images, shifted, strict=True):
        if rng.random() < 0.5:
            moved[:, 2:] = image[:, :-2]
        else:
            moved[:, :-2] = image[:, 2:]
    return _among_digits(X, shifted.reshape(-1, 64), rng)


def subspace_clusters(seed):
    """Three clusters of 320 rows in 12 dimensions, each spread along its own random
    2-d plane (noise 0.1); 5% outliers lie near a cluster's centre but off its plane
    (noise 1)."""
    rng = np.random.default_rng(seed)
    centres = 6 * rng.normal(size=(3, 12))
    planes = rng.normal(size=(3, 2, 12))
    X = np.vstack(
        [
            c + 2 * rng.normal(size=(320, 2)) @ p + 0.1 * rng.normal(size=(320, 12))
            for c, p in zip(centres, planes, strict=True)
        ]
    )
    off = centres[rng.integers(3, size=100)] + rng.normal(size=(100, 12))
    return _contaminate(X, off, 0.05, rng)


def diabetes_swapped(seed):
    """Diabetes patients (10 measurements, bundled with scikit-learn); 5% outliers
    are patients with three of their measurements taken from other patients, as a
    mix-up of records would: each value is common, its company is not."""
    rng = np.random.default_rng(seed)
    X, _ = load_diabetes(return_X_y=True)
    mixed = X[rng.choice(len(X), 60)].copy()
    for row in mixed:
        columns = rng.choice(X.shape[1], 3, replace=False)
        row[columns] = X[rng.integers(len(X), size=3), columns]
    return _contaminate(X, mixed, 0.05, rng)


def heavy_tails(seed):
    """950 rows of a correlated 8-d Student t with 3 degrees of freedom, whose
    extremes are inliers; 5% outliers are Gaussian rows of the same variances but
    no correlation, moderate in every column and off the correlation structure."""
    rng = np.random.default_rng(seed)
    mixing = rng.normal(size=(8, 8))
    cov = mixing @ mixing.T
    t = rng.normal(size=(950, 8)) @ np.linalg.cholesky(cov).T
    t /= np.sqrt(rng.chisquare(3, size=(950, 1)) / 3)
    spread = np.sqrt(3 * np.diag(cov))  # the t's standard deviations (df / (df - 2))
    return _contaminate(t, spread * rng.normal(size=(100, 8)), 0.05, rng)


def clusters_in_box(seed):
    """Five 6-d Gaussian clusters of 40 to 400 rows and spreads 0.3 to 2; 5%
    outliers uniform in the clusters' bounding box, at least 1 from every cluster
    row (the scattered noise of many ODDS sets)."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(40, 400, size=5)
    spreads = rng.uniform(0.3, 2, size=5)
    centres = 8 * rng.normal(size=(5, 6))
    X = np.vstack(
        [c + s * rng.normal(size=(n, 6)) for c, s, n in zip(centres, spreads, sizes, strict=True)]
    )
    scattered = _uniform_away(X, X.min(0), X.max(0), 2000, 1.0, rng)
    return _contaminate(X, scattered, 0.05, rng)


def digits_faint(seed):
    """Digits; 4% outliers are digits at 40% of their contrast, as an
    underexposed scan would be: the shapes are right, the ink is faint."""
    rng = np.random.default_rng(seed)
    X, _ = load_digits(return_X_y=True)
    faint = 0.4 * X[rng.choice(len(X), 100)]
    return _among_digits(X, faint, rng)


def totals_broken(seed):
    """950 rows of an account: six lognormal amounts and their total (with 1%
    rounding noise); 5% outliers have a total off by 10 to 30%, every value
    typical on its own."""
    rng = np.random.default_rng(seed)

    def accounts(n):
        amounts = np.exp(rng.normal(size=(n, 6)) + rng.normal(size=(1, 6)))
        total = amounts.sum(axis=1, keepdims=True) * (1 + 0.01 * rng.normal(size=(n, 1)))
        return np.hstack([amounts, total])

    broken = accounts(100)
    broken[:, -1] *= 1 + rng.choice([-1, 1], 100) * rng.uniform(0.1, 0.3, 100)
    return _contaminate(accounts(950), broken, 0.05, rng)


def cluster_midpoints(seed):
    """Twenty 10-d clusters of 45 rows (spread 0.5); 5% outliers lie halfway
    between two cluster centres (same spread), where no cluster is."""
    rng = np.random.default_rng(seed)
    centres = 2 * rng.normal(size=(20, 10))
    X = np.repeat(centres, 45, axis=0) + 0.5 * rng.normal(size=(900, 10))
    pairs = np.array([rng.choice(20, 2, replace=False) for _ in range(100)])
    midpoints = centres[pairs].mean(axis=1) + 0.5 * rng.normal(size=(100, 10))
    return _contaminate(X, midpoints, 0.05, rng)


def cancer_noise_columns(seed):
    """Breast cancer, benign tumours with 5% malignant ones, and 30 more columns of
    noise that tell nothing (real tables carry irrelevant columns)."""
    X, is_outlier = _one_class_out(load_breast_cancer, 0, 0.05, seed)
    rng = np.random.default_rng(seed + 1)
    return np.hstack([X, rng.normal(size=(len(X), 30))]), is_outlier


def digits_rotated(seed):
    """Digits; 4% outliers are digits 2, 3, 4, 5, 6, 7 and 9 turned a quarter turn,
    a scan fed in sideways."""
    rng = np.random.default_rng(seed)
    X, y = load_digits(return_X_y=True)
    turnable = np.isin(y, [2, 3, 4, 5, 6, 7, 9])
    turned = np.rot90(X[turnable].reshape(-1, 8, 8), axes=(1, 2)).reshape(-1, 64)
    return _among_digits(X, turned, rng)


def likert_careless(seed):
    """960 survey answers to 20 questions on a 1-to-5 scale, driven by two traits
    (each question loads on one; answers rounded and clipped); 5% careless
    respondents answer at random, each answer common, their pattern not."""
    rng = np.random.default_rng(seed)
    loads = rng.uniform(0.6, 1.2, size=20) * rng.choice([-1, 1], 20)
    trait_of = np.arange(20) % 2

    def answers(traits):
        latent = 3 + traits[:, trait_of] * loads + 0.6 * rng.normal(size=(len(traits), 20))
        return np.clip(np.round(latent), 1, 5)

    careless = rng.integers(1, 6, size=(100, 20)).astype(float)
    return _contaminate(answers(rng.normal(size=(960, 2))), careless, 0.05, rng)


def stuck_sensor(seed):
    """950 readings of 12 sensors driven by three shared signals (plus noise 0.3);
    5% outliers have one sensor stuck at a value it often reads (its median), so
    every value is typical and only the sensors' agreement is broken."""
    rng = np.random.default_rng(seed)
    mixing = rng.normal(size=(3, 12))
    X = _near_subspace(mixing, 950, 0.3, rng)
    stuck = _near_subspace(mixing, 100, 0.3, rng)
    sensors = rng.integers(12, size=100)
    stuck[np.arange(100), sensors] = np.median(X, axis=0)[sensors]
    return _contaminate(X, stuck, 0.05, rng)


def wide_few_rows(seed):
    """200 rows of 100 columns near a random 5-dimensional subspace (noise 0.3):
    far fewer rows than columns, as in gene-expression tables; 5% outliers have
    three times the noise off the subspace."""
    rng = np.random.default_rng(seed)
    basis = rng.normal(size=(5, 100))
    X = _near_subspace(basis, 200, 0.3, rng)
    return _contaminate(X, _near_subspace(basis, 20, 0.9, rng), 0.05, rng)


def digits_bold(seed):
    """Digits; 4% outliers are drawn with a thicker pen: each pixel takes the
    largest value of the 2x2 block it heads (itself, its right, lower and
    lower-right neighbours)."""
    rng = np.random.default_rng(seed)
    X, _ = load_digits(return_X_y=True)
    images = X[rng.choice(len(X), 100)].reshape(-1, 8, 8)
    padded = np.pad(images, ((0, 0), (0, 1), (0, 1)))
    bold = np.maximum.reduce([images, padded[:, 1:, :-1], padded[:, :-1, 1:], padded[:, 1:, 1:]])
    return _among_digits(X, bold.reshape(-1, 64), rng)


def too_average(seed):
    """950 rows of a correlated 10-d Gaussian; 5% outliers are fabricated rows,
    each value near the column's mean (a tenth of its spread): typical in every
    column, and too central together (in ten dimensions real rows lie on a
    shell around the mean)."""
    rng = np.random.default_rng(seed)
    mixing = rng.normal(size=(10, 10))
    X = rng.normal(size=(950, 10)) @ mixing
    fabricated = 0.1 * rng.normal(size=(100, 10)) @ mixing
    return _contaminate(X, fabricated, 0.05, rng)


def circles_between(seed):
    """Two concentric noisy circles (radii 1 and 0.5, 950 rows, noise 0.05); 5%
    outliers lie in the ring between them (radius 0.65 to 0.85)."""
    rng = np.random.default_rng(seed)
    X, _ = make_circles(950, factor=0.5, noise=0.05, random_state=seed)
    angle = rng.uniform(0, 2 * np.pi, 100)
    between = rng.uniform(0.65, 0.85, (100, 1)) * np.c_[np.cos(angle), np.sin(angle)]
    return _contaminate(X, between, 0.05, rng)


def wine_swapped_columns(seed):
    """Wines of all three cultivars; 5% outliers are wines with the values of two
    columns exchanged, as a mistyped column order on import leaves them."""
    rng = np.random.default_rng(seed)
    X, _ = load_wine(return_X_y=True)
    swapped = X[rng.choice(len(X), 40)].copy()
    for row in swapped:
        i, j = rng.choice(X.shape[1], 2, replace=False)
        row[[i, j]] = row[[j, i]]
    return _contaminate(X, swapped, 0.05, rng)


def digits_blotted(seed):
    """Digits; 4% outliers carry an ink blot: a 3x3 square of full ink at a random
    place."""
    rng = np.random.default_rng(seed)
    X, _ = load_digits(return_X_y=True)
    images = X[rng.choice(len(X), 100)].reshape(-1, 8, 8).copy()
    for image in images:
        top, left = rng.integers(6, size=2)
        image[top : top + 3, left : left + 3] = 16
    return _among_digits(X, images.reshape(-1, 64), rng)


CONSTRUCTIONS = {
    "digits": digits,
    "breast_cancer": breast_cancer,
    "wine": wine,
    "blobs": blobs,
    "manifold": manifold,
    "digit": digit,
    "subspace": subspace,
    "clusters": clusters,
    "iris": iris,
    "cancer_reversed": cancer_reversed,
    "moons_noise": moons_noise,
    "swiss_roll": swiss_roll,
    "digits_noise": digits_noise,
    "wine_pair": wine_pair,
    "correlated": correlated,
    "local_density": local_density,
    "digits_mirrored": digits_mirrored,
    "lognormal_typos": lognormal_typos,
    "cancer_ten": cancer_ten,
    "iris_middle": iris_middle,
    "binary_prototypes": binary_prototypes,
    "sine_windows": sine_windows,
    "density_5d": density_5d,
    "poisson_counts": poisson_counts,
    "gaussian_shift": gaussian_shift,
    "ring_hole": ring_hole,
    "digits_chimeras": digits_chimeras,
    "diabetes_swapped": diabetes_swapped,
    "heavy_tails": heavy_tails,
    "clusters_in_box": clusters_in_box,
    "digits_faint": digits_faint,
    "totals_broken": totals_broken,
    "cluster_midpoints": cluster_midpoints,
    "cancer_noise_columns": cancer_noise_columns,
    "digits_rotated": digits_rotated,
    "two_spirals": two_spirals,
    "cancer_one_feature": cancer_one_feature,
    "digits_shifted": digits_shifted,
    "subspace_clusters": subspace_clusters,
    "likert_careless": likert_careless,
    "stuck_sensor": stuck_sensor,
    "wide_few_rows": wide_few_rows,
    "digits_bold": digits_bold,
    "too_average": too_average,
    "circles_between": circles_between,
    "wine_swapped_columns": wine_swapped_columns,
    "digits_blotted": digits_blotted,
}
# Added after the detector's defaults were chosen, and left out of every choice
# since: a check of how the defaults carry to new data. Each held-out set is run
# once the choices it checks are made; where it shows a shortfall that the next
# choices address, it joins the constructions that inform them and a fresh set
# replaces it (iris to digits_noise first, then wine_pair to lognormal_typos, then
# cancer_ten to density_5d, then poisson_counts to digits_chimeras, then
# diabetes_swapped to digits_faint, then totals_broken to digits_rotated). The
# sets of two_spirals to subspace_clusters and likert_careless to digits_bold
# showed no shortfall beyond 0.001 and informed no choice; too_average to
# digits_blotted were added after them, the detector unchanged.
HELD_OUT = (
    "two_spirals",
    "cancer_one_feature",
    "digits_shifted",
    "subspace_clusters",
    "likert_careless",
    "stuck_sensor",
    "wide_few_rows",
    "digits_bold",
    "too_average",
    "circles_between",
    "wine_swapped_columns",
    "digits_blotted",
)
