"""weights: placeholder until the lesson is written."""

from lossviz import ui

ui.page_setup("weights")
ui.page_links("weights")
