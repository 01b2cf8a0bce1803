"""train: placeholder until the lesson is written."""

from lossviz import ui

ui.page_setup("train")
ui.page_links("train")
