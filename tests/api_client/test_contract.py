"""The bot's admin API client calls only routes the admin publishes (admin/api/openapi.json),
and nothing else in the bot calls the admin around it."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import api_client
from api_client import routes
from api_client.routes import ROUTES, Route

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "admin" / "api" / "openapi.json"
PACKAGE = Path(api_client.__file__).parent
# where the bot's code lives: each of them reaches the admin only through api_client
BOT_CODE = ("actions", "channels")


def published() -> set[tuple[str, str]]:
    """(METHOD, path) of every operation in the admin's contract."""
    paths = json.loads(CONTRACT.read_text(encoding="utf-8"))["paths"]
    methods = {"get", "post", "put", "patch", "delete"}
    return {(m.upper(), path) for path, item in paths.items() for m in item if m in methods}


@pytest.mark.parametrize("route", ROUTES, ids=[f"{r.method} {r.path}" for r in ROUTES])
def test_every_route_the_client_calls_is_in_the_admins_contract(route: Route) -> None:
    assert (route.method, route.path) in published(), (
        f"{route.method} {route.path} is not in admin/api/openapi.json"
    )


def test_the_route_table_lists_every_route_defined() -> None:
    defined = {value for value in vars(routes).values() if isinstance(value, Route)}
    assert defined == set(ROUTES)


def test_every_route_in_the_table_is_called_by_the_client() -> None:
    tree = ast.parse((PACKAGE / "client.py").read_text(encoding="utf-8"))
    used = {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "routes"
    }
    named = {name for name, value in vars(routes).items() if isinstance(value, Route)}
    assert named - used == set(), "a route nobody calls: remove it from api_client/routes.py"
    assert used - named == set()


def code_strings(path: Path) -> Iterator[tuple[int, str]]:
    """String constants of a module that are not docstrings, with their line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
        ):
            yield node.lineno, node.value


def test_only_the_route_table_spells_an_admin_path() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for folder in (PACKAGE, *(ROOT / name for name in BOT_CODE))
        for path in sorted(folder.rglob("*.py"))
        if path != PACKAGE / "routes.py"
        for line, text in code_strings(path)
        if "/api/v1/" in text or "/open311/" in text
    ]
    assert found == [], "call the admin through api_client (a method on OirsApiClient)"
