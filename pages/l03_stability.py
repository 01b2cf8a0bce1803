"""stability: placeholder until the lesson is written."""

from lossviz import ui

ui.page_setup("stability")
ui.page_links("stability")
