"""Read an uploaded ``.npy`` or ``.pt`` file into named numpy arrays, refusing anything else.

``.npy`` goes through ``numpy.load(allow_pickle=False)``; ``.pt`` through
``torch.load(weights_only=True, map_location="cpu")``, whose restricted unpickler refuses any
object that is not a tensor or a plain container, so a pickle that would run code is
refused before any of it runs. Nothing is written to disk: both read from memory.
"""

from __future__ import annotations

import io
import warnings
import zipfile

import ml_dtypes
import numpy as np

from lossviz.doctor.parse import MAX_ELEMENTS, ParseError

MAX_BYTES = 50 * 2**20  # 50 MiB, stated on the page
_NPY_MAGIC = b"\x93NUMPY"
_ZIP_MAGIC = b"PK\x03\x04"


def load_tensors(data: bytes, *, max_bytes: int = MAX_BYTES, max_elements: int = MAX_ELEMENTS) -> dict[str, np.ndarray]:
    """The arrays in a ``.npy`` or ``.pt`` file's bytes, by name.

    A single array or tensor is named ``"tensor"``; a dict of tensors keeps its keys, a list
    or tuple of tensors is named ``"0"``, ``"1"``, ...

    Raises:
        ParseError: ``doctor_file_too_big`` (over ``max_bytes``, or a zip that would inflate
            far beyond its size; params ``size``, ``limit``), ``doctor_file_too_many`` (over
            ``max_elements``; ``size``, ``limit``), ``doctor_file_kind`` (neither .npy nor .pt),
            ``doctor_file_refused`` (numpy or torch refused it, e.g. a pickle of objects;
            ``reason``), ``doctor_file_content`` (not only tensors of numbers; ``what``).

    >>> buf = io.BytesIO(); np.save(buf, np.arange(3)); load_tensors(buf.getvalue())
    {'tensor': array([0, 1, 2])}
    """
    data = bytes(data)
    if len(data) > max_bytes:
        raise ParseError("doctor_file_too_big", f"the file has {len(data):,} bytes; the limit is {max_bytes:,}",
                         size=len(data), limit=max_bytes)
    if data.startswith(_NPY_MAGIC):
        arrays = {"tensor": _load_npy(data)}
    elif data.startswith(_ZIP_MAGIC) or data[:1] == b"\x80":  # torch.save's zip, or a legacy pickle
        arrays = _load_pt(data)
    else:
        raise ParseError("doctor_file_kind", "not a .npy or .pt file (save it with numpy.save or torch.save)")
    total = sum(a.size for a in arrays.values())
    if total > max_elements:
        raise ParseError("doctor_file_too_many", f"the file holds {total:,} values; the limit is {max_elements:,}",
                         size=total, limit=max_elements)
    return arrays


def _load_npy(data: bytes) -> np.ndarray:
    try:
        arr = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise ParseError("doctor_file_refused", f"numpy could not read the file: {exc}", reason=str(exc)) from None
    if arr.dtype.kind not in "biuf":
        raise ParseError("doctor_file_content", f"a .npy of dtype {arr.dtype} is not a tensor of numbers",
                         what=str(arr.dtype))
    return arr


def _load_pt(data: bytes) -> dict[str, np.ndarray]:
    import torch

    if data.startswith(_ZIP_MAGIC):  # the sizes a zip declares, read before anything is inflated
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                inflated = sum(info.file_size for info in archive.infolist())
        except zipfile.BadZipFile as exc:
            raise ParseError("doctor_file_refused", f"a broken .pt file: {exc}", reason=str(exc)) from None
        if inflated > 2 * len(data) + 2**20:  # torch.save stores without compression
            raise ParseError("doctor_file_too_big",
                             f"the file unpacks to {inflated:,} bytes from {len(data):,}: refused",
                             size=inflated, limit=len(data))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. "Detected pickle protocol 4"
            obj = torch.load(io.BytesIO(data), weights_only=True, map_location="cpu")
    except Exception as exc:  # the restricted unpickler raises several kinds; all mean "refused"
        lines = [line for line in str(exc).splitlines() if line.strip()] or [type(exc).__name__]
        why = next((line for line in lines if "GLOBAL" in line or "Unsupported" in line), lines[0]).strip()
        raise ParseError("doctor_file_refused",
                         f"torch.load(weights_only=True) refused the file, which holds more than tensors: {why}",
                         reason=why) from None
    if isinstance(obj, torch.Tensor):
        items = {"tensor": obj}
    elif isinstance(obj, dict):
        items = {str(k): v for k, v in obj.items()}
    elif isinstance(obj, list | tuple):
        items = {str(i): v for i, v in enumerate(obj)}
    else:
        raise ParseError("doctor_file_content",
                         f"the file holds a {type(obj).__name__}, not a tensor or a dict of tensors",
                         what=type(obj).__name__)
    bad = [k for k, v in items.items() if not isinstance(v, torch.Tensor)]
    if bad or not items:
        what = f"{bad[0]!r} is a {type(items[bad[0]]).__name__}" if bad else "it is empty"
        raise ParseError("doctor_file_content", f"only tensors can be read, but {what}", what=what)
    return {k: to_numpy(v) for k, v in items.items()}


def to_numpy(t) -> np.ndarray:
    """A CPU tensor as numpy, same dtype (bfloat16 as ``ml_dtypes.bfloat16``)."""
    t = t.detach().cpu()
    if str(t.dtype) == "torch.bfloat16":
        return t.float().numpy().astype(ml_dtypes.bfloat16)
    if t.dtype.is_complex or t.is_sparse:
        raise ParseError("doctor_file_content", f"a {t.dtype} tensor is not supported", what=str(t.dtype))
    return t.numpy().copy()
