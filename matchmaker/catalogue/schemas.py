"""The JSON shapes clients read (see INTERFACES.md). Amounts are decimal strings in yuan."""

from __future__ import annotations

from typing import Any

from matchmaker.money import yuan_str


def sector_json(sector) -> dict[str, Any]:
    return {"code": sector.code, "name": sector.name, "name_en": sector.name_en}


def region_json(region) -> dict[str, Any] | None:
    if region is None:
        return None
    return {"code": region.code, "name": region.name, "name_en": region.name_en}


def investor_json(investor) -> dict[str, Any] | None:
    if investor is None:
        return None
    return {"id": investor.id, "name": investor.name, "name_en": investor.name_en}


def project_json(project, *, with_contact: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": project.id,
        "catalogue_id": project.catalogue_id,
        "code": project.code,
        "name": project.name,
        "name_en": project.name_en,
        "sectors": [sector_json(s) for s in project.sectors],
        "region": region_json(project.region),
        "location": project.location,
        "total_investment_yuan": yuan_str(project.total_investment_yuan),
        "investment_sought_yuan": yuan_str(project.investment_sought_yuan),
        # amounts written in a foreign currency keep it: the currency, the catalogue rate
        # (yuan per unit) and the amounts in that currency (null where written in yuan)
        "currency": project.currency or "CNY",
        "rate": f"{project.exchange_rate.normalize():f}" if project.exchange_rate is not None else None,
        "total_investment_original": yuan_str(project.total_investment_original),
        "investment_sought_original": yuan_str(project.investment_sought_original),
        "province": project.province or ("贵州省" if project.region is not None else None),
        "cooperation_modes": list(project.cooperation_modes or []),
        "status": project.status.value,
        "summary": project.construction_content,
    }
    if with_contact:
        data["owner"] = project.owner
        data["contact_person"] = project.contact_person
        data["contact_phone"] = project.contact_phone
    return data


def reasons_json(reasons: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{"kind": r["kind"], "text": r["text"]} for r in reasons]
