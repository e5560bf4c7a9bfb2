"""import_catalogue on real sample files: what is created, updated, rejected, warned."""

from decimal import Decimal

import pytest
import sqlalchemy as sa
from catalogue_helpers import read_fixture, state_fixture  # noqa: F401 - fixtures
from factories import make_agreement, make_catalogue, make_project

from matchmaker.audit import AuditEvent
from matchmaker.catalogue import operations
from matchmaker.catalogue.models import Catalogue, ImportBatch, Project, ProjectStatus
from matchmaker.catalogue.operations import FileRefused, import_catalogue
from matchmaker.extensions import db


def projects(catalogue) -> dict[str, Project]:
    db.session.expire_all()
    return {
        p.code: p
        for p in db.session.scalars(sa.select(Project).where(Project.catalogue_id == catalogue.id))
    }


def summary(project: Project) -> tuple:
    return (
        project.name, sorted(s.code for s in project.sectors), project.region.code if project.region else None,
        project.location, project.total_investment_yuan, project.investment_sought_yuan,
        project.cooperation_modes, project.status.value,
    )


def test_first_upload_creates_every_valid_row(app, read):
    catalogue = make_catalogue(name="贵阳", year=2023)
    report = import_catalogue(catalogue, read("guiyang_v1.xlsx"), "guiyang_v1.xlsx", user=None)
    db.session.commit()

    assert (report.committed, report.created, report.updated, report.unchanged) == (True, 5, 0, 0)
    assert report.rejected == []
    assert report.warnings == []
    assert [(w.column, str(w.message)) for w in report.summary] == [
        ("拟引资金额（亿元）", "1 cells written in 万元, not the column's unit."),
    ]
    assert [(s.row, str(s.reason)) for s in report.skipped] == [
        (1, "Title above the header."), (2, "Title above the header."),
        (9, "Subtotal or total row."), (10, "Note below the table."),
    ]
    saved = projects(catalogue)
    assert {code: summary(p) for code, p in saved.items()} == {
        "1": ("观山湖区绿色数据中心", ["big_data.datacenter"], "520115", "贵阳市观山湖区",
              Decimal("2000000000.00"), Decimal("1000000000.00"), ["joint_venture"], "open"),
        "2": ("开阳磷石膏综合利用项目", ["recycling.phosphogypsum"], "520121", "贵阳市开阳县",
              Decimal("800000000.00"), Decimal("500000000.00"), ["sole"], "open"),
        "3": ("南明区污水处理厂提标改造", ["energy_saving.water"], "520102", "贵阳市南明区",
              Decimal("300000000.00"), Decimal("200000000.00"), ["ppp"], "open"),
        "4": ("清镇市农光互补光伏电站", ["new_energy.solar"], "520181", "贵阳市清镇市",
              Decimal("600000000.00"), Decimal("30000000.00"), ["cooperation"], "open"),
        # the sector cell is merged down from row 7: it applies to row 8 too
        "5": ("修文县分布式光伏项目", ["new_energy.solar"], "520123", "贵阳市修文县",
              Decimal("500000000.00"), Decimal("400000000.00"), ["cooperation"], "open"),
    }
    assert saved["1"].extra == {"用地面积（亩）": "200"}
    assert (saved["1"].contact_person, saved["1"].contact_phone) == ("张三", "0851-1234567")

    batch = db.session.scalar(sa.select(ImportBatch))
    assert (batch.catalogue_id, batch.committed, batch.created_count, batch.file_format) == (
        catalogue.id, True, 5, "xlsx"
    )
    assert batch.report["created"] == 5 and batch.report["batch_id"] == batch.id
    events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.action, e.entity_id) for e in events] == [
        ("project.import_create", saved[c].id) for c in "12345"
    ]
    assert events[1].after["investment_sought_yuan"] == "500000000.00"
    assert report.as_json()["catalogue"] == {
        "id": catalogue.id, "name": "贵阳", "year": 2023, "edition": 2023, "status": "published",
        "usd_rate": None, "rates": {}, "rate_sources": {}, "accepts_outside": False,
        "projects": 5, "investment_sought_yuan": "2130000000.00", "without_english_name": 5,
        "review_state": "draft", "review_comment": "",
    }


def test_rejected_rows_block_the_whole_file_by_default(app, read, state):
    catalogue = make_catalogue()
    import_catalogue(catalogue, read("guiyang_v1.xlsx"), "v1.xlsx", user=None)
    db.session.commit()
    before = state()

    report = import_catalogue(catalogue, read("guiyang_v2.xlsx"), "v2.xlsx", user=None)
    db.session.commit()

    assert report.committed is False
    assert [(e.row, e.column, e.value, str(e.reason)) for e in report.rejected] == [
        (9, "所属产业", "稀土冶炼", "Unknown sector 稀土冶炼."),
        (10, "拟引资金额（亿元）", "待定", "The investment sought 待定 is not known yet; the catalogue needs a figure."),
    ]
    assert str(report.blocked).startswith("2 rows are rejected, so nothing was imported.")
    # what would happen is still reported
    assert (report.created, report.updated, report.unchanged) == (1, 2, 2)
    after = state()
    assert {k: v for k, v in after.items() if k != "batches"} == {
        k: v for k, v in before.items() if k != "batches"
    }
    batches = db.session.scalars(sa.select(ImportBatch).order_by(ImportBatch.id)).all()
    assert [(b.committed, b.rejected_count) for b in batches] == [(True, 0), (False, 2)]


def test_reupload_updates_by_code_and_keeps_ids_and_agreements(app, read):
    catalogue = make_catalogue()
    import_catalogue(catalogue, read("guiyang_v1.xlsx"), "v1.xlsx", user=None)
    db.session.commit()
    first = projects(catalogue)
    ids = {code: p.id for code, p in first.items()}
    agreement = make_agreement(project=first["2"], project_name=first["2"].name)

    report = import_catalogue(catalogue, read("guiyang_v2.xlsx"), "v2.xlsx", user=None, skip_invalid=True)
    db.session.commit()

    assert (report.committed, report.created, report.updated, report.unchanged) == (True, 1, 2, 2)
    assert [e.row for e in report.rejected] == [9, 10]
    assert [(n["row"], n["code"]) for n in report.new] == [(8, "6")]
    assert [
        (c.row, c.code, [(f.field, f.before, f.after) for f in c.fields]) for c in report.changes
    ] == [
        (5, "2", [
            ("investment_sought_yuan", "500000000.00", "600000000.00"),
            ("construction_content", "年处理磷石膏100万吨", "年处理磷石膏150万吨"),
        ]),
        (7, "5", [("sectors", ["光伏"], ["光伏", "风电"])]),
    ]
    assert [(u["row"], u["code"]) for u in report.unchanged_rows] == [(4, "1"), (6, "4")]
    # project 3 is not in the new file: listed, not withdrawn without confirmation
    assert report.missing == [{"project_id": ids["3"], "code": "3", "name": "南明区污水处理厂提标改造", "withdrawn": False}]

    second = projects(catalogue)
    assert {code: second[code].id for code in ids} == ids
    assert second["3"].status == ProjectStatus.OPEN
    assert second["2"].investment_sought_yuan == Decimal("600000000.00")
    assert sorted(s.code for s in second["5"].sectors) == ["new_energy.solar", "new_energy.wind"]
    assert second["6"].name == "息烽县氢能产业园"
    db.session.refresh(agreement)
    assert agreement.project_id == ids["2"]

    update = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "project.import_update", AuditEvent.entity_id == ids["2"])
    )
    assert (update.before, update.after) == (
        {"investment_sought_yuan": "500000000.00", "construction_content": "年处理磷石膏100万吨"},
        {"investment_sought_yuan": "600000000.00", "construction_content": "年处理磷石膏150万吨"},
    )


def test_missing_projects_are_withdrawn_only_when_confirmed_and_clean(app, read):
    catalogue = make_catalogue()
    import_catalogue(catalogue, read("guiyang_v1.xlsx"), "v1.xlsx", user=None)
    db.session.commit()
    ids = {code: p.id for code, p in projects(catalogue).items()}

    # rejected rows in the file: no withdrawal even when asked
    report = import_catalogue(catalogue, read("guiyang_v2.xlsx"), "v2.xlsx", user=None,
                              skip_invalid=True, confirm_withdraw=True)
    db.session.commit()
    assert report.withdrawn == 0 and report.missing[0]["withdrawn"] is False
    assert [str(n) for n in report.notes] == [
        "Projects missing from the file are withdrawn only from a file without rejected rows."
    ]

    # the exported catalogue minus project 1, confirmed: project 1 is withdrawn
    exported = operations.export_catalogue(catalogue, "csv").decode("utf-8-sig").splitlines()
    without_first = [line for line in exported if not line.startswith("1,")]
    assert len(without_first) == len(exported) - 1
    data = "\n".join(without_first).encode("utf-8")
    listed = import_catalogue(catalogue, data, "c.csv", user=None, dry_run=True)
    assert [m["code"] for m in listed.missing] == ["1"] and listed.withdrawn == 0
    report = import_catalogue(catalogue, data, "c.csv", user=None, confirm_withdraw=True)
    db.session.commit()
    assert (report.withdrawn, report.created, report.updated, report.unchanged) == (1, 0, 0, 5)
    assert [(m["code"], m["withdrawn"]) for m in report.missing] == [("1", True)]
    saved = projects(catalogue)
    assert {c: p.status.value for c, p in saved.items()} == {
        "1": "withdrawn", "2": "open", "3": "open", "4": "open", "5": "open", "6": "open",
    }
    assert saved["1"].id == ids["1"]

    # it comes back with the next full upload: reopened, same id
    report = import_catalogue(catalogue, read("guiyang_v1.xlsx"), "v1.xlsx", user=None)
    db.session.commit()
    assert ("status", "withdrawn", "open") in [
        (f.field, f.before, f.after) for c in report.changes if c.code == "1" for f in c.fields
    ]
    assert projects(catalogue)["1"].status == ProjectStatus.OPEN


def test_dry_run_writes_no_project_but_records_the_batch(app, read):
    catalogue = make_catalogue()
    report = import_catalogue(catalogue, read("guiyang_v1.xlsx"), "v1.xlsx", user=None, dry_run=True)
    db.session.commit()
    assert (report.committed, report.dry_run, report.created) == (False, True, 5)
    assert projects(catalogue) == {}
    batch = db.session.get(ImportBatch, report.batch_id)
    assert (batch.committed, batch.report["dry_run"], batch.report["created"]) == (False, True, 5)
    assert operations.stored_upload(batch) == read("guiyang_v1.xlsx")


def test_new_catalogue_is_created_only_when_something_is_written(app, read):
    blocked = operations.find_or_new_catalogue("新目录", 2024)
    import_catalogue(blocked, read("guiyang_v2.xlsx"), "v2.xlsx", user=None)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Catalogue.id))) == 0

    fresh = operations.find_or_new_catalogue("新目录", 2024)
    report = import_catalogue(fresh, read("guiyang_v1.xlsx"), "v1.xlsx", user=None)
    db.session.commit()
    assert report.catalogue["id"] == fresh.id and report.catalogue["status"] == "draft"
    assert operations.find_or_new_catalogue("新目录", 2024).id == fresh.id


def test_duplicates_within_the_file_and_against_existing_projects(app, read):
    catalogue = make_catalogue()
    existing = make_project(catalogue, code="X1", name="息烽县氢能产业园区", region_code="520122",
                            sectors=("new_energy.hydrogen",), investment_sought_yuan=Decimal("600000000.00"))
    report = import_catalogue(catalogue, read("guiyang_v2.xlsx"), "v2.xlsx", user=None, dry_run=True)
    assert [(d.row, d.project_id, d.other_row) for d in report.duplicates] == [(8, existing.id, None)]
    assert report.as_json()["duplicates"][0]["score"] >= 90

    zunyi = import_catalogue(make_catalogue(), read("prefecture_zunyi.xlsx"), "z.xlsx", user=None, dry_run=True)
    assert [(d.row, d.project_id, d.other_row) for d in zunyi.duplicates] == [(20, None, 5)]


def test_prefecture_sample_rejects_exactly_these_rows(app, read):
    report = import_catalogue(make_catalogue(), read("prefecture_zunyi.xlsx"), "z.xlsx", user=None)
    assert report.committed is False
    assert [(e.row, e.column, str(e.reason)) for e in report.rejected] == [
        (13, "项目名称", "The project name is missing."),
        (14, "所属产业", "Unknown sector 稀土冶炼."),
        (15, "拟引资金额", "The amount 3 has no unit and the column header gives none; write it as 5亿元 or 5000万元."),
        (16, "总投资（亿元）", "The total investment (1亿元) is less than the investment sought (2亿元)."),
        (17, "序号", "Project number 10 is used by more than one row (rows 17, 18)."),
        (18, "序号", "Project number 10 is used by more than one row (rows 17, 18)."),
        (19, "拟引资金额", "The amount -2亿元 is negative."),
    ]
    assert [(w.row, str(w.message)) for w in report.warnings] == [
        (5, "约5亿元 is approximate; recorded as 5亿元."),
    ]


@pytest.mark.parametrize(
    ("filename", "reason"),
    [
        ("empty.csv", "The file is empty."),
        ("not_a_sheet.xlsx", "The file is not a valid Excel workbook (.xlsx)."),
        ("zip_bomb.xlsx", "The workbook unpacks to 300 MB, more than the 200 MB allowed; it may be damaged or malicious."),
    ],
)
def test_refused_files_write_nothing(app, read, state, filename, reason):
    catalogue = make_catalogue()
    before = state()
    with pytest.raises(FileRefused) as refused:
        import_catalogue(catalogue, read(filename), filename, user=None)
    assert (str(refused.value), refused.value.status) == (reason, 422)
    db.session.rollback()
    assert state() == before


def test_upload_size_limit(app, read):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    with pytest.raises(FileRefused) as refused:
        import_catalogue(make_catalogue(), read("guiyang_v1.xlsx"), "v1.xlsx", user=None)
    assert str(refused.value).endswith("uploads are limited to 0 MB.") or "limited" in str(refused.value)


def test_reasons_are_translated_at_the_door(app, read):
    report = import_catalogue(make_catalogue(), read("guiyang_v2.xlsx"), "v2.xlsx", user=None, dry_run=True)
    data = report.as_json()  # the app's default locale is Chinese
    assert data["rejected"][0]["reason"] != "Unknown sector 稀土冶炼."
    assert "稀土冶炼" in data["rejected"][0]["reason"]
    assert set(data) >= {"catalogue", "committed", "created", "updated", "unchanged", "rejected",
                         "warnings", "duplicates"}


@pytest.mark.parametrize("where", ["_update_projects", "reindex"])
def test_failure_mid_commit_leaves_the_database_as_before(app, read, state, monkeypatch, where):
    catalogue = make_catalogue()
    import_catalogue(catalogue, read("guiyang_v1.xlsx"), "v1.xlsx", user=None)
    db.session.commit()
    before = state()

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    if where == "reindex":
        import matchmaker.search.operations

        monkeypatch.setattr(matchmaker.search.operations, "reindex_projects", boom)
    else:
        monkeypatch.setattr(operations, where, boom)  # after the new project is inserted
    with pytest.raises(RuntimeError, match="disk full"):
        import_catalogue(catalogue, read("guiyang_v2.xlsx"), "v2.xlsx", user=None, skip_invalid=True)
    db.session.rollback()
    assert state() == before
