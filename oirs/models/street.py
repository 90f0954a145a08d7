"""The commune's street axes, loaded from its own data (an OpenStreetMap extract), for geocoding."""

from __future__ import annotations

from sqlalchemy import JSON, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from oirs.models.base import Base


class StreetAxis(Base):
    """One way of a street: its name as written, the key it is looked up by, its line."""

    __tablename__ = "street_axis"
    __table_args__ = (Index("ix_street_axis_name_key", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # accent-free, lower case, without "calle"/"avenida"/"pasaje" (geocoding.street_name_key)
    name_key: Mapped[str] = mapped_column(String(200))
    source_id: Mapped[str | None] = mapped_column(String(60))  # "way/123" in OpenStreetMap
    # house numbers along the way, first point to last, when the data has them
    from_number: Mapped[int | None] = mapped_column(Integer)
    to_number: Mapped[int | None] = mapped_column(Integer)
    # [[lon, lat], …] as GeoJSON orders them (WGS 84)
    points: Mapped[list[list[float]]] = mapped_column(JSON)
    min_lat: Mapped[float] = mapped_column(Float)
    min_lon: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
    max_lon: Mapped[float] = mapped_column(Float)
