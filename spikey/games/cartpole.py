"""Cart-pole balancing, with Spikey's keys and Gymnasium CartPole-v1's physics.

A pole is hinged on a cart that moves on a frictionless track; each step pushes
the cart left or right with ``force_magnitude`` newtons for ``tau`` seconds.
The equations of motion (no friction) are those of Florian (2007), integrated
with Euler's method exactly as Gymnasium's CartPole-v1 does, so the DEFAULT
preset reproduces CartPole-v1 trajectories bit for bit for the same seed and
actions.

Each key's range keeps a step computable. The pole's angular acceleration is
at most ``3 (gravity + force_magnitude / mass_cart) / pole_half_length`` plus a
multiple of ``theta_dot**2``, the cart's follows from it, and one Euler step
adds ``tau`` times them to the velocities. So the cart's mass and the pole's
half length, like the termination thresholds, are at least 1e-3 (kg, m, rad);
gravity, the force, the masses, the lengths and the initial speeds are at most
1e3 (SI units); ``tau`` is at most 1 s and ``theta_max`` at most pi. Within
these ranges every state of an episode, up to the step that ends it, fits the
float32 observation (tested over random keys, seeds and actions), and the
initial state lies within the termination thresholds.

References
----------
R. V. Florian, "Correct equations for the dynamics of the cart-pole system",
Center for Cognitive and Neural Studies (Coneural), 2007.
https://coneural.org/florian/papers/05_cart_pole.pdf
"""
from __future__ import annotations

import math

import gymnasium
import numpy as np
from gymnasium import spaces

from spikey.constraints import Bounds
from spikey.games.template import Game, discrete_action, max_steps_key
from spikey.module import InvalidParameterError, Interval, Key, Options

__all__ = ["CartPole", "cartpole_step", "draw_cartpole"]

SMALLEST = 1e-3
"""Least mass of the cart (kg) and half length of the pole (m), as the accelerations divide by them; least
termination threshold x_max (m) and theta_max (rad)."""
LARGEST = 1e3
"""Largest gravity, force, mass, length (SI units) and initial speed (m/s, rad/s)."""
FLOAT32_MAX = float(np.finfo(np.float32).max)

_DEFAULT = {
    "x_max": 2.4,
    "theta_max": 12 * 2 * math.pi / 360,
    "x_init_range": (-0.05, 0.05),
    "xdot_init_range": (-0.05, 0.05),
    "theta_init_range": (-0.05, 0.05),
    "thetadot_init_range": (-0.05, 0.05),
    "gravity": 9.8,
    "mass_cart": 1.0,
    "mass_pole": 0.1,
    "pole_half_length": 0.5,
    "force_magnitude": 10.0,
    "tau": 0.02,
    "integrator": "euler",
    "max_steps": 500,
}


def _key(name, constraint, doc):
    return Key(name, constraint, doc, default=_DEFAULT[name])


def _init_range_key(name, doc):
    return _key(name, Bounds(), f"(low, high) of the uniform draw of the initial {doc}.")


KEYS = (
    _key("x_max", Interval(float, SMALLEST, LARGEST),
         "Episode terminates when |x| > x_max (m); within [1e-3, 1e3] m, the scale of every length here."),
    _key("theta_max", Interval(float, SMALLEST, math.pi),
         "Episode terminates when |theta| > theta_max (rad from upright); at least 1e-3 rad, as x_max, and at "
         "most pi, the pole hanging down (theta is not wrapped: beyond pi the pole would turn over unchecked)."),
    _init_range_key("x_init_range", "cart position x (m), within [-x_max, x_max]"),
    _init_range_key("xdot_init_range", "cart velocity (m/s), within [-1e3, 1e3]"),
    _init_range_key("theta_init_range", "pole angle (rad), within [-theta_max, theta_max]"),
    _init_range_key("thetadot_init_range", "angular velocity (rad/s), within [-1e3, 1e3]"),
    _key("gravity", Interval(float, 0, LARGEST), "Gravitational acceleration (m/s^2); at most 1e3, about 100 g."),
    _key("mass_cart", Interval(float, SMALLEST, LARGEST),
         "Mass of the cart (kg); at least 1e-3, as the accelerations divide by the total mass."),
    _key("mass_pole", Interval(float, 0, LARGEST, closed="right"),
         "Mass of the pole (kg); at most 1e3, as every mass here."),
    _key("pole_half_length", Interval(float, SMALLEST, LARGEST),
         "Half the length of the pole (m); at least 1e-3, as the pole's angular acceleration divides by it."),
    _key("force_magnitude", Interval(float, 0, LARGEST),
         "Force of one push (N); at most 1e3, which accelerates the lightest cart at 1e6 m/s^2."),
    _key("tau", Interval(float, 0, 1, closed="right"),
         "Simulated seconds per game step, the Euler integration step; at most 1 s (CartPole-v1: 0.02 s), as "
         "Euler's method follows the pole only while tau is well below its time scale "
         "sqrt(pole_half_length / gravity) (0.23 s by default), and a longer step can throw the state beyond "
         "what a float32 observation holds."),
    _key("integrator", Options("euler", "semi_implicit_euler"), "Integration scheme of the equations of motion."),
    max_steps_key(_DEFAULT["max_steps"]),
)


def _init_limits(p) -> dict:
    """For each initial-state range: the largest magnitude it may reach, and the key that sets it (or None)."""
    return {
        "x_init_range": (p.x_max, "x_max"),
        "xdot_init_range": (LARGEST, None),
        "theta_init_range": (p.theta_max, "theta_max"),
        "thetadot_init_range": (LARGEST, None),
    }


def _check_init_ranges(p) -> None:
    """Refuse initial-state ranges beyond the termination thresholds or the largest initial speed.

    Raises
    ------
    InvalidParameterError
        An ``*_init_range`` reaches beyond ``[-x_max, x_max]`` (x),
        ``[-theta_max, theta_max]`` (theta) or ``[-1e3, 1e3]`` (the
        velocities); the message names the range's key and the threshold's key.
    """
    for name, (limit, threshold) in _init_limits(p).items():
        low, high = p[name]
        if low < -limit or high > limit:
            bound = f"[-{threshold}, {threshold}] = [{-limit}, {limit}]" if threshold else f"[{-limit}, {limit}]"
            raise InvalidParameterError(
                f"The {name!r} parameter of CartPole must be within {bound}. Got {p[name]!r} instead."
            )


def cartpole_step(state: np.ndarray, force, p) -> np.ndarray:
    """Advance ``state`` (..., 4) = (x, x_dot, theta, theta_dot) by one step of ``p.tau`` s.

    ``force`` (N, scalar or shape (...)) pushes the cart; ``p`` holds the CartPole keys.
    Returns the new state as float64, same shape.
    """
    x, x_dot, theta, theta_dot = (state[..., i] for i in range(4))
    total_mass = p.mass_pole + p.mass_cart
    polemass_length = p.mass_pole * p.pole_half_length
    costheta, sintheta = np.cos(theta), np.sin(theta)
    temp = (force + polemass_length * np.square(theta_dot) * sintheta) / total_mass
    thetaacc = (p.gravity * sintheta - costheta * temp) / (
        p.pole_half_length * (4.0 / 3.0 - p.mass_pole * np.square(costheta) / total_mass)
    )
    xacc = temp - polemass_length * thetaacc * costheta / total_mass
    if p.integrator == "euler":
        x, x_dot = x + p.tau * x_dot, x_dot + p.tau * xacc
        theta, theta_dot = theta + p.tau * theta_dot, theta_dot + p.tau * thetaacc
    else:
        x_dot = x_dot + p.tau * xacc
        x = x + p.tau * x_dot
        theta_dot = theta_dot + p.tau * thetaacc
        theta = theta + p.tau * theta_dot
    return np.stack((x, x_dot, theta, theta_dot), axis=-1).astype(np.float64)


def _segment_distance(px, py, start, end):
    """Distance of each pixel (px, py) to the segment start-end."""
    direction = np.subtract(end, start)
    length2 = max(float(direction @ direction), 1e-12)
    t = np.clip(((px - start[0]) * direction[0] + (py - start[1]) * direction[1]) / length2, 0.0, 1.0)
    return np.hypot(px - (start[0] + t * direction[0]), py - (start[1] + t * direction[1]))


def draw_cartpole(state, x_max: float, pole_half_length: float, width: int = 600, height: int = 400) -> np.ndarray:
    """An RGB image (height, width, 3) uint8 of the cart-pole ``state``, drawn with numpy.

    The track spans ``[-x_max, x_max]`` across the image, as in Gymnasium's renderer.
    """
    x, _, theta, _ = (float(value) for value in state)
    scale = width / (2 * x_max)
    cart_x, cart_y, cart_w, cart_h = x * scale + width / 2.0, 100.0, 50.0, 30.0
    pole_len, pole_w = scale * 2 * pole_half_length, 10.0
    axle = (cart_x, cart_y + cart_h / 4.0)
    tip = (axle[0] + pole_len * math.sin(theta), axle[1] + pole_len * math.cos(theta))
    py, px = np.mgrid[height - 1 : -1 : -1, 0:width].astype(np.float64)  # y grows upwards
    image = np.full((height, width, 3), 255, dtype=np.uint8)
    image[np.abs(py - cart_y) < 0.5] = 0
    image[(np.abs(px - cart_x) <= cart_w / 2) & (np.abs(py - cart_y) <= cart_h / 2)] = 0
    image[_segment_distance(px, py, axle, tip) <= pole_w / 2] = (202, 152, 101)
    image[np.hypot(px - axle[0], py - axle[1]) <= pole_w / 2] = (129, 132, 203)
    return image


class CartPole(Game):
    """Balance a pole on a cart by pushing the cart left or right.

    Observation: the state ``(x, x_dot, theta, theta_dot)`` as float32,
    clipped into ``Box(-high, high)`` with ``high = (2 x_max, inf, 2 theta_max,
    inf)`` (as CartPole-v1). Action: ``Discrete(2)``, 0 (or False) pushes left,
    1 (or True) pushes right. Reward: 1.0 per step, including the step that
    terminates, 0.0 for steps taken after termination. Terminated when ``|x| >
    x_max`` or ``|theta| > theta_max``; truncated after ``max_steps`` steps. The
    initial state draws each component uniformly from its ``*_init_range``,
    which must lie within the thresholds. The state of a running episode lies
    within them too, so only the step that ends an episode, or a later one,
    can be clipped (a cart fast enough to jump beyond ``2 x_max`` in a step).
    A step whose state leaves float32's finite range (Euler's method diverging,
    in practice only after the episode has ended) raises ``FloatingPointError``
    and leaves the game as it was: it never returns a NaN or infinite
    observation.

    Parameters
    ----------
    preset : {"DEFAULT", "FREMAUX"}, optional
        DEFAULT: Gymnasium CartPole-v1 (also the key defaults). FREMAUX: the
        original Spikey preset after Frémaux et al. (2013): a wider track
        (x_max 2.5 m), the pole may fall to the horizontal (theta_max pi/2),
        start centred and upright with velocities in +-0.1.
    render_mode : {"rgb_array"}, optional
        ``render()`` then returns a (400, 600, 3) uint8 image (numpy only, no pygame).
    x_max : float in [1e-3, 1e3], default 2.4
    theta_max : float in [1e-3, pi], default 12 degrees (0.2094 rad)
    x_init_range, xdot_init_range, theta_init_range, thetadot_init_range : (float, float), default (-0.05, 0.05)
        Within ``[-x_max, x_max]``, ``[-1e3, 1e3]``, ``[-theta_max, theta_max]``, ``[-1e3, 1e3]``.
    gravity : float in [0, 1e3], default 9.8
    mass_cart : float in [1e-3, 1e3], default 1.0
    mass_pole : float in (0, 1e3], default 0.1
    pole_half_length : float in [1e-3, 1e3], default 0.5
    force_magnitude : float in [0, 1e3], default 10.0
    tau : float in (0, 1], default 0.02
    integrator : {"euler", "semi_implicit_euler"}, default "euler"
    max_steps : int, default 500

    Raises
    ------
    InvalidParameterError
        A key is out of its range, or an ``*_init_range`` reaches beyond its
        threshold (``x_max``, ``theta_max``) or beyond 1e3 (the velocities).

    References
    ----------
    N. Frémaux, H. Sprekeler, W. Gerstner, "Reinforcement learning using a
    continuous time actor-critic framework with spiking neurons", PLoS Comput.
    Biol. 9(4): e1003024, 2013.

    Examples
    --------
    >>> game = CartPole(preset="DEFAULT")
    >>> obs, info = game.reset(seed=0)
    >>> obs.shape, obs.dtype
    ((4,), dtype('float32'))
    >>> steps = 0
    >>> terminated = truncated = False
    >>> while not (terminated or truncated):
    ...     obs, reward, terminated, truncated, info = game.step(np.True_)  # always push right
    ...     steps += 1
    >>> terminated, steps < 50
    (True, True)
    >>> CartPole(x_max=-1)
    Traceback (most recent call last):
    ...
    spikey.module.InvalidParameterError: The 'x_max' parameter of CartPole must be a float in the range [0.001, 1000.0]. Got -1 instead.
    >>> CartPole(theta_init_range=(1, 2))
    Traceback (most recent call last):
    ...
    spikey.module.InvalidParameterError: The 'theta_init_range' parameter of CartPole must be within [-theta_max, theta_max] = [-0.20943951023931953, 0.20943951023931953]. Got (1.0, 2.0) instead.
    """

    NECESSARY_KEYS = KEYS
    PRESETS = {
        "DEFAULT": dict(_DEFAULT),
        "FREMAUX": {
            "x_max": 2.5,
            "theta_max": 0.5 * math.pi,
            "x_init_range": (0.0, 0.0),
            "xdot_init_range": (-0.1, 0.1),
            "theta_init_range": (0.0, 0.0),
            "thetadot_init_range": (-0.1, 0.1),
            "tau": 0.02,
        },
    }
    metadata = {"render_modes": ["rgb_array"], "render_fps": 50}

    def __init__(self, preset: str | None = None, render_mode: str | None = None, **kwargs):
        super().__init__(preset, render_mode, **kwargs)
        p = self.params
        _check_init_ranges(p)
        high = np.array([2 * p.x_max, np.inf, 2 * p.theta_max, np.inf], dtype=np.float32)
        self.observation_space = spaces.Box(-high, high, dtype=np.float32)
        self.action_space = spaces.Discrete(2)
        self._state = None
        self._steps = 0
        self._terminated = False

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        """Start an episode; return ``(state of shape (4,) float32, {})``."""
        super().reset(seed=seed)
        p = self.params
        ranges = np.array([p.x_init_range, p.xdot_init_range, p.theta_init_range, p.thetadot_init_range])
        ranges += 0.0  # -0.0 becomes 0.0: numpy's uniform refuses (0.0, -0.0), where high - low is -0.0
        self._state = self.np_random.uniform(low=ranges[:, 0], high=ranges[:, 1])
        self._steps, self._terminated = 0, False
        return self._observe(self._state), {}

    def step(self, action):
        """Push the cart; return ``(observation, reward, terminated, truncated, {})``.

        Raises
        ------
        gymnasium.error.ResetNeeded
            Before the first ``reset``.
        InvalidParameterError
            ``action`` is not one value of ``Discrete(2)``.
        FloatingPointError
            The new state does not fit a float32 observation (see the class
            docstring); the game keeps the state it had.
        """
        if self._state is None:
            raise gymnasium.error.ResetNeeded("Call CartPole.reset() before CartPole.step().")
        p = self.params
        push = discrete_action(action, 2, "CartPole")
        state = cartpole_step(self._state, p.force_magnitude if push == 1 else -p.force_magnitude, p)
        observation = self._observe(state)
        terminated = bool(abs(state[0]) > p.x_max or abs(state[2]) > p.theta_max)
        reward = 0.0 if self._terminated else 1.0
        self._state, self._terminated, self._steps = state, self._terminated or terminated, self._steps + 1
        return observation, reward, terminated, self._steps >= p.max_steps, {}

    def _observe(self, state: np.ndarray) -> np.ndarray:
        """``state`` (4,) as the float32 observation, clipped into ``observation_space``.

        Raises
        ------
        FloatingPointError
            A value of ``state`` is NaN or beyond float32's finite range.
        """
        if not np.all(np.abs(state) <= FLOAT32_MAX):
            p = self.params
            raise FloatingPointError(
                f"CartPole diverged at step {self._steps + 1} of the episode: the state (x, x_dot, theta, theta_dot) "
                f"= {tuple(state.tolist())} does not fit a float32 observation: tau={p.tau} s is too long an Euler "
                f"step for these dynamics. Lower tau, and reset once an episode terminates."
            )
        space = self.observation_space
        return np.clip(state, space.low, space.high).astype(np.float32)

    def render(self):
        """The current state as an RGB array (400, 600, 3), or None without ``render_mode``."""
        if self.render_mode is None:
            gymnasium.logger.warn("CartPole.render() called without render_mode; pass render_mode='rgb_array'.")
            return None
        if self._state is None:
            raise gymnasium.error.ResetNeeded("Call CartPole.reset() before CartPole.render().")
        return draw_cartpole(self._state, self.params.x_max, self.params.pole_half_length)
