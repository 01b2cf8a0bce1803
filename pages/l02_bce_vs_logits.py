"""bce_vs_logits: placeholder until the lesson is written."""

from lossviz import ui

ui.page_setup("bce_vs_logits")
ui.page_links("bce_vs_logits")
