"""What the theme classifier learns from: staff-labelled descriptions, and each training run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oirs.models.base import Base, UtcDateTime, utcnow
from oirs.models.organisation import Category


class ThemeTrainingExample(Base):
    """A description labelled by staff (a reclassification), added to the seed examples."""

    __tablename__ = "theme_example"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"))
    source: Mapped[str] = mapped_column(String(20), default="staff")
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"), index=True)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_by_label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    category: Mapped[Category] = relationship()


class ThemeModelRun(Base):
    """One training of the classifier: what it learnt from and how well it did in k-fold."""

    __tablename__ = "theme_model_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    trained_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    trigger: Mapped[str] = mapped_column(String(20))
    seed_digest: Mapped[str] = mapped_column(String(64))
    last_example_id: Mapped[int] = mapped_column(Integer, default=0)
    examples: Mapped[int] = mapped_column(Integer)
    staff_examples: Mapped[int] = mapped_column(Integer)
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    per_category: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    folds: Mapped[int] = mapped_column(Integer)
    top1: Mapped[float] = mapped_column(Float)
    top3: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    threshold_fixed: Mapped[bool] = mapped_column(Boolean, default=False)
    precision_at_threshold: Mapped[float] = mapped_column(Float)
    coverage: Mapped[float] = mapped_column(Float)
