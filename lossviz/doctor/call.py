"""Read a pasted loss line, ``nn.CrossEntropyLoss(weight=torch.tensor([1., 2.]), label_smoothing=0.1)``.

The text goes through ``ast.parse`` and a whitelist walk of the tree; nothing is compiled
or run. Only the four losses below and their functional names are read, only their
documented keywords, and only literal values: numbers, strings, ``True``/``False``/``None``,
lists, and ``torch.tensor([...], dtype=torch.xxx)`` with ``.to(...)``, ``.cuda()``, ``.cpu()``
(ignored: everything runs on the CPU) and ``.float()``-style casts. Anything else — a
variable, an attribute, another call, ``__import__('os').system(...)`` — is refused with
its line and column.
"""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass, field

import numpy as np

from lossviz.doctor.parse import DTYPES, ParseError, check_caps, dtype_named

MAX_CALL_CHARS = 20_000

LOSSES: dict[str, tuple[str, tuple[str, ...]]] = {
    "BCELoss": ("binary_cross_entropy", ("weight", "reduction")),
    "BCEWithLogitsLoss": ("binary_cross_entropy_with_logits", ("weight", "reduction", "pos_weight")),
    "CrossEntropyLoss": ("cross_entropy", ("weight", "ignore_index", "reduction", "label_smoothing")),
    "NLLLoss": ("nll_loss", ("weight", "ignore_index", "reduction")),
}
"""Module class → (functional name, documented keywords, in the order of the signature)."""
FUNCTIONAL = {fn: cls for cls, (fn, _) in LOSSES.items()}
_MODULE_PREFIXES = ("", "nn.", "torch.nn.")
_FUNCTIONAL_PREFIXES = ("", "F.", "functional.", "nn.functional.", "torch.nn.functional.")
_TENSOR_CALLS = {"torch.tensor", "tensor", "torch.as_tensor", "torch.Tensor", "torch.FloatTensor", "torch.LongTensor"}
_CASTS = {"float": "float32", "double": "float64", "half": "float16", "long": "int64", "int": "int32", "bool": "bool"}
_DEPRECATED = {"size_average", "reduce"}


@dataclass(frozen=True)
class LossCall:
    """A loss and its keywords: ``name`` is the functional name (``"cross_entropy"``)."""

    name: str
    kwargs: dict = field(default_factory=dict)

    @property
    def module(self) -> str:
        """The module class name (``"CrossEntropyLoss"``)."""
        return FUNCTIONAL[self.name]


def parse_loss_call(text: str, *, max_chars: int = MAX_CALL_CHARS) -> LossCall:
    """The loss named in ``text`` with its keyword values (tensors as numpy arrays).

    >>> parse_loss_call("nn.CrossEntropyLoss(weight=torch.tensor([1., 2.]), label_smoothing=0.1)")
    LossCall(name='cross_entropy', kwargs={'weight': array([1., 2.], dtype=float32), 'label_smoothing': 0.1})
    >>> parse_loss_call("loss = F.binary_cross_entropy_with_logits(x, y, pos_weight=torch.tensor([3.]))").kwargs
    {'pos_weight': array([3.], dtype=float32)}
    """
    check_caps(text, max_chars=max_chars, max_elements=max_chars, max_depth=32)
    try:
        return _read_call(text.strip())
    except (RecursionError, MemoryError):  # CPython's parser and the walk give up on deep nesting
        raise _refuse("too deeply nested to read", 1, 0) from None


def _read_call(source: str) -> LossCall:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)  # e.g. "invalid decimal literal": an error follows
            tree = ast.parse(source, mode="exec")
    except SyntaxError as exc:
        raise _refuse(f"not Python: {exc.msg}", exc.lineno or 1, (exc.offset or 1) - 1) from None
    if len(tree.body) != 1:
        raise _refuse("paste one line: the loss call", 1, 0)
    stmt = tree.body[0]
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
        node = stmt.value
    elif isinstance(stmt, ast.Expr):
        node = stmt.value
    else:
        raise _refuse("expected a loss call such as nn.CrossEntropyLoss(...)", stmt.lineno, stmt.col_offset)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Call):  # nn.BCELoss()(x, y)
        _inputs(node.args, node.keywords, node)
        node = node.func
    if not isinstance(node, ast.Call):
        raise _refuse("expected a loss call such as nn.CrossEntropyLoss(...)", node.lineno, node.col_offset)
    name = _dotted(node.func)
    for cls, (fn, keywords) in LOSSES.items():
        if name in {p + cls for p in _MODULE_PREFIXES}:
            positional = node.args  # nn.CrossEntropyLoss(weight) — the first parameter is weight
            if len(positional) > 1:
                raise _refuse("pass the options by keyword", positional[1].lineno, positional[1].col_offset)
            kwargs = {"weight": _value(positional[0])} if positional else {}
            return LossCall(fn, {**kwargs, **_keywords(node.keywords, keywords, cls)})
        if name in {p + fn for p in _FUNCTIONAL_PREFIXES}:
            _inputs(node.args, [], node)
            return LossCall(fn, _keywords(node.keywords, keywords, fn))
    known = ", ".join(f"nn.{cls} / F.{fn}" for cls, (fn, _) in LOSSES.items())
    raise _refuse(f"{name or ast.unparse(node.func)[:40]} is not one of the losses read here ({known})",
                  node.lineno, node.col_offset)


def _refuse(what: str, line: int, col0: int) -> ParseError:
    return ParseError("doctor_call", f"{what} (line {line}, column {col0 + 1}); nothing was run",
                      line=line, col=col0 + 1, token="")


def _dotted(node: ast.AST) -> str:
    """``torch.nn.CrossEntropyLoss`` for a chain of names; "" for anything else."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return ""
    return ".".join([node.id, *reversed(parts)])


def _inputs(args: list[ast.expr], keywords: list[ast.keyword], node: ast.Call) -> None:
    """The input and target of a call: variable names only (their values are pasted separately)."""
    if len(args) > 2 or keywords and any(k.arg not in ("input", "target") for k in keywords):
        extra = args[2] if len(args) > 2 else node
        raise _refuse("input and target first, then the options by keyword", extra.lineno, extra.col_offset)
    for arg in args:
        if not isinstance(arg, ast.Name):
            raise _refuse("the input and target must be plain variable names", arg.lineno, arg.col_offset)


def _keywords(nodes: list[ast.keyword], allowed: tuple[str, ...], owner: str) -> dict:
    out = {}
    for kw in nodes:
        if kw.arg in ("input", "target") and owner in FUNCTIONAL:
            continue
        if kw.arg in _DEPRECATED:
            raise _refuse(f"{kw.arg}= is deprecated: use reduction='mean'/'sum'/'none'", kw.lineno, kw.col_offset)
        if kw.arg not in allowed:
            raise _refuse(f"{owner} has no keyword {kw.arg or '**'}= (it takes {', '.join(allowed)})",
                          kw.lineno, kw.col_offset)
        out[kw.arg] = _value(kw.value)
    return out


def _value(node: ast.expr):
    """A literal value, or a tensor built from literals; anything else is refused."""
    if isinstance(node, ast.Constant) and isinstance(node.value, bool | int | float | str | type(None)):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = _value(node.operand)
        if isinstance(inner, int | float) and not isinstance(inner, bool):
            return -inner if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.List | ast.Tuple):
        return [_value(e) for e in node.elts]
    if isinstance(node, ast.Call):
        return _tensor(node)
    what = ast.unparse(node)[:40]  # unparse only prints the tree back as text
    raise _refuse(f"{what} is not a literal: paste its value (e.g. torch.tensor([1., 2.]))",
                  node.lineno, node.col_offset)


def _tensor(node: ast.Call) -> np.ndarray:
    name = _dotted(node.func)
    if isinstance(node.func, ast.Attribute) and name not in _TENSOR_CALLS:
        method = node.func.attr
        if method in ("to", "cuda", "cpu") or method in _CASTS:
            base = _value(node.func.value)
            if not isinstance(base, np.ndarray):
                raise _refuse(f".{method}() of a non-tensor", node.lineno, node.col_offset)
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                if _dotted(arg).removeprefix("torch.") in DTYPES:  # .to(torch.float64)
                    base = base.astype(dtype_named(_dotted(arg)))
                elif not (isinstance(arg, ast.Name | ast.Constant) or _dotted(arg)):
                    raise _refuse(f"unexpected argument to .{method}()", arg.lineno, arg.col_offset)
            return base.astype(DTYPES[_CASTS[method]]) if method in _CASTS else base
    if name not in _TENSOR_CALLS or len(node.args) != 1:
        raise _refuse(f"{name or ast.unparse(node.func)[:40]}(...) is not read here: "
                      "only torch.tensor([...]) builds a tensor", node.lineno, node.col_offset)
    data = _value(node.args[0])
    dtype = {"torch.LongTensor": "int64", "torch.FloatTensor": "float32", "torch.Tensor": "float32"}.get(name)
    for kw in node.keywords:
        if kw.arg == "dtype":
            dtype = _dotted(kw.value) or (kw.value.value if isinstance(kw.value, ast.Constant) else "")
            dtype_named(str(dtype))
        elif kw.arg not in ("requires_grad", "device"):
            raise _refuse(f"torch.tensor has no keyword {kw.arg}= read here", kw.lineno, kw.col_offset)
    try:
        arr = np.array(data)
    except ValueError:
        raise _refuse("rows of different lengths", node.lineno, node.col_offset) from None
    if arr.dtype.kind not in "biuf":
        raise _refuse("a tensor holds numbers", node.lineno, node.col_offset)
    if dtype is None:
        return (arr.astype(np.float32) if arr.dtype.kind == "f"
                else arr.astype(arr.dtype if arr.dtype == bool else np.int64))
    return arr.astype(dtype_named(str(dtype)))
