"""negative: placeholder until the lesson is written."""

from lossviz import ui

ui.page_setup("negative")
ui.page_links("negative")
