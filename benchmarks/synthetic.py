"""Deterministic synthetic Chinese project records, and a bulk loader for them."""

from __future__ import annotations

import json
import random
from decimal import Decimal

PRODUCTS = {
    "nev.battery_materials": ["磷酸铁锂正极材料", "三元前驱体", "锂电池负极材料", "电解液"],
    "nev.battery": ["动力电池", "锂电池储能电芯"],
    "nev.vehicles": ["新能源汽车零部件", "电动客车"],
    "new_energy.solar": ["光伏电站", "农光互补光伏", "分布式光伏"],
    "new_energy.wind": ["风电场", "分散式风电"],
    "new_energy.hydrogen": ["氢能产业园", "制氢加氢一体站"],
    "storage": ["新型储能电站", "抽水蓄能电站"],
    "big_data.datacenter": ["绿色数据中心", "智算中心"],
    "big_data.electronics": ["电子元器件", "智能终端"],
    "new_materials.chemical": ["精细磷化工", "电子级磷酸"],
    "recycling.phosphogypsum": ["磷石膏综合利用", "磷石膏新型建材"],
    "recycling.coal_gangue": ["煤矸石综合利用制砖", "煤矸石发电"],
    "energy_saving.water": ["污水处理厂", "水环境综合治理"],
    "eco_agriculture.tea": ["生态茶园", "茶叶精深加工"],
    "eco_agriculture.food": ["生态特色食品加工", "辣椒精深加工"],
    "eco_tourism": ["生态旅游度假区", "康养小镇"],
    "equipment": ["智能装备制造", "节能环保装备"],
}
REGIONS = ["520102", "520115", "520303", "520302", "520201", "520402", "520502", "520602",
           "522301", "522601", "522702", "529900", "520121", "522732"]
PLACES = {"520102": "贵阳市南明区", "520115": "贵阳市观山湖区", "520303": "遵义市汇川区",
          "520302": "遵义市红花岗区", "520201": "六盘水市钟山区", "520402": "安顺市西秀区",
          "520502": "毕节市七星关区", "520602": "铜仁市碧江区", "522301": "黔西南州兴义市",
          "522601": "黔东南州凯里市", "522702": "黔南州福泉市", "529900": "贵安新区",
          "520121": "贵阳市开阳县", "522732": "黔南州三都县"}
MODES = ["sole", "joint_venture", "cooperation", "ppp", "equity"]


def projects(n: int, seed: int = 7) -> list[dict]:
    """n project dicts (name, sectors, region_code, amounts in yuan, content)."""
    rng = random.Random(seed)
    sectors = sorted(PRODUCTS)
    rows = []
    for i in range(n):
        sector = sectors[rng.randrange(len(sectors))]
        product = rng.choice(PRODUCTS[sector])
        region = rng.choice(REGIONS)
        scale = rng.choice(["年产10万吨", "年产5万吨", "一期", "二期", "100MW", "50万千瓦", ""])
        sought = Decimal(rng.randint(30, 3000)) * Decimal("1000000")
        rows.append({
            "code": str(i + 1),
            "name": f"{PLACES[region][:-3] if len(PLACES[region]) > 4 else PLACES[region]}{scale}{product}项目{i + 1}",
            "sectors": [sector],
            "region_code": region,
            "location": PLACES[region],
            "investment_sought_yuan": sought,
            "total_investment_yuan": sought * rng.choice([1, 2, 3]),
            "cooperation_modes": [rng.choice(MODES)],
            "construction_content": f"建设{product}生产线及配套设施，采用清洁生产工艺，{rng.choice(['节能降碳', '循环利用', '绿色低碳', '资源综合利用'])}。",
        })
    return rows


def bulk_load(rows: list[dict], *, catalogue_name: str = "Synthetic", published: bool = True,
              executemany: bool = False) -> int:
    """Insert rows the fast way - COPY on PostgreSQL, Core executemany on SQLite (and on
    PostgreSQL with `executemany=True`, the old path) - in one transaction; returns the
    catalogue id."""
    import sqlalchemy as sa

    from matchmaker.catalogue.models import Catalogue, CatalogueStatus, Project, project_sectors
    from matchmaker.editions.operations import edition_for_year
    from matchmaker.extensions import db
    from matchmaker.reference.loaders import regions_by_code, sectors_by_code

    sectors = {code: s.id for code, s in sectors_by_code().items()}
    regions = {code: r.id for code, r in regions_by_code().items()}
    catalogue = Catalogue(name=catalogue_name, year=2023, edition=edition_for_year(2023),
                          status=CatalogueStatus.PUBLISHED if published else CatalogueStatus.DRAFT)
    db.session.add(catalogue)
    db.session.flush()
    start_id = (db.session.scalar(sa.select(sa.func.max(Project.id))) or 0) + 1
    project_rows, link_rows = [], []
    for offset, row in enumerate(rows):
        pid = start_id + offset
        project_rows.append({
            "id": pid, "catalogue_id": catalogue.id, "code": row["code"], "name": row["name"],
            "region_id": regions.get(row["region_code"]), "location": row["location"],
            "investment_sought_yuan": row["investment_sought_yuan"],
            "total_investment_yuan": row["total_investment_yuan"],
            "cooperation_modes": row["cooperation_modes"],
            "construction_content": row["construction_content"],
            "market_outlook": "", "preparation_status": "", "owner": "", "contact_person": "",
            "contact_phone": "", "extra": {}, "status": "open",
        })
        link_rows.extend({"project_id": pid, "sector_id": sectors[code]} for code in row["sectors"])
    if db.engine.dialect.name == "postgresql" and not executemany:
        _copy(Project.__table__, project_rows)
        _copy(project_sectors, link_rows)
    else:
        for chunk in range(0, len(project_rows), 5000):
            db.session.execute(Project.__table__.insert(), project_rows[chunk:chunk + 5000])
        for chunk in range(0, len(link_rows), 10000):
            db.session.execute(sa.insert(project_sectors), link_rows[chunk:chunk + 10000])
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT setval('projects_id_seq', (SELECT max(id) FROM projects))"))
    db.session.commit()
    return catalogue.id


def _copy(table, rows: list[dict]) -> None:
    """COPY rows into a PostgreSQL table inside the session's transaction: the columns'
    Python defaults filled in (once, as executemany would per row) and every value through
    its column type's bind processing (JSON, Money, UTC datetimes), written as text."""
    import sqlalchemy as sa

    from matchmaker.extensions import db

    if not rows:
        return
    dialect = db.engine.dialect
    given = list(rows[0])
    defaults = []
    for column in table.columns:
        if column.key in given or column.default is None:
            continue
        value = column.default.arg(None) if column.default.is_callable else column.default.arg
        defaults.append((column, value))

    def formatter(column):
        process = column.type._cached_bind_processor(dialect)
        if isinstance(column.type, sa.JSON):
            return lambda v: "\\N" if v is None else _escape(json.dumps(v, ensure_ascii=False))
        if process is None:
            return lambda v: "\\N" if v is None else (_escape(v) if isinstance(v, str) else str(v))
        return lambda v: _text(process(v))

    formats = [formatter(table.c[key]) for key in given]
    fixed = "".join("\t" + formatter(column)(value) for column, value in defaults)
    names = ", ".join(f'"{table.c[key].name}"' for key in given) + "".join(f', "{c.name}"' for c, _v in defaults)
    cursor = db.session.connection().connection.driver_connection.cursor()
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        lines = []
        for row in rows:
            lines.append("\t".join([f(row[k]) for f, k in zip(formats, given, strict=True)]) + fixed)
            if len(lines) == 5000:
                copy.write("\n".join(lines) + "\n")
                lines.clear()
        if lines:
            copy.write("\n".join(lines) + "\n")


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _escape(text: str) -> str:
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.translate(_ESCAPES)
    return text


def _text(value) -> str:
    """One bind-processed value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if hasattr(value, "obj"):  # psycopg's Json wrapper
        value = json.dumps(value.obj, ensure_ascii=False)
    elif hasattr(value, "isoformat"):
        value = value.isoformat()
    return _escape(str(value))
