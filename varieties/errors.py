"""Exceptions raised by :mod:`varieties`.

Every error a user can cause derives from :class:`VarietiesError`, carries a
message that names the offending value and says what would be valid, and is
caught by the command-line interface, which prints that one line and exits
with status 2.
"""


class VarietiesError(ValueError):
    """Base class of all errors caused by bad input to :mod:`varieties`."""


class SpecError(VarietiesError):
    """A network specification (string or dataclass) is malformed."""


class GroupError(VarietiesError):
    """A permutation group is malformed or does not fit the network."""


class ActionError(VarietiesError):
    """An action of the group on the outputs does not exist or does not fit."""


class NonlinearError(VarietiesError):
    """A linear method (a tying) was asked of nonlinear constraints."""


class EngineError(VarietiesError):
    """An algebra engine is missing, failed, or was given something it cannot do."""


class DataError(VarietiesError):
    """Training data do not fit the network or contain NaN/inf."""


class MethodError(VarietiesError):
    """A method was asked for that cannot handle the given input."""
