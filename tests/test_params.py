"""paravec.params: declared parameter checks and their messages."""

from __future__ import annotations

import numpy as np
import pytest

from paravec.errors import ParameterError
from paravec.params import Boolean, InstanceOf, Integer, OneOf, Real, is_integer, validate


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3, True), (np.int64(3), True), (True, False), (np.bool_(True), False), (3.0, False), ("3", False)],
)
def test_is_integer_excludes_bools(value, expected):
    assert is_integer(value) is expected


def test_integer_bounds_and_normalisation():
    assert Integer(min=1)("k", np.int32(5)) == 5 and type(Integer(min=1)("k", np.int32(5))) is int
    assert Integer(min=1, max=3)("k", 3) == 3
    with pytest.raises(ParameterError, match=r"^k must be an integer from 1 to 3; got 4$"):
        Integer(min=1, max=3)("k", 4)
    with pytest.raises(ParameterError, match=r"^epochs must be a positive integer; got True$"):
        Integer(min=1)("epochs", True)
    with pytest.raises(ParameterError, match=r"^seed must be an integer; got 1\.5$"):
        Integer()("seed", 1.5)
    assert Integer(min=0, none=True)("n", None) is None
    with pytest.raises(ParameterError, match="non-negative integer or None"):
        Integer(min=0, none=True)("n", -1)


def test_real_open_and_closed_bounds():
    rate = Real(0.0, 1.0, open_min=True)
    assert rate("alpha", 1) == 1.0 and type(rate("alpha", 1)) is float
    for bad in (0.0, 1.5, float("nan"), float("inf"), True, "0.1"):
        with pytest.raises(ParameterError, match=r"alpha must be a number in \(0, 1\]"):
            rate("alpha", bad)
    assert Real(min=0)("weight", np.float32(0.25)) == 0.25
    with pytest.raises(ParameterError, match="weight must be a number >= 0; got -1"):
        Real(min=0)("weight", -1)


def test_one_of_boolean_instance_of():
    assert OneOf(("a", "b"))("mode", "b") == "b"
    with pytest.raises(ParameterError, match=r"mode must be one of 'a', 'b'; got 'c'"):
        OneOf(("a", "b"))("mode", "c")
    with pytest.raises(ParameterError, match="mode must be one of"):
        OneOf(("a", "b"))("mode", ["a"])  # unhashable: no crash, a clear message
    assert Boolean()("flag", np.bool_(False)) is False
    with pytest.raises(ParameterError, match="flag must be True or False; got 0"):
        Boolean()("flag", 0)
    with pytest.raises(ParameterError, match="model must be a gensim Doc2Vec, got str"):
        InstanceOf(int, "a gensim Doc2Vec")("model", "m")


def test_validate_checks_in_signature_order_and_passes_normalised_values():
    @validate(b=Integer(min=1), a=OneOf(("x", "y")))
    def f(a: str, b: int = 1, c: object = None) -> tuple[str, int, object]:
        return a, b, c

    assert f("x", np.int64(2), c=[1]) == ("x", 2, [1])
    assert type(f("y", b=np.int16(3))[1]) is int
    with pytest.raises(ParameterError, match=r"^a must be"):
        f("z", 0)  # both are wrong: the first in the signature is named
    assert f.__name__ == "f"


def test_validate_refuses_unknown_parameter_names_at_declaration():
    with pytest.raises(TypeError, match="has no parameter 'nope'"):

        @validate(nope=Integer())
        def g(a: int) -> int:
            return a


def test_validate_binds_every_way_of_calling_alike():
    # Plain calls take a fast path; calls with *args or **kwargs in the signature, or wrong ones, bind.
    @validate(k=Integer(min=1), mode=OneOf(("a", "b")), rate=Real(min=0))
    def plain(words, k=10, *, mode="a", rate=0.5):
        return words, k, mode, rate

    @validate(k=Integer(min=1))
    def variadic(*words, k=10, **extra):
        return words, k, extra

    assert plain("w", np.int64(3), mode="b") == ("w", 3, "b", 0.5)
    assert plain(words="w", k=2, rate=1) == ("w", 2, "a", 1.0)
    assert type(plain("w", k=np.int32(4))[1]) is int
    assert variadic("x", "y", k=np.int64(2), z=1) == (("x", "y"), 2, {"z": 1})
    with pytest.raises(ParameterError, match=r"^k must be a positive integer; got 0$"):
        plain("w", 0, mode="c")  # the first bad parameter in signature order
    with pytest.raises(ParameterError, match=r"^mode must be"):
        plain(words="w", mode="c", k=2)
    with pytest.raises(ParameterError, match=r"^k must be"):
        variadic(k=0)
    for args, kwargs in [(("w", 2, "b"), {}), (("w",), {"words": "v"}), ((), {"k": 2}), (("w",), {"q": 1})]:
        with pytest.raises(TypeError):
            plain(*args, **kwargs)
