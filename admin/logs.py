"""Structured key=value logs with personal data masked on every handler."""

from __future__ import annotations

import logging
import sys

from flask import Flask

from oirs.privacy.masking import MaskingFilter


def configure(app: Flask) -> None:
    root = logging.getLogger()
    if any(isinstance(f, MaskingFilter) for h in root.handlers for f in h.filters):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("ts=%(asctime)s level=%(levelname)s logger=%(name)s msg=%(message)s")
    )
    handler.addFilter(MaskingFilter())
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    for existing in root.handlers:
        existing.addFilter(MaskingFilter())
