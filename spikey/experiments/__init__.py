"""Ready-made network templates that reproduce published experiments."""
from spikey.experiments.florian2007 import (
    FlorianTemporalXOR,
    FlorianTemporalXORMSTDP,
    FlorianXOR,
    FlorianXORMSTDP,
    XORRates,
)
from spikey.experiments.izhikevich2007 import (
    ClassicalConditioning,
    ConditioningCallback,
    DistalReward,
    play_distal_reward,
    time_to_max,
)

__all__ = ["FlorianXOR", "FlorianXORMSTDP", "FlorianTemporalXOR", "FlorianTemporalXORMSTDP", "XORRates", "DistalReward",
           "ClassicalConditioning", "ConditioningCallback", "play_distal_reward", "time_to_max"]
