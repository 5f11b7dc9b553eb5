"""Progress a person can see (issue #21): n of N epochs or steps, the losses, the
time left; plain lines in logs; nothing in tests or parallel workers unless asked."""

import io
import threading

import numpy as np
import pytest

from skae import AutoencoderTransformer, GANSampler, PretrainedClassifier
from skae._progress import progress_mode

X = np.random.RandomState(0).randn(300, 6)
Y = np.where(np.arange(300) % 3 == 0, (X[:, 0] > 0).astype(int), -1)


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_verbose_1_prints_plain_progress_lines_in_logs(capsys):
    AutoencoderTransformer(2, max_epochs=10, verbose=1, random_state=0).fit(X)
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert out == "" and 5 <= len(lines) <= 11
    assert lines[-1].startswith("AutoencoderTransformer: 100% (10.0/10 epochs), loss ")
    assert "s left" in lines[0]
    assert "\r" not in err and "\x1b" not in err


def test_auto_is_silent_where_nobody_watches(capsys):
    AutoencoderTransformer(2, max_epochs=2, random_state=0).fit(X)
    GANSampler(max_steps=5, random_state=0).fit(X)
    assert capsys.readouterr() == ("", "")


def test_auto_shows_a_bar_only_in_the_main_thread_of_a_terminal():
    assert progress_mode("auto", Terminal()) == "bar"
    assert progress_mode("auto", io.StringIO()) is None
    assert progress_mode(1, io.StringIO()) == "lines"
    assert progress_mode(0, Terminal()) is None
    seen = []
    worker = threading.Thread(target=lambda: seen.append(progress_mode("auto", Terminal())))
    worker.start()
    worker.join()
    assert seen == [None]


def test_bar_counts_epochs_in_a_terminal(monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    AutoencoderTransformer(2, max_epochs=4, verbose=1, random_state=0).fit(X)
    assert "4/4 epochs" in terminal.getvalue()


def test_classifier_names_its_phases_and_the_gan_counts_steps(capsys):
    PretrainedClassifier(
        4, hidden_dims=(8,), pretrain_epochs=2, finetune_epochs=2, verbose=1, random_state=0
    ).fit(X, Y)
    err = capsys.readouterr().err
    assert "PretrainedClassifier, pretraining: 100% (2.0/2 epochs)" in err
    assert "PretrainedClassifier, fine-tuning: 100% (2.0/2 epochs)" in err
    GANSampler(max_steps=40, verbose=1, random_state=0).fit(X)
    err = capsys.readouterr().err
    assert "GANSampler: 100% (40.0/40 steps), critic loss " in err
    assert "generator loss" in err and "GANSampler, after training: fitting the rejection" in err


def test_verbose_2_table_has_no_colour_codes_in_logs(capsys):
    AutoencoderTransformer(2, max_epochs=3, verbose=2, random_state=0).fit(X)
    out = capsys.readouterr().out
    assert "train_loss" in out and "\x1b" not in out


@pytest.mark.parametrize("verbose", ["loud", -1, 1.5])
def test_bad_verbose_is_refused(verbose):
    with pytest.raises(ValueError, match="'verbose' parameter"):
        AutoencoderTransformer(verbose=verbose).fit(X)


def test_gan_epoch_table_shows_each_loss_once(capsys):
    GANSampler(max_steps=60, verbose=2, random_state=0).fit(X)
    header = next(line for line in capsys.readouterr().out.splitlines() if "epoch" in line)
    assert "critic_loss" in header and "generator_loss" in header
    assert "train_loss" not in header
