"""Start LossViz: ``streamlit run app.py`` with Streamlit's legacy ``pages/`` mode off.

Streamlit decides once per process, when the first session starts, whether a folder named
``pages/`` beside ``app.py`` makes this a legacy (v1) multipage app; until some script calls
``st.navigation`` it routes sessions through that legacy mode. The first visit after a restart
to a deep link such as ``/weights-reduction`` then shows a "Page not found" dialog before
``app.py`` runs. Deciding it here, before the server starts, removes the legacy route: every
session, the first included, runs ``app.py`` and its ``st.navigation``.

    python -m lossviz.ui.launch [streamlit run options, e.g. --server.port 8501]
"""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.web import cli

from lossviz.ui._internals import disable_legacy_pages

APP = Path(__file__).resolve().parents[2] / "app.py"


def main(argv: list[str] | None = None) -> None:
    disable_legacy_pages()  # app.py always calls st.navigation
    sys.argv = ["streamlit", "run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    cli.main()


if __name__ == "__main__":
    main()
