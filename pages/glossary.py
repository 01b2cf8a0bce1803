"""glossary: placeholder until the lesson is written."""

from lossviz import ui

ui.page_setup("glossary")
ui.page_links("glossary")
