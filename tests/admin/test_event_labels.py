"""Every kind of event the code can record on a case has a Spanish label on the case pages.

The kinds are read from the source (every add_event call and CaseEvent constructed in oirs/ and
admin/, plus every workflow action, which transition() records), so a new kind without a label
fails here rather than showing up raw ("anonymisation_completed") in a case's history.
"""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from oirs.calendar.business_days import BusinessCalendar
from oirs.cases import workflow
from oirs.cases.filing import SYSTEM, ContactData, add_event, get_case
from oirs.labels import event_label
from tests.admin.staff import login, make_user, new_case

ROOT = Path(__file__).resolve().parents[2]
# Functions that record the kind their caller gives them: their callers are scanned instead.
FORWARDERS = {"add_event", "transition"}


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _kind_argument(call: ast.Call) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == "kind":
            return keyword.value
    if _callee(call) == "add_event" and len(call.args) > 2:
        return call.args[2]
    return None


def _assigned(scope: ast.AST, name: str) -> list[ast.expr]:
    """Values assigned to `name` directly in a function or module body (not in nested defs)."""
    values = []
    for node in _own_nodes(scope):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            values.append(node.value)
    return values


def _strings(expr: ast.expr, scopes: list[ast.AST]) -> set[str] | None:
    """Every string an expression can take, or None when the source does not say."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return {expr.value}
    if isinstance(expr, ast.IfExp):
        body, orelse = _strings(expr.body, scopes), _strings(expr.orelse, scopes)
        return None if body is None or orelse is None else body | orelse
    if isinstance(expr, ast.Name):
        for scope in scopes:
            values = _assigned(scope, expr.id)
            if values:
                found = [_strings(value, scopes) for value in values]
                return None if None in found else set().union(*found)  # type: ignore[arg-type]
    return None


def _own_nodes(scope: ast.AST) -> list[ast.AST]:
    """The nodes of a module or function, without those of the functions defined inside it."""
    found: list[ast.AST] = []
    todo = list(ast.iter_child_nodes(scope))
    while todo:
        node = todo.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        found.append(node)
        todo.extend(ast.iter_child_nodes(node))
    return found


def _recorded_kinds() -> tuple[dict[str, str], list[str]]:
    """Kind -> one place that records it; and the calls whose kind could not be read."""
    kinds: dict[str, str] = {}
    unreadable: list[str] = []
    for path in sorted([*(ROOT / "oirs").rglob("*.py"), *(ROOT / "admin").rglob("*.py")]):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        scopes: list[ast.AST] = [tree, *functions]
        for scope in scopes:
            own = _own_nodes(scope)
            for call in own:
                if not isinstance(call, ast.Call) or _callee(call) not in (
                    "add_event",
                    "CaseEvent",
                ):
                    continue
                where = f"{path.relative_to(ROOT)}:{call.lineno}"
                expr = _kind_argument(call)
                function = scope if isinstance(scope, ast.FunctionDef) else None
                params = {a.arg for a in function.args.args} if function else set()
                if (
                    isinstance(expr, ast.Name)
                    and expr.id in params
                    and function is not None
                    and function.name in FORWARDERS
                ):
                    continue  # its callers are scanned (transition: the workflow's actions)
                values = None
                if expr is not None and not (isinstance(expr, ast.Name) and expr.id in params):
                    values = _strings(expr, [scope, tree] if scope is not tree else [tree])
                if values is None:
                    unreadable.append(where)
                    continue
                for value in values:
                    kinds.setdefault(value, where)
    for case_type in workflow.INITIAL_STATUS:
        for step in workflow.transitions_for(case_type):
            kinds.setdefault(step.action, "oirs/cases/workflow.py")
    return kinds, unreadable


def test_the_scan_reads_every_call_that_records_an_event() -> None:
    kinds, unreadable = _recorded_kinds()
    assert unreadable == [], "record these events with a kind the source names (a constant)"
    # the scan is not vacuous: kinds from the core, the SAI, privacy and publication
    assert {"filed", "carta", "oposicion_tercero", "anonymised", "descripcion_publicada"} <= set(
        kinds
    )


def test_every_event_kind_the_code_records_has_a_spanish_label() -> None:
    kinds, _ = _recorded_kinds()
    missing = {kind: where for kind, where in kinds.items() if event_label(kind) == kind}
    assert missing == {}


def _timeline(page: str) -> list[str]:
    block = re.search(r'<ol class="timeline">(.*?)</ol>', page, re.S)
    assert block, "no history on the page"
    return [html.unescape(s) for s in re.findall(r"<strong>(.*?)</strong>", block[1], re.S)]


@pytest.mark.parametrize(
    ("type_", "page"), [("reclamo", "/casos/{}"), ("sai", "/transparencia/{}")]
)
def test_the_case_pages_show_every_kind_of_event_in_spanish(
    client: FlaskClient, db_session: Session, type_: str, page: str
) -> None:
    kinds, _ = _recorded_kinds()
    case = new_case(
        db_session,
        BusinessCalendar(),
        type_=type_,
        category=None if type_ == "sai" else "aseo",  # type: ignore[arg-type]
        channel="web",
        contact=ContactData(name="Ana Pérez Soto", email="ana@example.cl"),
    )
    with db_session.begin():
        case = get_case(db_session, case.folio)
        for kind in sorted(kinds):
            add_event(case, SYSTEM, kind)
    make_user(db_session, "admin")
    assert login(client, "admin@prueba.cl").status_code == 302
    shown = _timeline(client.get(page.format(case.folio)).get_data(as_text=True))
    # and the filing; a reclamo filed with its theme is classified as it is filed
    filed = 2 if type_ == "reclamo" else 1
    assert len(shown) == len(kinds) + filed
    assert [label for label in shown if label in kinds] == []
    assert "Anonimización completada" in shown
