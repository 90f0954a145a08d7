"""Blind understanding benchmark (issue 12): intents, themes, fields and whole conversations.

Usage: .venv/bin/python bench/understanding.py --set bench/blind/r1 [--only nlu,themes,...]
       [--rasa URL --admin URL --token T]. Without URLs it starts admin, actions and Rasa itself
(like tests/e2e) and stops them at the end. Progress on stderr; one JSON object on stdout with
each set's summary; the summary plus per-item errors in var/bench/understanding-<set>.json.
See docs/understanding.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.understanding.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
