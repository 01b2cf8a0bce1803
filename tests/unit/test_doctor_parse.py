"""Tests of the doctor's readers: pasted tensors, uploaded files and pasted loss lines.

Round trips: any tensor printed the way torch or numpy prints it parses back equal, dtype
included. Hostile input is refused with a message and nothing runs.
"""

from __future__ import annotations

import io
import os
import pickle
import re
import time
import zipfile

import hypothesis.extra.numpy as hnp
import ml_dtypes
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from lossviz.core.errors import LossValueError
from lossviz.doctor import LossCall, ParseError, load_tensors, parse_loss_call, parse_tensor

DTYPES = ["float16", "bfloat16", "float32", "float64", "int64", "int32", "uint8", "bool"]
_NUM = re.compile(r"[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan|inf)")


@st.composite
def arrays(draw, dtypes=DTYPES, min_dims=0):
    """Small arrays of every dtype torch prints, non-finite floats included."""
    name = draw(st.sampled_from(dtypes))
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=3, min_side=1, max_side=4))
    if name == "bfloat16":
        values = draw(hnp.arrays(np.float64, shape, elements=st.floats(-1e30, 1e30) | st.just(np.nan)))
        return values.astype(ml_dtypes.bfloat16)
    dtype = np.dtype(name)
    if dtype.kind == "f":
        elements = st.floats(width=dtype.itemsize * 8, allow_nan=True, allow_infinity=True)
    else:
        elements = None
    return draw(hnp.arrays(dtype, shape, elements=elements))


def to_torch(a: np.ndarray) -> torch.Tensor:
    if a.dtype.name == "bfloat16":
        return torch.from_numpy(a.astype(np.float32)).to(torch.bfloat16)
    return torch.from_numpy(a.copy())


def assert_same(got: np.ndarray, want: np.ndarray) -> None:
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert got.shape == want.shape
    if want.dtype.kind in "fV":
        np.testing.assert_array_equal(got.astype(np.float64), want.astype(np.float64))
    else:
        np.testing.assert_array_equal(got, want)


@pytest.fixture
def full_precision():
    torch.set_printoptions(precision=16, sci_mode=True)
    yield
    torch.set_printoptions(profile="default", sci_mode=None)


@settings(max_examples=150, deadline=None)
@given(arrays())
def test_torch_repr_round_trips_exactly(a):
    """Test that torch's repr at full precision parses back to the same values and dtype."""
    torch.set_printoptions(precision=16, sci_mode=True)
    try:
        text = repr(to_torch(a))
    finally:
        torch.set_printoptions(profile="default", sci_mode=None)
    assert_same(parse_tensor(text), a)


@settings(max_examples=100, deadline=None)
@given(arrays())
def test_torch_default_repr_parses_to_the_printed_numbers(a):
    """Test that torch's default (4-decimal) repr parses to exactly the numbers it shows, as floats."""
    text = repr(to_torch(a))
    got = parse_tensor(text)
    assert got.dtype == a.dtype and got.shape == a.shape
    if a.dtype.kind in "fV":
        body = text.split("dtype=")[0]
        shown = [float(tok) for tok in _NUM.findall(body)]
        want = np.array(shown, dtype=np.float64)
        if a.dtype.itemsize == 2:  # torch rounds a double to float, then to half/bfloat16
            want = want.astype(np.float32)
        with np.errstate(over="ignore"):
            want = want.astype(a.dtype).reshape(a.shape)
        np.testing.assert_array_equal(got.astype(np.float64), want.astype(np.float64))


@settings(max_examples=150, deadline=None)
@given(arrays(dtypes=["float16", "float32", "float64", "int64", "int32", "uint8", "bool"]))
def test_numpy_repr_round_trips_exactly(a):
    """Test that numpy's repr (shortest unique digits) parses back equal, dtype included."""
    with np.printoptions(floatmode="unique", threshold=10**6):
        assert_same(parse_tensor(repr(a)), a)


@settings(max_examples=150, deadline=None)
@given(arrays(dtypes=["float16", "float32", "float64", "int64", "bool"], min_dims=1))
def test_numpy_str_round_trips_given_its_dtype(a):
    """Test that numpy's comma-less str parses back equal when the page supplies the dtype it does not print."""
    with np.printoptions(floatmode="unique", threshold=10**6):
        assert_same(parse_tensor(str(a), dtype=a.dtype), a)


@settings(max_examples=100, deadline=None)
@given(arrays(dtypes=["float64", "int64", "bool"], min_dims=1))
def test_python_list_round_trips_with_torch_tensor_dtypes(a):
    """Test that a Python list parses as torch.tensor(list) reads it: float32, int64, bool."""
    want = torch.tensor(a.tolist()).numpy()
    assert_same(parse_tensor(str(a.tolist())), want)


@pytest.mark.parametrize(
    ("text", "dtype", "values"),
    [
        ("[0.8, 0.2, 0.4]", "float32", [0.8, 0.2, 0.4]),
        ("[1, 0, 2]", "int64", [1, 0, 2]),
        ("tensor([[1., 2.]], dtype=torch.float16)", "float16", [[1.0, 2.0]]),
        ("torch.tensor([1, 0, 2], dtype=torch.long)", "int64", [1, 0, 2]),
        ("tensor([0.5000, 0.2000], requires_grad=True)", "float32", [0.5, 0.2]),
        ("tensor([ 1.6659, -0.4679], grad_fn=<MulBackward0>)", "float32", [1.6659, -0.4679]),
        ("tensor([1., 2.], device='cuda:0', dtype=torch.float64)", "float64", [1.0, 2.0]),
        ("array([1.2, 3.4], dtype=float32)", "float32", [1.2, 3.4]),
        ("np.array([1.5, 2.5])", "float64", [1.5, 2.5]),
        ("[[ 1.2 -0.3]\n [ 0.5  2. ]]", "float32", [[1.2, -0.3], [0.5, 2.0]]),
        ("[nan, inf, -inf, 1e-3, −2.5E+2]", "float32", [np.nan, np.inf, -np.inf, 1e-3, -250.0]),
        ("0.4, 0.7, 1.2", "float32", [0.4, 0.7, 1.2]),
        ("tensor(0.3190)", "float32", 0.319),
        ("tensor(3)", "int64", 3),
        ("tensor([True, False])", "bool", [True, False]),
        ("[[1, 2],\n [3, 4],]", "int64", [[1, 2], [3, 4]]),
        ("torch.FloatTensor([1, 2])", "float32", [1, 2]),
        ("torch.LongTensor([1, 2])", "int64", [1, 2]),
        ("np.float64(0.25)", "float64", 0.25),
    ],
)
def test_reads_the_forms_learners_paste(text, dtype, values):
    """Test that each form a learner has at hand is read with torch.tensor's dtype."""
    got = parse_tensor(text)
    assert got.dtype.name == dtype
    want = np.array(values, dtype=np.float64).astype(np.float32 if dtype == "float32" else np.float64)
    np.testing.assert_array_equal(got.astype(np.float64), want.astype(np.float64))


@pytest.mark.parametrize("value", [torch.zeros(0, 3), torch.tensor([]), torch.zeros(2, 0, dtype=torch.long),
                                   np.zeros((0, 3), np.float32), np.zeros((2, 0)), np.array([], dtype=np.int32),
                                   torch.tensor(2.5), np.array(7)], ids=repr)
def test_empty_and_zero_dim_prints_round_trip(value):
    """Test that empty tensors (torch's size=, numpy's shape=) and 0-d ones parse back with shape and dtype."""
    want = value.numpy() if isinstance(value, torch.Tensor) else value
    assert_same(parse_tensor(repr(value)), want)


def test_floats_round_like_torch_tensor():
    """Test that a float is read as a double and then rounded to float32, as torch.tensor does."""
    text = "[0.1, 0.30000001192092896, 16.635532379150390]"
    assert parse_tensor(text).tobytes() == torch.tensor([0.1, 0.30000001192092896, 16.63553237915039]).numpy().tobytes()


@pytest.mark.parametrize(("text", "shape", "dtype"), [("(8, 5, 16) float32", (8, 5, 16), "float32"),
                                                      ("(8, 16) long", (8, 16), "int64"), ("(3,) torch.bool", (3,), "bool")])
def test_shape_spec_gives_a_seeded_random_tensor(text, shape, dtype):
    """Test that a spec of shape and dtype gives a seeded tensor of that shape and dtype."""
    a, b = parse_tensor(text), parse_tensor(text)
    assert a.shape == shape and a.dtype.name == dtype
    np.testing.assert_array_equal(a, b)


def test_spec_integers_are_below_int_high():
    """Test that spec integers lie in [0, int_high), so class targets can be drawn for C classes."""
    y = parse_tensor("(100,) long", int_high=5)
    assert y.min() >= 0 and y.max() < 5


def test_parse_error_is_a_loss_value_error_with_line_and_column():
    """Test that an unreadable token is reported with its line and column, as a LossValueError."""
    with pytest.raises(ParseError) as info:
        parse_tensor("[[1.0, 2.0],\n [3.0, x4]]")
    assert isinstance(info.value, LossValueError)
    assert info.value.code == "doctor_token"
    assert (info.value.params["line"], info.value.params["col"]) == (2, 8)
    assert "line 2, column 8" in str(info.value) and "x4" in str(info.value)


def test_ragged_rows_say_which_row():
    """Test that rows of different lengths name the row, its shape and the first row's."""
    with pytest.raises(ParseError) as info:
        parse_tensor("[[1, 2, 3],\n [4, 5, 6],\n [7, 8]]")
    assert info.value.code == "doctor_ragged"
    assert info.value.params["row"] == "[2]" and info.value.params["line"] == 3
    assert "(2,)" in str(info.value) and "(3,)" in str(info.value)


@pytest.mark.parametrize(("text", "code"), [("[1, 2", "doctor_unclosed"), ("[1,,2]", "doctor_token"),
                                            ("[[1, 2], 3]", "doctor_token"), ("[1, 2] junk", "doctor_token"),
                                            ("tensor([1, 2], foo=3)", "doctor_token"), ("", "doctor_token"),
                                            ("tensor([0.1, ..., 0.3])", "doctor_summarised"),
                                            ("(2, 3) complex64", "doctor_dtype"), ("(8, 16)", "doctor_dtype"),
                                            ("tensor([1.], dtype=torch.complex64)", "doctor_dtype")])
def test_bad_text_is_refused_with_a_code(text, code):
    """Test that each kind of bad paste raises ParseError with its code."""
    with pytest.raises(ParseError) as info:
        parse_tensor(text)
    assert info.value.code == code


def test_code_in_the_text_is_refused_and_not_run(tmp_path):
    """Test that code pasted as a tensor is refused and never runs."""
    marker = tmp_path / "ran"
    for text in (f"__import__('os').system('touch {marker}')", f"[__import__('os').system('touch {marker}')]",
                 f"tensor([1.], dtype=__import__('os').system('touch {marker}'))"):
        with pytest.raises(ParseError):
            parse_tensor(text)
    assert not marker.exists()


def test_ten_million_numbers_are_refused_before_parsing():
    """Test that 10^7 numbers are refused by the caps, quickly."""
    text = "[" + "0," * 10**7 + "0]"
    start = time.perf_counter()
    with pytest.raises(ParseError) as info:
        parse_tensor(text)
    assert info.value.code == "doctor_too_long"
    assert time.perf_counter() - start < 2.0
    with pytest.raises(ParseError) as info:
        parse_tensor("[" + "1 " * 2_000_000 + "]")
    assert info.value.code == "doctor_too_many"


def test_a_hundred_thousand_nested_brackets_are_refused():
    """Test that 10^5 nested brackets are refused by the depth cap without recursion."""
    text = "[" * 10**5 + "1" + "]" * 10**5
    with pytest.raises(ParseError) as info:
        parse_tensor(text, max_depth=10**6)  # capped at numpy's 64 dimensions anyway
    assert info.value.code == "doctor_too_deep" and info.value.params["col"] == 65


def save_torch(obj) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def test_loads_npy_and_pt():
    """Test that .npy and .pt (a tensor, a dict of tensors) load with their dtypes."""
    buf = io.BytesIO()
    np.save(buf, np.arange(6, dtype=np.int32).reshape(2, 3))
    assert load_tensors(buf.getvalue())["tensor"].dtype == np.int32
    got = load_tensors(save_torch({"logits": torch.randn(2, 3), "y": torch.tensor([0, 2]),
                                   "h": torch.ones(2, dtype=torch.bfloat16, requires_grad=True)}))
    assert {k: v.dtype.name for k, v in got.items()} == {"logits": "float32", "y": "int64", "h": "bfloat16"}


class _Evil:
    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_a_pickle_that_is_not_plain_tensors_is_refused_and_not_run(tmp_path):
    """Test that pickles holding code, objects or non-tensors are refused and nothing runs."""
    marker = tmp_path / "ran"
    evil = _Evil(marker)
    for data in (save_torch({"x": evil}), save_torch(evil), pickle.dumps(evil)):
        with pytest.raises(ParseError) as info:
            load_tensors(data)
        assert info.value.code == "doctor_file_refused" and "refused" in str(info.value)
    with pytest.raises(ParseError, match="'n' is a int"):
        load_tensors(save_torch({"x": torch.ones(2), "n": 3}))
    buf = io.BytesIO()
    np.save(buf, np.array([evil], dtype=object), allow_pickle=True)
    with pytest.raises(ParseError, match="allow_pickle"):
        load_tensors(buf.getvalue())
    assert not marker.exists()


def test_a_zip_that_inflates_far_beyond_its_size_is_refused():
    """Test that a .pt-looking zip declaring far more bytes than it holds is refused before inflating."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("archive/data/0", b"\0" * 50_000_000)
    with pytest.raises(ParseError, match="unpacks to"):
        load_tensors(buf.getvalue())


def test_files_over_the_size_cap_are_refused():
    """Test that a file over the byte cap is refused before it is read."""
    with pytest.raises(ParseError, match="limit"):
        load_tensors(save_torch(torch.zeros(1000)), max_bytes=1000)
    with pytest.raises(ParseError, match="not a .npy or .pt"):
        load_tensors(b"hello")


@pytest.mark.parametrize(
    ("text", "name", "kwargs"),
    [
        ("nn.CrossEntropyLoss(weight=torch.tensor([1., 2.]), label_smoothing=0.1)", "cross_entropy",
         {"weight": [1.0, 2.0], "label_smoothing": 0.1}),
        ("F.binary_cross_entropy_with_logits(x, y, pos_weight=torch.tensor([3.]))",
         "binary_cross_entropy_with_logits", {"pos_weight": [3.0]}),
        ("criterion = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor([3.]).to(device), reduction='sum')",
         "binary_cross_entropy_with_logits", {"pos_weight": [3.0], "reduction": "sum"}),
        ("nn.NLLLoss(ignore_index=-1)", "nll_loss", {"ignore_index": -1}),
        ("nn.BCELoss()(pred, label)", "binary_cross_entropy", {}),
        ("nn.CrossEntropyLoss(torch.tensor([1, 2]).float())", "cross_entropy", {"weight": [1.0, 2.0]}),
    ],
)
def test_reads_a_pasted_loss_line(text, name, kwargs):
    """Test that a pasted loss line gives the loss's functional name and its keyword values."""
    call = parse_loss_call(text)
    assert isinstance(call, LossCall) and call.name == name
    assert set(call.kwargs) == set(kwargs)
    for key, value in kwargs.items():
        got = call.kwargs[key]
        if isinstance(got, np.ndarray):
            assert got.dtype == np.float32
            np.testing.assert_array_equal(got, value)
        else:
            assert got == value


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('touch {m}')",
        "nn.CrossEntropyLoss(weight=__import__('os').system('touch {m}'))",
        "nn.CrossEntropyLoss(weight=torch.tensor([1.]).__class__)",
        "nn.CrossEntropyLoss(weight=w)",
        "nn.CrossEntropyLoss(**opts)",
        "nn.MSELoss()",
        "nn.BCELoss(pos_weight=torch.tensor([3.]))",
        "nn.CrossEntropyLoss(size_average=False)",
        "import os; os.system('touch {m}')",
        "(lambda: __import__('os').system('touch {m}'))()",
        "nn.CrossEntropyLoss(",
        "nn.CrossEntropyLoss(label_smoothing=[" * 100 + "]" * 100 + ")",
        "nn.CrossEntropyLoss(label_smoothing=" + "-" * 19000 + "1)",
        "nn.CrossEntropyLoss(label_smoothing=" + "not " * 4000 + "1)",
        "nn.CrossEntropyLoss(weight=torch.tensor([1.])" + ".float()" * 2000 + ")",
    ],
)
def test_a_loss_line_that_is_not_whitelisted_is_refused_and_not_run(text, tmp_path):
    """Test that anything outside the whitelist is refused with a message and nothing runs."""
    marker = tmp_path / "ran"
    with pytest.raises(ParseError) as info:
        parse_loss_call(text.replace("{m}", str(marker)))
    assert info.value.code in ("doctor_call", "doctor_too_deep")
    assert not marker.exists()
