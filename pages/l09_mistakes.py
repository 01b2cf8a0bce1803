"""mistakes: placeholder until the lesson is written."""

from lossviz import ui

ui.page_setup("mistakes")
ui.page_links("mistakes")
