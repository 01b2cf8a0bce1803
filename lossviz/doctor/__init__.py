"""The loss doctor: read a learner's own tensors and loss call, run torch, explain the number.

``parse_tensor`` reads pasted text, ``load_tensors`` an uploaded ``.npy``/``.pt``,
``parse_loss_call`` a pasted loss line; ``explain`` runs the call and diagnoses it.
Nothing here imports streamlit; torch is imported only when a call runs.
"""

from lossviz.doctor.call import LossCall, parse_loss_call
from lossviz.doctor.explain import Explanation, Row, explain
from lossviz.doctor.files import load_tensors
from lossviz.doctor.findings import Finding
from lossviz.doctor.parse import ParseError, parse_tensor

__all__ = ["Explanation", "Finding", "LossCall", "ParseError", "Row", "explain", "load_tensors", "parse_loss_call",
           "parse_tensor"]
