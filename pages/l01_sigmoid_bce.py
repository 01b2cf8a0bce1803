"""sigmoid_bce: placeholder until the lesson is written."""

from lossviz import ui

ui.page_setup("sigmoid_bce")
ui.page_links("sigmoid_bce")
