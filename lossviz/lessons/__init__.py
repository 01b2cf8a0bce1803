"""One model per lesson, named like its page, its plot module and its locale file.

No streamlit and no translation: the models return frozen dataclasses or plain rows with
language-neutral keys, and build the PyTorch snippet for their view. Every number comes from
:mod:`lossviz.core.functional`.
"""
