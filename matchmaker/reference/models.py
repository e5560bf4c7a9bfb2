"""Reference data every feature uses: the sector taxonomy and Guizhou's regions."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.db import Base, str_enum
from matchmaker.i18n import NP_
from matchmaker.reference.vocabulary import LabelledEnum


class RegionLevel(LabelledEnum):
    PREFECTURE = "prefecture", NP_("region level", "Prefecture")
    COUNTY = "county", NP_("region level", "County")
    # the province as a whole, for province-wide projects
    PROVINCE = "province", NP_("region level", "Province")


class Sector(Base):
    __tablename__ = "sectors"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    name_en: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sectors.id"), nullable=True)
    aliases: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False, default=list)
    position: Mapped[int] = mapped_column(nullable=False, default=0)

    parent: Mapped[Sector | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Sector]] = relationship(back_populates="parent", order_by="Sector.position")

    def __repr__(self) -> str:
        return f"<Sector {self.code} {self.name}>"


class Region(Base):
    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(16), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    name_en: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    pinyin: Mapped[str] = mapped_column(sa.String(100), nullable=False, default="")
    short: Mapped[str] = mapped_column(sa.String(50), nullable=False, default="")
    level: Mapped[RegionLevel] = mapped_column(str_enum(RegionLevel, "region_level"), nullable=False)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("regions.id"), nullable=True)
    aliases: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False, default=list)
    position: Mapped[int] = mapped_column(nullable=False, default=0)

    parent: Mapped[Region | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Region]] = relationship(back_populates="parent", order_by="Region.position")

    @property
    def prefecture(self) -> Region:
        return self.parent if self.level == RegionLevel.COUNTY and self.parent else self

    def __repr__(self) -> str:
        return f"<Region {self.code} {self.name}>"
