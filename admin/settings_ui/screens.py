"""Shared shape of the settings screens: a table of rows and a form to add or edit one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import render_template

from admin.auth.forms import StaffForm, apply_field_errors


@dataclass
class Row:
    cells: list[str]
    edit_url: str | None = None
    delete_url: str | None = None


@dataclass
class Screen:
    title: str
    columns: list[str]
    rows: list[Row]
    form: StaffForm
    fields: list[str]
    submit: str
    form_title: str
    hints: dict[str, str] = field(default_factory=dict)
    intro: str | None = None


def render_list(screen: Screen, status: int = 200) -> tuple[str, int]:
    return render_template("settings/list.html", s=screen), status


def render_edit(
    title: str,
    form: StaffForm,
    fields: list[str],
    back_url: str,
    status: int = 200,
    hints: dict[str, str] | None = None,
    **extra: Any,
) -> tuple[str, int]:
    return (
        render_template(
            "settings/edit.html",
            title=title,
            form=form,
            fields=fields,
            back_url=back_url,
            hints=hints or {},
            **extra,
        ),
        status,
    )


__all__ = ["Row", "Screen", "apply_field_errors", "render_edit", "render_list"]
