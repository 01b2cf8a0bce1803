"""ce_options: placeholder until the lesson is written."""

from lossviz import ui

ui.page_setup("ce_options")
ui.page_links("ce_options")
