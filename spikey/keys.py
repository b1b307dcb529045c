"""Keys shared by several parts, declared once so every part reads them alike."""
from numbers import Integral

from spikey.constraints import FloatVector, Optional
from spikey.module import InstanceOf, Interval, Key, Options

N_INPUTS = Key("n_inputs", Interval(int, 0, None), "Number of input channels (presynaptic only).", fixed=True)
N_NEURONS = Key("n_neurons", Interval(int, 1, None), "Number of body neurons, outputs included.", fixed=True)
N_OUTPUTS = Key("n_outputs", Interval(int, 1, None), "Number of output neurons: the last n_outputs body neurons.",
                fixed=True)
N_ACTIONS = Key(
    "n_actions", Interval(int, 1, None),
    "Number of actions: discrete choices, or the length of a flat action vector; "
    "group readouts split the outputs into this many equal groups.",
    fixed=True,
)
N_OBSERVATIONS = Key(
    "n_observations", Optional(Interval(int, 1, None)),
    "Values in one flattened observation; a game gives it from its observation space. None: any number the input "
    "part can encode (1 to n_inputs, or what its own keys fix).",
    default=None, fixed=True,
)
OBSERVATION_LOW = Key(
    "observation_low", Optional(FloatVector()),
    "Lower bound of each flattened observation value (-inf if unbounded); a game reads it from its observation "
    "space, and a rate-coding input maps [observation_low, observation_high] to [0, input_rate]. None: [0, 1].",
    default=None,
)
OBSERVATION_HIGH = Key(
    "observation_high", Optional(FloatVector()),
    "Upper bound of each flattened observation value (inf if unbounded); see observation_low. None: [0, 1].",
    default=None,
)
MAGNITUDE = Key("magnitude", Interval(float, 0, None), "Charge one spike delivers, before weighting.")
MAX_WEIGHT = Key("max_weight", Interval(float, 0, None, closed="neither"),
                 "Bound of every weight magnitude (mV): rows are bounded by [0, max_weight], [-max_weight, 0] or "
                 "[-max_weight, max_weight] by their polarity.", fixed=True)
PROCESSING_TIME = Key(
    "processing_time", Interval(int, 1, None), "Network timesteps (1 ms each) per game step."
)
BATCH_SIZE = Key("batch_size", Interval(int, 1, None), "Number of independent networks run in lockstep.", default=1,
                 fixed=True)
SEED = Key(
    "seed",
    InstanceOf((Integral, type(None)), "an int >= 0 or None", lambda v: v is None or (v >= 0 and not isinstance(v, bool))),
    "Seed of the network's random stream; None draws fresh entropy. An int seeds one numpy Generator for the whole "
    "batch; an array of one seed per network gives each its own Generator, so network k of the batch draws what a "
    "lone network seeded seed[k] draws and runs as it does (bit for bit on numba; on numpy, whose sums some parts "
    "take over the whole batch, potentials and weights agree to rounding).",
    default=None,
    batched=True,
    fixed=True,
    items=Interval(int, 0, None),
)
EXPECTED_VALUE = Key(
    "expected_value",
    InstanceOf(object, "a callable f(states) -> expected actions, vectorized over the batch axis", callable),
    "The correct action for each state of a batch: f(states of shape (B, ...)) -> array (B,).",
)
INPUT_DELAY = Key(
    "input_delay", Options(0, 1),
    "Steps (ms) from an input spike's emission to its arrival at the body neurons: 0, the same step; 1, the "
    "next step, as for body spikes (Florian 2007: every spike is a voltage jump on the next step).",
    default=0,
)
BACKEND = Key(
    "backend", Options("auto", "numpy", "numba"),
    "How ticks run: 'numpy', the parts' own numpy code (the reference, and the path of parts written outside "
    "Spikey); 'numba', one compiled call per tick for networks of built-in parts with a compiled twin (same spikes "
    "from the same seed, weights equal to 1e-12); 'auto', numba when every part has a twin and numba is installed.",
    default="auto", fixed=True,
)
FLOAT32_TOLERANCE = 1e-4
"""Weights of a float32 network agree with those of its float64 twin (same seed) to this times ``max_weight``.

Measured: at most 9.4e-6 over 400 drawn networks (LIF, Izhikevich and
CorticalIzhikevich neurons, STDP, MSTDP, MSTDPET, DopamineSTDP, batches of 1
to 3, two ticks of up to 30 steps), while their spikes are the same.
"""

DTYPE = Key(
    "dtype", Options("float64", "float32"),
    "Float type of the network's state: neuron potentials and recovery, weights and their row bounds, the learning "
    "rule's traces, eligibility and dopamine, and every step's arithmetic on them, on both backends. 'float64' (the "
    "default) is the reference. 'float32' halves the state's memory and the bytes a step moves, which pays for large "
    "networks, whose steps are memory- and bandwidth-bound (3000 LIF neurons with MSTDPET: 1.1-1.4x faster on numba, "
    "about 2x on numpy, 116 MB of weights and traces instead of 219). Its weights agree with a float64 run of the same "
    "seed to FLOAT32_TOLERANCE * max_weight while their spikes are the same; spikes stayed the same for 20,000 steps "
    "of Florian's XOR network (LIF), for about 1,300 steps of Izhikevich networks, whose chaos then amplifies the "
    "rounding. Random draws, rewards, input encodings and readout rates stay float64.",
    default="float64", fixed=True,
)
SPIKE_PAIRING = Key(
    "spike_pairing", Options("arrival", "emission"),
    "The step at which learning rules count a presynaptic spike: 'arrival', when it reaches the postsynaptic "
    "neuron; 'emission', when it is emitted, as Florian (2007)'s traces P+ do. Postsynaptic spikes count when emitted.",
    default="arrival",
)

# Learning rules (Florian 2007's symbols; Song, Miller & Abbott 2000 for the STDP window)
TAU_PLUS = Key("tau_plus", Interval(float, 0, None, closed="neither"),
               "Time constant τ+ (ms) of the presynaptic spike trace P+ (Florian 2007).", default=20.0)
TAU_MINUS = Key("tau_minus", Interval(float, 0, None, closed="neither"),
                "Time constant τ- (ms) of the postsynaptic spike trace P- (Florian 2007).", default=20.0)
A_PLUS = Key("a_plus", Interval(float, 0, None),
             "Potentiation amplitude A+ (>= 0): added to P+ at each presynaptic spike (Florian 2007).", default=1.0)
A_MINUS = Key("a_minus", Interval(float, None, 0),
              "Depression amplitude A- (<= 0; negative depresses): added to P- at each postsynaptic spike "
              "(Florian 2007).", default=-1.0)
LEARNING_RATE = Key("learning_rate", Interval(float, 0, None),
                    "Learning rate: weight change (mV) per unit of trace product, times the reward in "
                    "reward-modulated rules; Florian (2007)'s γ.", batched=True)
TAU_Z = Key("tau_z", Interval(float, 0, None, closed="neither"),
            "Time constant τz (ms) of the eligibility trace z (Florian 2007).", default=25.0)
TRACE_DECAY = Key("trace_decay", Interval(float, 0, 1), "Fraction of the reward trace R lost per step.")
