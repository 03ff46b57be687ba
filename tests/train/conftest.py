"""Session fixtures: a tiny LM, synthetic datasets, and one trained model of each kind."""

from __future__ import annotations

import pytest

from .synth import ConceptEncoder, build_lm, moments_config, recap_config, write_hcap, write_moments

CURRICULUM_STEPS = {"clip": 120, "segment": 120, "video": 120}
MOMENT_STEPS = 200


@pytest.fixture(scope="session", autouse=True)
def one_thread():
    import torch
    import transformers

    torch.set_num_threads(1)
    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    from vidrecap import registry

    registry.register("encoder", ConceptEncoder.spec)(ConceptEncoder)


@pytest.fixture(scope="session")
def lm_dir(tmp_path_factory):
    return build_lm(tmp_path_factory.mktemp("lm") / "gpt2")


@pytest.fixture(scope="session")
def hcap(tmp_path_factory):
    return write_hcap(tmp_path_factory.mktemp("hcap"), n_train=32, n_val=4)


@pytest.fixture(scope="session")
def moment_data(tmp_path_factory):
    return write_moments(tmp_path_factory.mktemp("moments"))


@pytest.fixture(scope="session")
def curriculum(tmp_path_factory, hcap, lm_dir):
    """A finished clip → segment → video run, and each stage's weights at its start."""
    from vidrecap.train.recap.train import load_recap_run, train_recap

    root = tmp_path_factory.mktemp("curriculum")
    run = load_recap_run(recap_config(root, hcap, lm_dir, CURRICULUM_STEPS))
    starts = {}

    def remember(name, model):
        starts[name] = {k: v.detach().clone() for k, v in model.state_dict().items()}

    reports = train_recap(run, quiet=True, on_stage_start=remember)
    return run, reports, starts


@pytest.fixture(scope="session")
def moments_run(tmp_path_factory, moment_data):
    from vidrecap.train.moments.train import load_moments_run, train_moments

    root = tmp_path_factory.mktemp("moments-run")
    run = load_moments_run(moments_config(root, moment_data, MOMENT_STEPS))
    return run, train_moments(run, quiet=True)
