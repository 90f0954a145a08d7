"""One name per theme: what the bot offers and reads back is what staff read in the admin.

The admin's categories (oirs/seed.py CATEGORIES) name the themes; the bot cannot import the
core, so its names are checked against that list here, read from the source."""

from __future__ import annotations

import ast
from pathlib import Path

from actions.common import CATEGORIES, CATEGORY_LABELS, category_label
from actions.messages import render

SEED = Path(__file__).resolve().parents[2] / "oirs" / "seed.py"


def admin_category_names() -> dict[str, str]:
    """code -> name of every category the admin seeds."""
    tree = ast.parse(SEED.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "CATEGORIES" for t in node.targets
        ):
            rows = ast.literal_eval(node.value)
            return {code: name for code, name, *_ in rows}
    raise AssertionError("oirs/seed.py has no CATEGORIES")


def test_bot_reads_back_each_theme_with_the_admins_name() -> None:
    names = admin_category_names()
    assert set(CATEGORIES) == set(names)
    assert names == CATEGORY_LABELS
    assert category_label("pavimento") == "Pavimentos, veredas y baches"


def test_theme_buttons_carry_the_admins_names() -> None:
    names = admin_category_names()
    buttons = render("ask_reclamo_form_categoria", {})["buttons"]
    offered = {
        ast.literal_eval(b["payload"].removeprefix("/informar"))["categoria"]: b["title"]
        for b in buttons
    }
    assert offered == names
    assert "Calles y veredas" not in offered.values()
