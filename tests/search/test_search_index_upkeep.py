"""The index follows imports (Core writes + reindex_projects), ORM edits, publication and
deletion; `matchmaker search-index rebuild` and `matchmaker search` work."""

import json
from decimal import Decimal

import sqlalchemy as sa
from factories import make_catalogue, make_project, sector

from matchmaker.catalogue.models import Catalogue, CatalogueStatus, Project, project_sectors
from matchmaker.extensions import db
from matchmaker.search.core import SearchRequest
from matchmaker.search.operations import reindex_projects, search_projects


def found(q: str, **filters) -> list[str]:
    return [p.name for p, _ in search_projects(SearchRequest(q=q, **filters)).items]


def test_core_import_then_reindex_projects(app):
    catalogue = make_catalogue()
    solar = sector("new_energy.solar")
    ids = []
    for number in range(3):
        result = db.session.execute(sa.insert(Project).returning(Project.id), [{
            "catalogue_id": catalogue.id, "code": f"C{number}", "name": f"毕节光伏项目{number}",
            "investment_sought_yuan": Decimal("100000000"), "cooperation_modes": [], "extra": {},
            "location": "", "construction_content": "", "market_outlook": "",
            "preparation_status": "", "owner": "", "contact_person": "", "contact_phone": "",
            "status": "open"}])
        ids.append(result.scalar_one())
    db.session.execute(sa.insert(project_sectors), [{"project_id": i, "sector_id": solar.id} for i in ids])
    reindex_projects(ids)
    db.session.commit()
    assert found("毕节 光伏") == ["毕节光伏项目0", "毕节光伏项目1", "毕节光伏项目2"]
    assert found("光伏", sectors=("new_energy.solar",)) == ["毕节光伏项目0", "毕节光伏项目1", "毕节光伏项目2"]
    db.session.execute(sa.delete(project_sectors).where(project_sectors.c.project_id == ids[0]))
    db.session.execute(sa.delete(Project).where(Project.id == ids[0]))
    reindex_projects([ids[0]])
    db.session.commit()
    assert found("光伏") == ["毕节光伏项目1", "毕节光伏项目2"]


def test_orm_edits_follow(app):
    project = make_project(name="六盘水风电项目", sectors=("new_energy.wind",))
    assert found("风电") == ["六盘水风电项目"]
    project.name = "六盘水氢能项目"
    project.sectors = [sector("new_energy.hydrogen")]
    db.session.commit()
    assert found("风电") == []
    assert found("氢能") == ["六盘水氢能项目"]
    db.session.delete(project)
    db.session.commit()
    assert found("氢能") == []


def test_unpublishing_a_catalogue_hides_its_projects(app):
    project = make_project(name="安顺磷石膏综合利用项目", sectors=("recycling.phosphogypsum",))
    assert found("磷石膏") == [project.name]
    catalogue = db.session.get(Catalogue, project.catalogue_id)
    catalogue.status = CatalogueStatus.DRAFT
    db.session.commit()
    assert found("磷石膏") == []


def test_uncommitted_changes_are_not_searched(app):
    project = make_project(name="贵阳大数据项目", sectors=("big_data",))
    project.name = "贵阳茶叶项目"
    db.session.flush()
    assert found("茶叶") == []  # the index serves committed data only
    db.session.rollback()
    assert found("大数据") == ["贵阳大数据项目"]


def test_rebuild_command_and_search_command(app, runner):
    make_project(name="遵义锂电池项目", sectors=("nev.battery",), region_code="520303")
    db.session.execute(sa.text("DELETE FROM search_documents"))
    db.session.commit()
    result = runner.invoke(args=["search-index", "rebuild"])
    assert result.exit_code == 0 and "1 projects" in result.output
    result = runner.invoke(args=["search", "battery zunyi", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert [i["name"] for i in body["items"]] == ["遵义锂电池项目"]
    assert body["items"][0]["matched_fields"] == ["name", "sector", "region"]
    text = runner.invoke(args=["search", "锂电", "--region", "520300"])
    assert text.exit_code == 0 and "遵义锂电池项目" in text.output and "5.00亿元" in text.output
    bad = runner.invoke(args=["search", "锂电", "--sector", "nope"])
    assert bad.exit_code == 1


def test_an_incremental_update_patches_the_arrays_as_a_full_load_builds_them(app):
    import dataclasses
    import random

    import numpy as np

    from matchmaker.reference import loaders
    from matchmaker.search.core import Document, SearchIndex

    taxonomy, gazetteer = loaders.taxonomy(), loaders.gazetteer()
    rng = random.Random(17)
    regions = [r.code for r in gazetteer][:30]
    sectors = ["new_energy.solar", "storage", "nev.battery", "eco_tourism"]

    def document(project_id: int) -> Document:
        return Document(project_id=project_id, visible=rng.random() < 0.9, name=f"项目{project_id}",
                        content="光伏", sector_codes=(rng.choice(sectors),), region_code=rng.choice(regions),
                        sought_fen=rng.randint(0, 10**12), modes=("ppp",) if rng.random() < 0.5 else (),
                        status="open", created_key=project_id)

    docs = {i: document(i) for i in range(1, 301)}
    index = SearchIndex(taxonomy, gazetteer)
    index.load(docs.values())
    index._arrays()
    for _round in range(3):
        changed = [dataclasses.replace(document(i), name=docs[i].name) for i in rng.sample(sorted(docs), 10)]
        added = [document(i) for i in range(max(docs) + 1, max(docs) + 6)]
        index.update(changed + added)
        docs.update({d.project_id: d for d in changed + added})
        patched = index._arrays()
        fresh = SearchIndex(taxonomy, gazetteer)
        fresh.load(docs.values())
        assert fresh.size == index.size == len(docs)
        for name, array in fresh._arrays().items():
            if name == "cell":  # facet cells are numbered as they come: their values agree
                for field, values in fresh._cell_table.items():
                    assert np.array_equal(index._cell_table[field][patched["cell"][: len(docs)]],
                                          values[array[: len(docs)]]), field
                continue
            assert np.array_equal(patched[name][: len(docs)], array[: len(docs)]), name
