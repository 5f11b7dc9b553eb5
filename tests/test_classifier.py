import copy
import pickle

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skae import AutoencoderTransformer, PretrainedClassifier, _propagation

# Small data is one batch an epoch: 100 fine-tuning epochs are 100 steps.
FAST = dict(pretrain_epochs=3, finetune_epochs=100, random_state=0)


@pytest.fixture(scope="module")
def semi_digits():
    """Digits with 5 labeled rows per class in the training part, the rest -1."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y
    )
    rng = np.random.RandomState(0)
    y_semi = np.full_like(y_train, -1)
    for label in range(10):
        rows = rng.choice(np.flatnonzero(y_train == label), 5, replace=False)
        y_semi[rows] = label
    return X_train, y_semi, X_test, y_test


@pytest.fixture
def two_blobs():
    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(-2, 1, (60, 4)), rng.normal(2, 1, (60, 4))])
    y = np.repeat([0, 1], 60)
    return X, y


def test_unlabeled_rows_help_beyond_labeled_only(semi_digits):
    X_train, y_semi, X_test, y_test = semi_digits
    labeled = y_semi != -1
    baseline = LogisticRegression(max_iter=2000).fit(X_train[labeled], y_semi[labeled])
    clf = PretrainedClassifier(pretrain_epochs=30, finetune_epochs=30, random_state=0)
    clf.fit(X_train, y_semi)
    assert clf.score(X_test, y_test) > baseline.score(X_test, y_test)
    assert_array_equal(clf.classes_, np.arange(10))


def test_predict_proba_and_transform(two_blobs):
    X, y = two_blobs
    clf = PretrainedClassifier(encoding_dim=3, **FAST).fit(X, y)
    proba = clf.predict_proba(X)
    assert proba.shape == (120, 2)
    assert_allclose(proba.sum(1), 1, rtol=1e-6)
    assert_allclose(np.exp(clf.predict_log_proba(X)), proba, rtol=1e-5, atol=1e-7)
    assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(1)])
    assert clf.score(X, y) > 0.95
    assert clf.transform(X).shape == (120, 3)
    assert clf.transform(X.astype(np.float32)).dtype == np.float32


@pytest.mark.parametrize(
    "labels",
    [
        np.array(["cat", "dog"], dtype=object),
        np.array([3, 7]),
        np.array([True, False]),
    ],
    ids=["strings", "ints", "bools"],
)
def test_label_types_with_unlabeled_rows(two_blobs, labels):
    X, y = two_blobs
    y_named = labels[y].astype(object)
    y_named[::3] = -1
    clf = PretrainedClassifier(**FAST).fit(X, y_named)
    assert set(clf.classes_) == set(labels)
    assert set(clf.predict(X)) <= set(labels)


def test_pandas_input_and_categorical_labels(two_blobs):
    pd = pytest.importorskip("pandas")
    X, y = two_blobs
    df = pd.DataFrame(X, columns=list("abcd"))
    labels = pd.Series(pd.Categorical.from_codes(y, ["low", "high"]))
    clf = PretrainedClassifier(**FAST).fit(df, labels)
    assert_array_equal(clf.feature_names_in_, list("abcd"))
    assert set(clf.predict(df)) == {"low", "high"}


def test_all_rows_labeled_is_fine(two_blobs):
    X, y = two_blobs
    assert PretrainedClassifier(**FAST).fit(X, y).score(X, y) > 0.95


@pytest.mark.parametrize(
    "make_y, match",
    [
        (lambda y: np.full_like(y, -1), "no labeled rows"),
        (lambda y: np.where(y == 0, -1, 1), "at least 2 classes"),
        (lambda y: y[:-1], "inconsistent numbers of samples"),
        (lambda y: np.where(y == 0, np.nan, 1.0), "NaN"),
        (lambda y: np.column_stack([y, y]), "1d array"),
        (lambda y: y + 0.5, "Unknown label type"),
    ],
    ids=["none-labeled", "one-class", "wrong-length", "nan", "multi-output", "continuous"],
)
def test_bad_labels(two_blobs, make_y, match):
    X, y = two_blobs
    with pytest.raises(ValueError, match=match):
        PretrainedClassifier(**FAST).fit(X, make_y(y))


def test_fitted_autoencoder_skips_pretraining(two_blobs):
    X, y = two_blobs
    ae = AutoencoderTransformer(encoding_dim=3, max_epochs=4, random_state=0).fit(X)
    before = ae.transform(X)
    clf = PretrainedClassifier(autoencoder=ae, **FAST).fit(X, y)
    # The pretrained autoencoder is the given one, untouched and not trained further.
    assert clf.autoencoder_.n_iter_ == 4
    assert_array_equal(clf.autoencoder_.transform(X), before)
    assert_array_equal(ae.transform(X), before)
    assert clf.transform(X).shape == (120, 3)


def test_unfitted_autoencoder_is_fitted_with_its_own_params(two_blobs):
    X, y = two_blobs
    ae = AutoencoderTransformer(encoding_dim=5, max_epochs=2, random_state=0)
    clf = PretrainedClassifier(autoencoder=ae, **FAST).fit(X, y)
    assert clf.autoencoder_.n_iter_ == 2
    assert clf.transform(X).shape == (120, 5)
    assert not hasattr(ae, "net_")


def test_autoencoder_with_other_feature_count_is_an_error(two_blobs):
    X, y = two_blobs
    ae = AutoencoderTransformer(max_epochs=1).fit(X[:, :3])
    with pytest.raises(ValueError, match="expects 3 features"):
        PretrainedClassifier(autoencoder=ae, **FAST).fit(X, y)


def test_freeze_encoder_trains_only_the_head(two_blobs):
    X, y = two_blobs
    clf = PretrainedClassifier(freeze_encoder=True, **FAST).fit(X, y)
    pretrained = clf.autoencoder_.net_.module_.state_dict()
    tuned = clf.net_.module_.autoencoder.state_dict()
    for name, value in pretrained.items():
        assert torch.equal(value, tuned[name]), name
    assert_allclose(clf.transform(X), clf.autoencoder_.transform(X), rtol=1e-6)
    assert clf.score(X, y) > 0.9


def test_balanced_class_weight_favours_the_minority():
    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(0, 1, (180, 2)), rng.normal(1.0, 1, (20, 2))])
    y = np.repeat([0, 1], [180, 20])
    plain = PretrainedClassifier(**FAST).fit(X, y)
    balanced = PretrainedClassifier(class_weight="balanced", **FAST).fit(X, y)
    assert (balanced.predict(X) == 1).sum() > (plain.predict(X) == 1).sum()


@pytest.mark.slow
def test_pipeline_grid_search_and_round_trips(two_blobs):
    X, y = two_blobs
    y_semi = y.copy()
    y_semi[::2] = -1
    pipe = make_pipeline(StandardScaler(), PretrainedClassifier(**FAST))
    search = GridSearchCV(
        pipe,
        {
            "pretrainedclassifier__encoding_dim": [2, 4],
            "pretrainedclassifier__freeze_encoder": [False, True],
        },
        cv=3,
        n_jobs=2,
        scoring=lambda est, X_, y_: float(np.mean(est.predict(X_[y_ != -1]) == y_[y_ != -1])),
    ).fit(X, y_semi)
    best = search.best_estimator_
    assert_array_equal(pickle.loads(pickle.dumps(best)).predict(X), best.predict(X))
    refit = clone(best).fit(X, y_semi)
    assert_array_equal(refit.predict_proba(X), best.predict_proba(X))


def test_early_stopping_validates_on_held_out_labels(two_blobs):
    X, y = two_blobs
    clf = PretrainedClassifier(
        early_stopping=True,
        n_iter_no_change=2,
        pretrain_epochs=3,
        finetune_epochs=200,
        random_state=0,
    ).fit(X, y)
    assert clf.n_iter_ < 200
    assert len(clf.validation_scores_) == clf.n_iter_
    assert clf.net_.labeled_ is None
    assert_array_equal(pickle.loads(pickle.dumps(clf)).predict(X), clf.predict(X))


@pytest.mark.slow
def test_warm_start_refit_with_some_classes_labeled(semi_digits):
    X_train, y_semi, _, _ = semi_digits
    clf = PretrainedClassifier(
        warm_start=True, pretrain_epochs=3, finetune_epochs=10, random_state=0
    ).fit(X_train, y_semi)
    y_few = np.where(np.isin(y_semi, [0, 1, 2]), y_semi, -1)
    clf.fit(X_train, y_few)
    assert_array_equal(clf.classes_, np.arange(10))
    assert clf.n_iter_ == 20  # the second fit's epochs continue the first's


def _semi(X, y, per_class, seed=0):
    """``y`` with ``per_class`` labeled rows per class kept, the others -1."""
    rng = np.random.RandomState(seed)
    y_semi = np.full_like(y, -1)
    for label in np.unique(y):
        y_semi[rng.choice(np.flatnonzero(y == label), per_class, replace=False)] = label
    return y_semi


def _noise_dominated(seed):
    """Two classes told apart by 3 of 50 standardised features: nearest neighbours
    are mostly decided by the other 47, so a graph over the rows misleads."""
    from sklearn.datasets import make_classification

    X, y = make_classification(
        300,
        n_features=50,
        n_informative=3,
        n_redundant=0,
        n_clusters_per_class=1,
        random_state=seed,
    )
    return StandardScaler().fit_transform(X), y


def _unlabeled_accuracy(X, y, y_semi):
    """Accuracy on the unlabeled rows of a LogisticRegression on the labeled ones and
    of the supervised reference the pseudo-labels fall back to."""
    unlabeled = y_semi == -1
    linear = LogisticRegression().fit(X[~unlabeled], y_semi[~unlabeled])
    supervised = _propagation.SupervisedFit(len(np.unique(y))).fit(X, y_semi)
    reference = supervised.predict_proba(X).argmax(1)
    return (
        linear.score(X[unlabeled], y[unlabeled]),
        np.mean(reference[unlabeled] == y[unlabeled]),
    )


def test_supervised_reference_bends_where_a_linear_fit_cannot():
    # Concentric circles: no line separates them, the kernel half of the reference does.
    from sklearn.datasets import make_circles

    linear, reference = [], []
    for seed in range(3):
        X, y = make_circles(300, noise=0.1, factor=0.5, random_state=seed)
        X = StandardScaler().fit_transform(X)
        scores = _unlabeled_accuracy(X, y, _semi(X, y, 10))
        linear.append(scores[0])
        reference.append(scores[1])
    assert np.mean(linear) < 0.6
    assert np.mean(reference) > np.mean(linear) + 0.15


def test_supervised_reference_keeps_a_right_linear_fit():
    # 3 informative features of 50: the linear fit is right, the reference as good.
    linear, reference = [], []
    for seed in range(3):
        X, y = _noise_dominated(seed)
        scores = _unlabeled_accuracy(X, y, _semi(X, y, 10))
        linear.append(scores[0])
        reference.append(scores[1])
    assert np.mean(reference) >= np.mean(linear) - 0.01


def test_propagation_is_trusted_where_the_labeled_rows_confirm_it(two_blobs):
    X, y = two_blobs
    targets, weights, share, supervised = _propagation.propagated_targets(X, _semi(X, y, 5), 2)
    assert share == 1.0
    assert supervised is None
    assert_array_equal(targets, y)
    assert (weights > 0.5).all()


def test_one_label_of_a_class_trusts_propagation(two_blobs):
    # Nothing to cross-validate: the propagated labels are used as they are.
    X, y = two_blobs
    assert _propagation.propagated_targets(X, _semi(X, y, 1), 2)[2] == 1.0


@pytest.mark.slow
def test_misleading_graph_does_not_lose_to_the_supervised_fit(monkeypatch):
    """Where the nearest-neighbour graph misleads, the classifier scores about as well
    on the unlabeled rows as a logistic regression on the labeled ones, and better
    than it would trusting the propagated labels and self-training fully."""
    params = dict(pretrain_epochs=3, finetune_epochs=60, random_state=0)
    scores, supervised, shares = [], [], []
    for seed in range(3):
        X, y = _noise_dominated(seed)
        y_semi = _semi(X, y, 10)
        unlabeled = y_semi == -1
        clf = PretrainedClassifier(**params).fit(X, y_semi)
        scores.append(clf.score(X[unlabeled], y[unlabeled]))
        shares.append(clf.propagation_share_)
        labeled = LogisticRegression().fit(X[~unlabeled], y_semi[~unlabeled])
        supervised.append(labeled.score(X[unlabeled], y[unlabeled]))
    assert np.mean(scores) >= np.mean(supervised) - 0.03
    assert np.mean(shares) < 1
    # The same fits trusting the graph as before: clearly worse.
    monkeypatch.setattr(_propagation, "_propagation_share", lambda *args: 1.0)
    trusting = []
    for seed in range(3):
        X, y = _noise_dominated(seed)
        y_semi = _semi(X, y, 10)
        unlabeled = y_semi == -1
        clf = PretrainedClassifier(**params).fit(X, y_semi)
        trusting.append(clf.score(X[unlabeled], y[unlabeled]))
    assert np.mean(scores) > np.mean(trusting) + 0.03


def test_predictions_fall_back_toward_the_supervised_fit():
    # 3 informative features of 50 and 3 labels per class: the labeled rows do not
    # trust the graph fully, and the predictions average the teacher's class
    # probabilities with the supervised fit's, by (1 - share) / 2.
    X, y = _noise_dominated(0)
    y_semi = _semi(X, y, 3)
    clf = PretrainedClassifier(**FAST).fit(X, y_semi)
    assert clf.propagation_share_ < 1
    weight = (1 - clf.propagation_share_) / 2
    teacher_only = copy.copy(clf)
    teacher_only.supervised_ = None
    teacher = teacher_only.predict_proba(X)
    M = clf.table_codec_.transform(X)  # the matrix the network and the fit read
    expected = (1 - weight) * teacher + weight * clf.supervised_.predict_proba(M)
    assert_allclose(clf.predict_proba(X), expected, rtol=1e-5, atol=1e-7)
    assert_allclose(np.exp(clf.predict_log_proba(X)), clf.predict_proba(X), rtol=1e-10)
    assert_array_equal(clf.predict(X), clf.classes_[expected.argmax(1)])
    # The whole fitted state survives a round trip.
    loaded = pickle.loads(pickle.dumps(clf))
    assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def test_predictions_are_the_teacher_s_where_propagation_is_trusted(two_blobs):
    X, y = two_blobs
    clf = PretrainedClassifier(**FAST).fit(X, _semi(X, y, 5))
    assert clf.propagation_share_ == 1.0
    assert clf.supervised_ is None


def test_propagation_share_is_zero_without_pseudo_labels(two_blobs):
    X, y = two_blobs
    clf = PretrainedClassifier(pseudo_labels=False, **FAST).fit(X, _semi(X, y, 5))
    assert clf.propagation_share_ == 0.0
    assert clf.net_.self_training_weight == 0.0
    assert clf.supervised_ is None
