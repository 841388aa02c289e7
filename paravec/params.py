"""Parameter checks, declared once: what a parameter may be, and the message when it is not.

Every public function of paravec validates its parameters up front, as scikit-learn does, so that a
bad value fails at once with one line that names the parameter, what is allowed and what was given
-- never deep inside gensim's compiled code. The rules live here as small constraint objects; a
function declares its parameters' constraints with `validate`, or checks a value it derived
itself by calling a constraint directly.

Integers are checked as integers *but not bools* (``True`` is an ``int`` in Python, and
``epochs=True`` is a mistake, not one epoch); NumPy integers and floats are accepted and returned
as plain Python numbers.

Examples
--------
>>> from paravec.params import Integer, OneOf, validate
>>> @validate(k=Integer(min=1, max=100), mode=OneOf(("fast", "exact")))
... def search(query: str, k: int = 10, mode: str = "fast") -> tuple[int, str]:
...     return k, mode
>>> search("x", k=5)
(5, 'fast')
>>> search("x", k=0)
Traceback (most recent call last):
...
paravec.errors.ParameterError: k must be an integer from 1 to 100; got 0
>>> Integer(min=1)("epochs", True)
Traceback (most recent call last):
...
paravec.errors.ParameterError: epochs must be a positive integer; got True
"""

from __future__ import annotations

import functools
import inspect
import math
import sys
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, cast

from paravec.errors import ParameterError

__all__ = [
    "Boolean",
    "Constraint",
    "InstanceOf",
    "Integer",
    "IsCallable",
    "OneOf",
    "Real",
    "is_integer",
    "validate",
]

_F = TypeVar("_F", bound=Callable[..., Any])


class Constraint(Protocol):
    """A rule for one parameter: called with the parameter's name and value, it returns the value
    (normalised to a plain Python type) or raises `paravec.errors.ParameterError`."""

    def __call__(self, name: str, value: Any) -> Any: ...


def _numpy_types(name: str) -> tuple[type, ...]:
    # numpy is not imported here (the command line's help must not wait for it): a value can only
    # be a NumPy scalar if numpy is already loaded.
    np = sys.modules.get("numpy")
    return (getattr(np, name),) if np is not None else ()


def _is_bool(value: object) -> bool:
    return isinstance(value, (bool, *_numpy_types("bool_")))


def is_integer(value: object) -> bool:
    """True for Python and NumPy integers, False for bools (which are ints in Python)."""
    return isinstance(value, (int, *_numpy_types("integer"))) and not _is_bool(value)


def _is_real(value: object) -> bool:
    return is_integer(value) or (
        isinstance(value, (float, *_numpy_types("floating"))) and not _is_bool(value)
    )


def _fail(name: str, allowed: str, value: object) -> ParameterError:
    return ParameterError(f"{name} must be {allowed}; got {value!r}")


@dataclass(frozen=True)
class Integer:
    """An integer (not a bool) within ``[min, max]``; ``none=True`` lets ``None`` through."""

    min: int | None = None
    max: int | None = None
    none: bool = False

    def describe(self) -> str:
        if self.min is not None and self.max is not None:
            return f"an integer from {self.min:,} to {self.max:,}"
        if self.min == 1:
            return "a positive integer"
        if self.min == 0:
            return "a non-negative integer"
        if self.min is not None:
            return f"an integer >= {self.min:,}"
        if self.max is not None:
            return f"an integer <= {self.max:,}"
        return "an integer"

    def __call__(self, name: str, value: Any) -> int | None:
        if value is None and self.none:
            return None
        if (
            not is_integer(value)
            or (self.min is not None and value < self.min)
            or (self.max is not None and value > self.max)
        ):
            raise _fail(name, self.describe() + (" or None" if self.none else ""), value)
        return int(value)


@dataclass(frozen=True)
class Real:
    """A finite number within its bounds; ``open_min``/``open_max`` exclude the bound itself."""

    min: float | None = None
    max: float | None = None
    open_min: bool = False
    open_max: bool = False
    none: bool = False

    def describe(self) -> str:
        lo = "(" if self.open_min else "["
        hi = ")" if self.open_max else "]"
        if self.min is not None and self.max is not None:
            return f"a number in {lo}{self.min:g}, {self.max:g}{hi}"
        if self.min is not None:
            return f"a number {'>' if self.open_min else '>='} {self.min:g}"
        if self.max is not None:
            return f"a number {'<' if self.open_max else '<='} {self.max:g}"
        return "a finite number"

    def __call__(self, name: str, value: Any) -> float | None:
        if value is None and self.none:
            return None
        ok = _is_real(value) and math.isfinite(float(value))
        if ok and self.min is not None:
            ok = value > self.min if self.open_min else value >= self.min
        if ok and self.max is not None:
            ok = value < self.max if self.open_max else value <= self.max
        if not ok:
            raise _fail(name, self.describe() + (" or None" if self.none else ""), value)
        return float(value)


@dataclass(frozen=True)
class OneOf:
    """One of a fixed set of values (strings, usually)."""

    values: Collection[Any]
    none: bool = False

    def describe(self) -> str:
        return "one of " + ", ".join(repr(v) for v in self.values)

    def __call__(self, name: str, value: Any) -> Any:
        if value is None and self.none:
            return None
        try:
            allowed = value in self.values
        except TypeError:  # an unhashable value is in no set of names
            allowed = False
        if not allowed:
            raise _fail(name, self.describe() + (" or None" if self.none else ""), value)
        return value


@dataclass(frozen=True)
class Boolean:
    """``True`` or ``False`` (NumPy bools accepted), nothing else: ``keep_old_docs=0`` is a mistake."""

    def __call__(self, name: str, value: Any) -> bool:
        if not _is_bool(value):
            raise _fail(name, "True or False", value)
        return bool(value)


@dataclass(frozen=True)
class InstanceOf:
    """An instance of ``kind`` (a class or a tuple of classes), described as ``what``."""

    kind: type | tuple[type, ...]
    what: str
    none: bool = False

    def __call__(self, name: str, value: Any) -> Any:
        if value is None and self.none:
            return None
        if not isinstance(value, self.kind):
            raise ParameterError(f"{name} must be {self.what}, got {type(value).__name__}")
        return value


@dataclass(frozen=True)
class IsCallable:
    """A callable (a function, a class, an object with ``__call__``), described as ``what``."""

    what: str = "a callable"
    none: bool = False

    def __call__(self, name: str, value: Any) -> Any:
        if value is None and self.none:
            return None
        if not callable(value):
            raise ParameterError(f"{name} must be {self.what}, got {type(value).__name__}")
        return value


def validate(**constraints: Constraint) -> Callable[[_F], _F]:
    """Declare the constraints of a function's parameters; they are checked on every call.

    Values are checked in the order of the signature, so the first bad one is reported; each is
    replaced by what its constraint returns (a NumPy integer becomes an ``int``). Parameters
    without a constraint pass through untouched.

    Raises
    ------
    TypeError
        At declaration, when a constraint names a parameter the function does not have.
    """

    def decorate(fn: _F) -> _F:
        signature = inspect.signature(fn)
        unknown = set(constraints) - set(signature.parameters)
        if unknown:
            raise TypeError(f"{fn.__qualname__} has no parameter {sorted(unknown)[0]!r}")
        order = [name for name in signature.parameters if name in constraints]
        # A fast path for calls that name only the function's parameters, each once (binding the
        # signature took ~15 us, as long as a short query's inference); others go through bind.
        kinds = {p.kind for p in signature.parameters.values()}
        simple = kinds <= {inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY}
        positional = [n for n, p in signature.parameters.items() if p.kind == p.POSITIONAL_OR_KEYWORD]
        index = {name: i for i, name in enumerate(positional)}
        required = [n for n, p in signature.parameters.items() if p.default is p.empty]

        @functools.wraps(fn)
        def checked(*args: Any, **kwargs: Any) -> Any:
            n = len(args)
            if (
                simple
                and n <= len(positional)
                and all(index.get(k, n) >= n and k in signature.parameters for k in kwargs)
                and all(index.get(k, n) < n or k in kwargs for k in required)
            ):
                given = list(args)
                for name in order:
                    i = index.get(name, n)
                    if i < n:
                        given[i] = constraints[name](name, given[i])
                    elif name in kwargs:
                        kwargs[name] = constraints[name](name, kwargs[name])
                return fn(*given, **kwargs)
            bound = signature.bind(*args, **kwargs)
            for name in order:
                if name in bound.arguments:
                    bound.arguments[name] = constraints[name](name, bound.arguments[name])
            return fn(*bound.args, **bound.kwargs)

        return cast(_F, checked)

    return decorate
