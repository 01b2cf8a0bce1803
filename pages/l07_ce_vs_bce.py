"""ce_vs_bce: placeholder until the lesson is written."""

from lossviz import ui

ui.page_setup("ce_vs_bce")
ui.page_links("ce_vs_bce")
