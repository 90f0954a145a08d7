#!/usr/bin/env python3
"""Developer helper: refresh the README sections written from a notes file between markers."""

import re
import sys
from pathlib import Path

readme = Path("README.md")
text = readme.read_text()
for arg in sys.argv[1:]:
    name, _, source = arg.partition("=")
    body = Path(source).read_text().strip()
    block = f"<!-- {name}:start -->\n{body}\n<!-- {name}:end -->"
    pattern = re.compile(rf"<!-- {name}:start -->.*?<!-- {name}:end -->", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _m, block=block: block, text)
    else:
        text = text + "\n" + block + "\n"
readme.write_text(text)
