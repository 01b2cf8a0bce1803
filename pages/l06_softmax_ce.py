"""softmax_ce: placeholder until the lesson is written."""

from lossviz import ui

ui.page_setup("softmax_ce")
ui.page_links("softmax_ce")
