"""Florian (2007)'s rate-coded XOR network playing the Logic XOR game.

Builds :class:`spikey.experiments.FlorianXOR` from the game's parameters,
prints the output neuron's firing rate (Hz) for each of the four input
patterns, trains for ``--episodes`` episodes of Logic XOR (each pattern shown
for 500 ms, reward at every output spike) and prints the rates again.

Usage::

    python examples/florian_xor.py --episodes 20 --seed 0
"""
from __future__ import annotations

import argparse

import numpy as np
from tqdm import tqdm

from spikey.experiments import FlorianXOR
from spikey.games import Logic

PATTERNS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.int8)


def output_rates(net) -> np.ndarray:
    """Output firing rate in Hz for each pattern, without learning."""
    training = net.training
    net.eval()
    rates = []
    for pattern in PATTERNS:
        net.reset()
        net.tick(pattern)
        rates.append(net.spike_log[:, 0, -1].mean() * 1000)
    net.training = training
    return np.array(rates)


def train(net, game, episodes: int, seed: int) -> list[float]:
    """Play ``episodes`` game episodes with learning on; return each episode's mean reward."""
    net.train()
    mean_rewards = []
    for episode in tqdm(range(episodes), desc="episodes"):
        observation, _ = game.reset(seed=seed + episode)
        net.reset()
        rewards, done = [], False
        while not done:
            action = net.tick(observation)
            rewards.append(net.reward(observation, action))
            observation, _, terminated, truncated, _ = game.step(action)
            done = terminated or truncated
        mean_rewards.append(float(np.mean(rewards)))
    return mean_rewards


def print_rates(title: str, rates: np.ndarray, game) -> None:
    expected = game.params.expected_value(PATTERNS)
    print(title)
    for pattern, rate, target in zip(PATTERNS, rates, expected):
        print(f"  {pattern[0]} XOR {pattern[1]} = {int(target)}   output {rate:6.1f} Hz")


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=10, help="training episodes (default: %(default)s)")
    parser.add_argument("--steps", type=int, default=8, help="patterns per episode (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="network and game seed (default: %(default)s)")
    args = parser.parse_args(argv)

    game = Logic(preset="XOR", max_steps=args.steps)
    net = FlorianXOR(game=game, keys={"seed": args.seed})
    before = output_rates(net)
    print_rates("Output rates before training:", before, game)
    mean_rewards = train(net, game, args.episodes, args.seed)
    after = output_rates(net)
    print_rates(f"Output rates after {args.episodes} episodes:", after, game)
    print(f"Mean reward per pattern: first episode {mean_rewards[0]:+.2f}, last {mean_rewards[-1]:+.2f}")
    return {"before": before, "after": after, "mean_rewards": mean_rewards}


if __name__ == "__main__":
    main()
