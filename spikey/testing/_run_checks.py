"""Checks of a part at work: state layout, output contract, no hidden mutation, determinism, batch independence."""
from __future__ import annotations

import numpy as np

from spikey.testing._contracts import check_outputs, check_states
from spikey.testing._drive import (
    DATA_SEED,
    N_STEPS,
    SEED,
    Trace,
    batch_sizes,
    build,
    drive_scale,
    role,
    rng_moved,
    row_part,
    run,
    synthetic_weights,
)
from spikey._conformance import check, global_rng_untouched, require
from spikey.testing._trees import copy_tree, difference, leaf_difference, leaves, zip_leaves

__all__ = [
    "check_state_batch_axis",
    "check_step_contract",
    "check_params_not_mutated",
    "check_input_not_mutated",
    "check_seed_determinism",
    "check_batch_consistency",
    "check_learning_changes_weights",
    "check_blocks_equal_steps",
]

RTOL = 1e-9


@check
def check_state_batch_axis(part_class, config, *, observations=None):
    """Every state array has the batch size as its first axis, for batch sizes 1 and 3.
    """
    part = build(part_class, config)
    for batch in batch_sizes(config, part):
        trace, _ = run(part, batch, observations=observations)
        for label, state in trace.states:
            for path, leaf in leaves(state, "state"):
                require(isinstance(leaf, np.ndarray), f"{label}: {path} is a {type(leaf).__name__}, not an array.",
                        "a State holds only numpy arrays; keep configuration in params.")
                require(leaf.ndim >= 1 and leaf.shape[0] == batch,
                        f"{label} at batch_size={batch}: {path} has shape {leaf.shape}, whose first axis is not "
                        f"{batch}.", "allocate every state array with shape (batch_size, ...) in init_state; "
                        "a per-network scalar is a (batch_size,) array.")


@check
def check_step_contract(part_class, config, *, observations=None):
    """Outputs have the documented shape and dtype, spikes are bool and nothing is float16.

    Inputs and neurons: ``polarity`` (B, n) of +1, -1 or 0 and spikes (B, n)
    bool (inputs: (n_steps, B, n)).
    Weights: ``values`` (B, n_pre, n_post) float within the bounds ``low``,
    ``high`` (B, n_pre) of their presynaptic row, 0 where ``mask`` (bool) is False. Synapses: the same of the weights after
    every ``step`` and ``reward``. Readouts: actions (B,) or (B, n_actions).
    Rewarders: rewards (B,) float. States keep one type and no float16 arrays.
    """
    part = build(part_class, config)
    for batch in batch_sizes(config, part):
        trace, _ = run(part, batch, observations=observations)
        check_states(trace)
        check_outputs(part, role(part_class), batch, trace)


@check
def check_params_not_mutated(part_class, config, *, observations=None):
    """After ``N_STEPS`` steps, ``params`` is the same object with the same values and nothing was added.
    """
    part = build(part_class, config)
    params, before = part.params, copy_tree(part.get_params())
    run(part, max(batch_sizes(config, part)), observations=observations)
    require(part.params is params, "params was replaced while the part ran.",
            "parameters are fixed after construction; keep changing values in the State.")
    changed = difference(before, part.get_params(), "params")
    require(changed is None, f"running changed {changed}.",
            "never write into parameter arrays; copy them first (`x = params.x.copy()`).")
    extra = sorted(set(getattr(part, "__dict__", {})) - {"params"})
    require(not extra, f"running set attributes {extra} on the part.",
            "keep everything that changes in the State returned by init_state and step, not on self.")


@check
def check_input_not_mutated(part_class, config, *, observations=None):
    """The arrays and states handed to the part are left unchanged.

    That is: observations, incoming charge, spikes, rewards and rates, and the
    state passed to ``encode``, ``step`` and ``reward``, except the fields a
    rule lists in ``IN_PLACE_STATE`` (updated in place for speed, such as
    MSTDPET's eligibility ``z``).
    """
    part = build(part_class, config)
    trace, _ = run(part, max(batch_sizes(config, part)), observations=observations)
    for label, given, copy in trace.given:
        changed = difference(copy, given, label)
        require(changed is None, f"the part modified its input in place: {changed} (before vs after).",
                "never write into arguments or the state passed in; compute new arrays (`x = x + y`, not "
                "`x += y`) or copy first, or list a field updated in place on purpose in IN_PLACE_STATE.")


@check
def check_seed_determinism(part_class, config, *, observations=None):
    """Same seed, same outputs and states, bit for bit; numpy's global RNG is never touched.

    Two fresh parts run ``N_STEPS`` steps from ``np.random.default_rng(0)``.
    A part with ``prob_rand_fire > 0`` must also draw from the ``rng`` it is given.
    """
    def two_runs():
        parts = [build(part_class, config) for _ in range(2)]
        return [run(part, max(batch_sizes(config, part)), observations=observations) for part in parts]

    runs = global_rng_untouched(two_runs)
    part = build(part_class, config)
    (first, rng1), (second, rng2) = runs
    changed = difference((first.outputs, first.states), (second.outputs, second.states), "run")
    require(changed is None, f"two runs with the same seed differ: {changed}.",
            "draw randomness only from `rng` and keep no hidden state between calls.")
    require(rng1.bit_generator.state == rng2.bit_generator.state,
            "two runs with the same seed drew different amounts from rng.",
            "draw randomness only from `rng`, a fixed amount per call given the same inputs.")
    rate = part.params.get("prob_rand_fire")
    if rate is not None and np.any(np.asarray(rate) > 0):
        require(rng_moved(rng1), "prob_rand_fire > 0, but the part never drew from rng.",
                "draw spontaneous activity from the rng argument, e.g. rng.random(shape) < prob_rand_fire.")


@check
def check_batch_consistency(part_class, config, *, observations=None):
    """Each network of a batch matches a lone network fed that network's data and seeded with its seed.

    Row ``r`` of the synthetic data is the same whether it feeds network ``r``
    of a batch or a lone network, and network ``r`` draws from its own stream
    seeded ``SEED + r``, as in a network seeded with a list: so a part that
    couples the networks of a batch (a sum, mean or max over the batch axis,
    shared state) or draws other than batch first (a size not starting with
    the batch axis) is caught. Floats are compared to a relative 1e-9;
    per-network arrays of batched keys are compared with a lone network
    configured with that row's value. Configurations with a ``batch_size``
    key (e.g. per-network weight matrices) cannot be split into lone networks
    and are skipped.
    """
    part = build(part_class, config)
    if "batch_size" in config:
        return
    batch = max(batch_sizes(config, part))
    scale = drive_scale(part, batch) if role(part_class) == "neuron" else None
    try:
        batched, _ = run(part, batch, observations=observations, scale=scale, seed=[SEED + r for r in range(batch)])
    except (ValueError, AttributeError) as error:
        require(False, f"a batch whose networks each have their own stream fails: {error}",
                "draw with the batch axis first, rng.random((B, ...)), and only with Generator methods "
                "spikey.snn.streams.CopyStreams offers.")
    for row in range(batch):
        single, _ = run(row_part(part, row), 1, observations=observations, rows=[row], scale=scale, seed=SEED + row)
        _compare_row(batched, single, row, batch)


def _compare_row(batched: Trace, single: Trace, row: int, batch: int) -> None:
    pairs = zip_leaves((batched.outputs, batched.states), (single.outputs, single.states), "run")
    for path, x, y in pairs:
        if not isinstance(x, np.ndarray) or not isinstance(y, np.ndarray):
            continue
        require(x.ndim >= 1 and y.ndim >= 1 and x.shape == (batch, *y.shape[1:]),
                f"{path} has shape {x.shape} at batch_size={batch} but {y.shape} at batch_size=1.",
                "give every array a leading batch axis and the same shape otherwise.")
        changed = leaf_difference(x[row:row + 1], y[:1], f"{path}[{row}:{row + 1}]", RTOL)
        require(changed is None, f"network {row} of a batch of {batch} differs from a lone network fed the "
                f"same data and seeded alike: {changed} (batched vs lone).", "networks of a batch must not "
                "interact: no reductions over axis 0, no state shared across the batch; batched keys broadcast as "
                "(B, 1); random draws batch first, rng.random((B, ...)).")


@check
def check_learning_changes_weights(part_class, config, *, observations=None):
    """A learning rule changes the weights under the synthetic drive: one that never writes them is caught.

    The drive is the one of every synapse check (30 % spikes, rewards half of
    the time); a configuration that cannot learn (a zero learning rate) lists
    this check in ``expected_failed_checks``.
    """
    part = build(part_class, config)
    trace, _ = run(part, max(batch_sizes(config, part)), observations=observations)
    first, last = trace.outputs["weights"][0].values, trace.outputs["weights"][-1].values
    require(not np.array_equal(first, last), f"the weights never changed in {N_STEPS} steps of 30 % pre and "
            "post spikes with rewards.", "write the weight changes into weights.values in place (see "
            "spikey.snn.synapse.traces.add_outer), clipped to weights.low and weights.high.")


@check
def check_blocks_equal_steps(part_class, config, *, observations=None):
    """A learning rule's ``step`` over a block of steps equals one ``timestep`` per step.

    At batch sizes 1 and 3, both runs start from the same weights (as for the
    other synapse checks: magnitudes ``U[0, 1]``, a fifth of the synapses
    absent, mixed presynaptic polarities) and see the same block of ``4 * N_STEPS``
    steps (longer than a network's 64-step blocks) of Bernoulli(0.3) spikes
    with rewards at a third of the steps; weights and traces must agree to a
    relative 1e-9. Networks hand reward-gated rules whole blocks, so a rule
    whose block form drops or misplaces a step learns differently inside a
    network than alone.
    """
    part = build(part_class, config)
    for batch in batch_sizes(config, part):
        block, stepped = _block_and_steps(part, batch, 4 * N_STEPS)
        changed = difference(block, stepped, "(weights, state)", RTOL)
        require(changed is None, f"at batch_size={batch}, a block of {4 * N_STEPS} steps and as many single steps "
                f"differ: {changed} (block vs steps).", "make step() apply each step of the block in order, with "
                "that step's reward, exactly as timestep() would.")


def _block_and_steps(part, batch: int, n_steps: int):
    """``(weights, state)`` after one ``step`` over ``n_steps`` steps, and after as many ``timestep`` calls."""
    p, rng = part.params, np.random.default_rng(DATA_SEED)
    n_pre, n_post = p.n_inputs + p.n_neurons, p.n_neurons
    initial = synthetic_weights(lambda make: make(batch, rng), n_pre, n_post)
    pre = rng.random((n_steps, batch, n_pre)) < 0.3
    post = rng.random((n_steps, batch, n_post)) < 0.3
    rewards = np.where(rng.random((n_steps, batch)) < 1 / 3, rng.normal(0.0, 1.0, (n_steps, batch)), 0.0)
    block = initial._replace(values=initial.values.copy())
    block_state = part.step(part.init_state(batch, np.random.default_rng(SEED)), block, pre, post, rewards)
    stepped = initial._replace(values=initial.values.copy())
    state = part.init_state(batch, np.random.default_rng(SEED))
    for t in range(n_steps):
        state = part.timestep(state, stepped, pre[t], post[t], rewards[t])
    return (block.values, block_state), (stepped.values, state)

