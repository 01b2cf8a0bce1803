"""Text the app shows: the string catalogs, numbers as text, PyTorch snippets."""
