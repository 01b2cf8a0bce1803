"""Read a tensor a learner pasted, in whatever form their notebook printed it.

Accepted: a Python list (``[[0.4, 0.7], [1.1, 0.6]]``); ``tensor([...])`` or
``torch.tensor([...], dtype=torch.long)`` as torch prints it or as typed (``requires_grad=True``,
``grad_fn=<...>``, ``device='cuda:0'``, ``size=(0, 3)`` are read or skipped); numpy's
``array([...], dtype=float32)``; numpy's comma-less print (``[[ 1.2 -0.3]\\n [ 0.5  2. ]]``);
bare numbers (``0.4, 0.7, 1.2``); ``nan``, ``inf``, exponents and the unicode minus ``−``.
A spec of only shape and dtype (``(8, 5, 16) float32``, ``(8, 16) long``) gives a seeded
random tensor, for exploring shape and dtype errors.

Nothing is evaluated: a regular-expression tokenizer and an iterative bracket scanner (no
recursion, so 10⁵ nested brackets cannot exhaust the stack) read the text. Text length,
element count and nesting depth are checked before parsing. dtypes follow ``torch.tensor``:
integers give int64 (torch's ``long``), floats float32, ``True``/``False`` bool, unless the
text names a dtype; numpy's ``array(...)`` keeps numpy's default float64, as ``torch.from_numpy``
would. Floats are read as Python floats (double) and then rounded to the dtype, as torch does.
"""

from __future__ import annotations

import re
import warnings

import ml_dtypes
import numpy as np

from lossviz.doctor.errors import ParseError, error_at

MAX_CHARS = 8_000_000  # ~ 500,000 values as torch prints them at full precision
MAX_ELEMENTS = 1_000_000
MAX_DEPTH = 32  # torch allows 64 dims, but no loss takes more than a few

_NAMES = {  # torch's names and aliases: torch.int is int32, torch.float float32
    np.bool_: "bool", np.uint8: "uint8", np.int8: "int8", np.int16: "int16 short", np.int32: "int32 int",
    np.int64: "int64 long", np.float16: "float16 half", ml_dtypes.bfloat16: "bfloat16",
    np.float32: "float32 float", np.float64: "float64 double",
}
DTYPES: dict[str, np.dtype] = {name: np.dtype(t) for t, names in _NAMES.items() for name in names.split()}
"""dtype names as torch spells them (``torch.``/``np.`` prefixes are dropped before the lookup)."""

_NUMPY_WRAPPERS = {"array", "np.array", "numpy.array", "np.asarray", "numpy.asarray"}
_TYPED_WRAPPERS = {  # constructors that fix the dtype: torch's legacy ones, numpy 2's scalar prints np.float32(0.5)
    "torch.Tensor": "float32", "torch.FloatTensor": "float32", "torch.LongTensor": "int64",
    **{f"{m}.{name}": name for m in ("np", "numpy") for name in ("float16", "float32", "float64", "int32", "int64")},
}
_PRINTED_ONLY = ("requires_grad", "device", "grad_fn", "names", "layout")  # in a print, not data: skipped
_WRAPPERS = {"tensor", "torch.tensor", "torch.as_tensor", *_TYPED_WRAPPERS, *_NUMPY_WRAPPERS}
_UNICODE = str.maketrans({"−": "-", "\u00a0": " ", "，": ",", "［": "[", "］": "]", "（": "(", "）": ")"})
_TOKEN = re.compile(
    r"""(?P<ws>\s+)
    |(?P<num>[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan\b|inf\b))
    |(?P<name>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)
    |(?P<str>'[^'\n]*'|"[^"\n]*")
    |(?P<angle><[^<>\n]*>)
    |(?P<op>[()\[\],=])""",
    re.X,
)
_NUMBER = re.compile(r"[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan|inf)|True|False")
_BRACKETS = re.compile(r"[\[\]]|[^\[\]]+")
_SEP, _SPACE = re.compile(r"\s*,?\s*"), re.compile(r"\s*")
_FLOATY, _BIG_INT = re.compile(r"[.eEnNiI]"), re.compile(r"\d{19}")
_SPEC = re.compile(
    r"\s*(?:torch\.Size\(\s*\[[\d\s,]*\]\s*\)|\([\d\s,]*\))"  # (8, 16) or torch.Size([8, 16])
    r"\s*,?\s*(?:dtype\s*=\s*)?(?P<dtype>[A-Za-z_][\w.]*)\s*"
)


def dtype_named(name: str, text: str = "", pos: int = 0) -> np.dtype:
    """The numpy dtype for a torch/numpy dtype name (``torch.long``, ``np.float32``, ``'half'``).

    >>> dtype_named("torch.long").name
    'int64'
    """
    key = name.strip("'\"").removeprefix("torch.").removeprefix("numpy.").removeprefix("np.")
    if key not in DTYPES:
        raise error_at("doctor_dtype", f"unknown dtype {name!r} (known: {', '.join(DTYPES)})", text, pos, dtype=name)
    return DTYPES[key]


def check_caps(text: str, *, max_chars: int, max_elements: int, max_depth: int) -> np.ndarray:
    """Refuse text over the caps without parsing it: length, then depth and value count.

    One vectorised pass over the characters; returns ``starts``, where ``starts[j] - starts[i]``
    counts the values (runs of non-separators) in ``text[i:j]``. A ',' after '[' or after
    another ',' is reported here too.
    """
    if len(text) > max_chars:
        raise _too_long(len(text), max_chars)
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    ascii_ = np.minimum(codes, 127)
    depth = np.cumsum(_DEPTH_STEP[ascii_], dtype=np.int64)
    if depth.size and depth.max() > max_depth:
        pos = int(np.argmax(depth > max_depth))
        raise error_at("doctor_too_deep", f"more than {max_depth} nested brackets", text, pos, limit=max_depth)
    sep = _SEPARATOR[ascii_]
    first = ~sep
    first[1:] &= sep[:-1]  # a value starts where a separator ends
    starts = np.concatenate(([0], np.cumsum(first, dtype=np.int64)))
    if starts[-1] > max_elements:
        raise ParseError("doctor_too_many", f"about {starts[-1]:,} values; the limit is {max_elements:,}",
                         size=int(starts[-1]), limit=max_elements)
    where = np.flatnonzero(~_SPACE_LUT[ascii_])
    marks = ascii_[where]
    doubled = ((marks[:-1] == ord(",")) | (marks[:-1] == ord("["))) & (marks[1:] == ord(","))
    if doubled.any():
        raise error_at("doctor_token", "expected a number", text, int(where[np.argmax(doubled) + 1]))
    return starts


def _too_long(size: int, limit: int) -> ParseError:
    return ParseError("doctor_too_long", f"the text has {size:,} characters; the limit is {limit:,}",
                      size=size, limit=limit)


def _lut(chars: str, values=True, dtype=bool) -> np.ndarray:
    table = np.zeros(128, dtype=dtype)
    table[[ord(c) for c in chars]] = values
    return table


_SPACE_LUT = _lut(" \t\n\r\v\f")
_SEPARATOR = _lut(" \t\n\r\v\f,[]()")
_DEPTH_STEP = _lut("[(])", [1, 1, -1, -1], np.int64)


def parse_tensor(
    text: str,
    *,
    dtype: str | np.dtype | None = None,
    max_chars: int = MAX_CHARS,
    max_elements: int = MAX_ELEMENTS,
    max_depth: int = MAX_DEPTH,
    seed: int = 0,
    int_high: int = 2,
) -> np.ndarray:
    """The tensor written in ``text``, as a numpy array of its dtype.

    Args:
        text: what the learner pasted (see the module docstring for the forms).
        dtype: the dtype when the text names none (numpy's comma-less print never does).
        max_chars, max_elements, max_depth: caps, checked before parsing.
        seed, int_high: for a shape-and-dtype spec: floats are standard normal, integers
            uniform in ``[0, int_high)`` (pass the class count for CrossEntropyLoss targets).

    Returns:
        An array; bfloat16 as ``ml_dtypes.bfloat16``.

    Raises:
        ParseError: with the line and column of the first unreadable token.

    >>> parse_tensor("tensor([[1., 2.]], dtype=torch.float16)")
    array([[1., 2.]], dtype=float16)
    >>> parse_tensor("[[ 1.2 −0.3]\\n [ 0.5  2. ]]").tolist()
    [[1.2000000476837158, -0.30000001192092896], [0.5, 2.0]]
    >>> parse_tensor("(2, 3) long").shape
    (2, 3)
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    if len(text) > max_chars:  # before even translating a huge text
        raise _too_long(len(text), max_chars)
    text = text.translate(_UNICODE)
    starts = check_caps(text, max_chars=max_chars, max_elements=max_elements, max_depth=min(max_depth, 64))
    default = None if dtype is None else dtype_named(dtype) if isinstance(dtype, str) else np.dtype(dtype)
    spec = _SPEC.fullmatch(text)
    if spec:
        return _random(spec, text, max_elements, seed, int_high)
    if re.fullmatch(r"\s*\(\s*\d+(?:\s*,\s*\d+)*\s*,?\s*\)\s*", text):
        raise error_at("doctor_dtype", "a shape needs a dtype, as in '(8, 16) long'", text, len(text.rstrip()))
    dots = text.find("...")
    if dots >= 0:
        raise error_at("doctor_summarised", "this print is summarised ('...'): print it in full with "
                       "torch.set_printoptions(profile='full') or np.set_printoptions(threshold=sys.maxsize), "
                       "or upload it as .pt/.npy", text, dots)
    return _Reader(text, starts).read(default)


def _random(spec: re.Match, text: str, max_elements: int, seed: int, int_high: int) -> np.ndarray:
    shape = tuple(int(s) for s in re.findall(r"\d+", text[: spec.start("dtype")]))
    dt = dtype_named(spec.group("dtype"), text, spec.start("dtype"))
    n = int(np.prod(shape, dtype=np.float64))
    if n > max_elements:
        raise ParseError("doctor_too_many", f"shape {shape} has {n:,} elements; the limit is {max_elements:,}",
                         size=n, limit=max_elements)
    rng = np.random.default_rng(seed)
    if dt == np.bool_:
        return rng.integers(0, 2, size=shape).astype(np.bool_)
    if dt.kind in "iu":
        return rng.integers(0, max(int_high, 1), size=shape).astype(dt)
    return rng.standard_normal(size=shape).astype(np.float32).astype(dt)


class _Reader:
    """One pass over ``text``: optional wrapper, the bracketed body (or one number), keywords."""

    def __init__(self, text: str, starts: np.ndarray) -> None:
        self.text, self.starts = text, starts
        self.tokens: list[tuple[str, str, int]] = []
        self.i = 0

    # ---------------------------------------------------------------- tokens ----
    def _tokenize(self, start: int, end: int) -> None:
        self.tokens, self.i = [], 0
        pos = start
        while pos < end:
            m = _TOKEN.match(self.text, pos, end)
            if m is None:
                raise error_at("doctor_token", "unreadable text", self.text, pos)
            if m.lastgroup != "ws":
                self.tokens.append((m.lastgroup, m.group(), pos))
            pos = m.end()

    def _peek(self) -> tuple[str, str, int]:
        return self.tokens[self.i] if self.i < len(self.tokens) else ("end", "", self._end)

    def _take(self, kind: str, value: str | None = None, what: str = "") -> tuple[str, str, int]:
        tok = self._peek()
        if tok[0] != kind or (value is not None and tok[1] != value):
            raise error_at("doctor_token", f"expected {what or value or kind}", self.text, tok[2])
        self.i += 1
        return tok

    # ------------------------------------------------------------------ read ----
    def read(self, default: np.dtype | None) -> np.ndarray:
        text = self.text
        open_at = text.find("[")
        head_end = open_at if open_at >= 0 else len(text)
        self._end = head_end
        call = re.match(r"\s*([A-Za-z_][\w.]*)\s*\(", text)
        if call and call.group(1) not in _WRAPPERS:
            raise error_at("doctor_token", "not a tensor: only tensor(...), torch.tensor(...) and array(...) are read",
                           text, call.start(1))
        self._tokenize(0, head_end)
        wrapper = None
        if len(self.tokens) >= 2 and self.tokens[0][0] == "name" and self.tokens[1][1] == "(":
            wrapper, self.i = self.tokens[0][1], 2
        numpy_default = wrapper in _NUMPY_WRAPPERS
        if open_at >= 0:
            if self.i != len(self.tokens):
                raise error_at("doctor_token", "unexpected text before '['", text, self._peek()[2])
            values, shape, body_end = _read_body(text, open_at, self.starts)
            self._end = len(text)
            self._tokenize(body_end, len(text))
        else:
            if wrapper is None:  # bare numbers: one value, or a row without brackets
                n = int(self.starts[-1])
                if n == 0:
                    raise ParseError("doctor_token", "no numbers in the text", line=1, col=1, token="")
                values = _read_leaves(text, [(0, len(text))], n)
                return _finish(values, () if n == 1 else (n,), None, default, False)
            kind, value, pos = self._peek()
            if kind != "num" and value not in ("True", "False"):
                raise error_at("doctor_token", "expected a number or '['", text, pos)
            values, shape = _read_leaves(text, [(pos, pos + len(value))], 1), ()
            self.i += 1
        named = self._keywords(wrapper)
        if "size" in named and values.size == 0:
            shape = named["size"]
        typed = DTYPES.get(_TYPED_WRAPPERS.get(wrapper or "", ""))
        return _finish(values, shape, named.get("dtype", typed), default, numpy_default)

    def _keywords(self, wrapper: str | None) -> dict:
        named: dict = {}
        if wrapper is None:
            if self.i < len(self.tokens):
                raise error_at("doctor_token", "unexpected text after the tensor", self.text, self._peek()[2])
            return named
        while self._peek()[1] == ",":
            self.i += 1
            if self._peek()[1] == ")":
                break
            key = self._take("name", what="a keyword")
            self._take("op", "=")
            kind, value, pos = self._peek()
            self.i += 1
            if key[1] == "dtype" and kind in ("name", "str"):
                named["dtype"] = dtype_named(value, self.text, pos)
            elif key[1] in ("size", "shape") and value == "(":  # torch's empty print / numpy's
                dims = []
                while self._peek()[1] != ")":
                    tok = self._take("num", what="a size")
                    dims.append(int(tok[1]))
                    if self._peek()[1] == ",":
                        self.i += 1
                self.i += 1
                named["size"] = tuple(dims)
            elif key[1] in _PRINTED_ONLY and kind in ("name", "str", "angle"):
                continue
            else:
                raise error_at("doctor_token", f"unexpected value for {key[1]}=", self.text, pos)
        self._take("op", ")", "')'")
        if self.i < len(self.tokens):
            raise error_at("doctor_token", "unexpected text after the tensor", self.text, self._peek()[2])
        return named


def _read_body(text: str, start: int, starts: np.ndarray) -> tuple[np.ndarray, tuple[int, ...], int]:
    """Scan brackets from ``text[start] == '['`` to its match, iteratively.

    Each open list is a frame ``[open_pos, n_children, child_shape]``; a leaf (numbers only)
    closes with shape ``(count,)``; a sibling of another shape is a ragged row. Returns the
    values, the shape and the position after the closing ``]``.
    """
    stack: list[list] = []
    leaves: list[tuple[int, int]] = []
    prev, run = "", None
    for m in _BRACKETS.finditer(text, start):
        piece = m.group()
        if piece not in "[]":
            run = m
            continue
        if run is not None and not (prev == "[" and piece == "]"):
            allowed = _SPACE if prev == "[" else _SEP
            if not allowed.fullmatch(run.group()):
                bad = run.start() + len(run.group()) - len(run.group().lstrip(" \t\r\n,"))
                what = "a number beside a list" if prev == "[" else "expected ',' or ']'"
                raise error_at("doctor_token", what, text, bad)
        if piece == "[":
            stack.append([m.start(), 0, None])
            prev, run = "[", None
            continue
        frame = stack.pop()
        if prev == "[":  # a leaf: the numbers between '[' and ']'
            lo, hi = (run.start(), run.end()) if run is not None else (m.start(), m.start())
            leaves.append((lo, hi))
            shape = (int(starts[hi] - starts[lo]),)
        else:
            shape = (frame[1], *frame[2])
        prev, run = "]", None
        if not stack:
            values = _read_leaves(text, leaves, int(sum(starts[hi] - starts[lo] for lo, hi in leaves)))
            return values, shape, m.end()
        parent = stack[-1]
        if parent[2] is None:
            parent[2] = shape
        elif parent[2] != shape:
            path = "".join(f"[{f[1]}]" for f in stack)
            first = path[: path.rfind("[")] + "[0]"
            raise error_at("doctor_ragged", f"row {path} has shape {shape}, row {first} has {parent[2]} "
                           "(rows of different lengths)", text, frame[0], row=path, expected=parent[2], got=shape)
        parent[1] += 1
    raise error_at("doctor_unclosed", "a '[' is never closed (opened here)", text, stack[-1][0] if stack else start)


def _read_leaves(text: str, spans: list[tuple[int, int]], n: int) -> np.ndarray:
    """Numbers of every leaf span, converted at once; token by token only to report an error."""
    joined = " ".join(text[lo:hi] for lo, hi in spans).replace(",", " ")
    values = None
    if n == 0:
        values = np.empty(0)  # torch.tensor([]) is floating
    elif "True" in joined or "False" in joined:
        words = np.array(joined.split())
        if np.isin(words, ["True", "False"]).all():
            values = words == "True"
    elif not _FLOATY.search(joined):
        values = _fromstring(joined, np.int64) if not _BIG_INT.search(joined) else _big_ints(joined, text, spans)
    else:
        values = _fromstring(joined, np.float64)
    if values is None or values.size != n:
        _first_bad(text, spans)
    return values


def _fromstring(joined: str, dtype) -> np.ndarray | None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        try:
            return np.fromstring(joined, dtype=dtype, sep=" ")
        except (ValueError, DeprecationWarning):
            return None


def _big_ints(joined: str, text: str, spans: list[tuple[int, int]]) -> np.ndarray:
    try:  # 19+ digits: exact Python ints, which must fit torch's int64 as in torch.tensor
        return np.array([int(w) for w in joined.split()], dtype=np.int64)
    except OverflowError:
        raise error_at("doctor_dtype", "an integer does not fit int64", text, spans[0][0]) from None
    except ValueError:
        _first_bad(text, spans)


def _first_bad(text: str, spans: list[tuple[int, int]]) -> None:
    for lo, hi in spans:
        for m in re.finditer(r"[^\s,]+", text[lo:hi]):
            if not _NUMBER.fullmatch(m.group()):
                raise error_at("doctor_token", "not a number", text, lo + m.start())
    raise error_at("doctor_token", "True/False mixed with numbers", text, spans[0][0])


def _finish(values: np.ndarray, shape, named: np.dtype | None, default: np.dtype | None, numpy_default: bool):
    dt = named or default
    if dt is None:
        dt = values.dtype if values.dtype != np.float64 or numpy_default else np.dtype(np.float32)
    arr = values.reshape(shape)
    if dt.name in ("float16", "bfloat16"):
        arr = arr.astype(np.float32)  # torch rounds double → float → half/bfloat16
    if arr.dtype.kind == "f" and dt.kind in "iub" and not np.isfinite(arr).all():
        raise ParseError("doctor_dtype", f"nan or inf cannot be stored as {dt.name}", dtype=dt.name)
    with np.errstate(over="ignore"):  # beyond float16's range is inf, as in torch
        return arr.astype(dt)
