"""The syllabus: every page, in order, with its fixed, language-neutral URL path.

``url_path`` values must never equal the page name Streamlit's legacy multipage mode
derives from a file in ``pages/`` (the file's stem without a numeric prefix). Then a cold
deep link after a server restart cannot take the legacy route that skips ``app.py``:
it falls through to ``app.py``, which runs ``st.navigation`` and resolves the page
(see README, "The pages/ folder"). ``tests/app/test_navigation.py`` checks this.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Lesson:
    id: str  # catalog section and widget-key prefix
    file: str  # path of the page script, relative to the project root
    url_path: str  # fixed, language-neutral, hyphenated
    icon: str  # an emoji: material icons would fetch a font from the internet
    section: str = "reference"  # the navigation section (catalog key nav.<section>)


START = Lesson("start", "pages/start_here.py", "", "🏠", "start")
LESSONS: tuple[Lesson, ...] = (
    Lesson("sigmoid_bce", "pages/l01_sigmoid_bce.py", "sigmoid-bce", "📈", "binary"),
    Lesson("bce_vs_logits", "pages/l02_bce_vs_logits.py", "bce-vs-logits", "⚖️", "binary"),
    Lesson("stability", "pages/l03_stability.py", "stability-lab", "🧪", "binary"),
    Lesson("weights", "pages/l04_weights.py", "weights-reduction", "🏋️", "binary"),
    Lesson("negative", "pages/l05_negative_loss.py", "negative-loss", "➖", "binary"),
    Lesson("softmax_ce", "pages/l06_softmax_ce.py", "softmax-ce", "📊", "multiclass"),
    Lesson("ce_vs_bce", "pages/l07_ce_vs_bce.py", "ce-vs-bce", "🔀", "multiclass"),
    Lesson("ce_options", "pages/l08_ce_options.py", "ce-weights-smoothing", "🎛️", "multiclass"),
    Lesson("mistakes", "pages/l09_mistakes.py", "common-mistakes", "🐞", "multiclass"),
    Lesson("train", "pages/l10_train.py", "train-it", "🏃", "multiclass"),
    Lesson("log_odds", "pages/l11_log_odds.py", "log-odds-likelihood", "🎲", "why"),
    Lesson("entropy_kl", "pages/l12_entropy_kl.py", "entropy-kl", "🧮", "why"),
    Lesson("why_mse", "pages/l13_why_mse.py", "why-not-mse", "🎯", "why"),
    Lesson("nll_pipeline", "pages/l14_nll_pipeline.py", "log-softmax-nll", "🔗", "why"),
    Lesson("reading_loss", "pages/l15_reading_loss.py", "reading-a-loss", "🔎", "why"),
)
EXTRA: tuple[Lesson, ...] = (
    Lesson("doctor", "pages/ref_your_tensors.py", "your-tensors", "🩺", "reference"),
    Lesson("glossary", "pages/ref_glossary.py", "glossary", "📖"),
)
# Routable but not in the navigation: a student's phone opens it from the projector's link or QR code.
HIDDEN: tuple[Lesson, ...] = (Lesson("classroom", "pages/class_join.py", "join", "🙋", "hidden"),)


SECTIONS = ("start", "binary", "multiclass", "why", "reference")  # navigation order


def all_pages() -> tuple[Lesson, ...]:
    """Start page, lessons, reference pages, then the hidden ones."""
    return (START, *LESSONS, *EXTRA, *HIDDEN)


def navigation_pages() -> tuple[Lesson, ...]:
    """The pages the sidebar lists, in its order (the hidden ones left out)."""
    return (START, *LESSONS, *EXTRA)


def by_id(page_id: str) -> Lesson:
    for lesson in all_pages():
        if lesson.id == page_id:
            return lesson
    raise KeyError(page_id)
