"""Re-uploads cost what changed (issue 17): rows whose fingerprint is the one stored on their
project are not read again, and the database ends exactly as after a full re-import."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
import sqlalchemy as sa
from factories import make_catalogue, make_project, make_user

from matchmaker.accounts.models import Role
from matchmaker.audit import AuditEvent
from matchmaker.catalogue import parser
from matchmaker.catalogue.duplicates import find_duplicates
from matchmaker.catalogue.models import Project, ProjectStatus, project_sectors
from matchmaker.catalogue.operations import (
    duplicate_candidates,
    import_catalogue,
    update_project,
)
from matchmaker.catalogue.rowtypes import ParsedRow
from matchmaker.extensions import db
from matchmaker.reference.loaders import regions_by_code
from matchmaker.reference.models import Sector

PLACES = ["遵义市汇川区", "贵阳市南明区", "六盘水市", "安顺市西秀区", "毕节市七星关区"]
SECTORS = ["光伏", "风电", "新材料", "生态旅游"]
HEADER = ["序号", "项目名称", "所属产业", "建设地点", "总投资", "拟引资金额", "合作方式", "建设内容"]


def base_rows(count: int = 40) -> list[list[str]]:
    return [
        [str(i), f"示例{PLACES[i % 5][:3]}第{i}号绿色项目", SECTORS[i % 4], PLACES[i % 5],
         str(8000 + 100 * i), str(5000 + 10 * i), "合资", f"建设内容{i}"]
        for i in range(1, count + 1)
    ]


def sheet(rows: list[list[str]], unit: str = "万元") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["示例目录"])
    writer.writerow([f"单位：{unit}"])
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def project_state(catalogue_id: int) -> dict[str, tuple]:
    """Every project of the catalogue by code: all columns but ids, timestamps and the
    fingerprint, and its sector codes."""
    table = Project.__table__
    skip = {"id", "catalogue_id", "created_at", "updated_at", "row_fingerprint"}
    columns = [c for c in table.c if c.name not in skip]
    rows = db.session.execute(sa.select(table.c.id, *columns).where(table.c.catalogue_id == catalogue_id)).all()
    links = db.session.execute(
        sa.select(project_sectors.c.project_id, Sector.code).join(Sector, Sector.id == project_sectors.c.sector_id)
    ).all()
    sectors: dict[int, list[str]] = {}
    for pid, code in links:
        sectors.setdefault(pid, []).append(code)
    return {row.code: (*row[1:], sorted(sectors.get(row.id, []))) for row in rows}


def fingerprints(catalogue_id: int) -> dict[str, str]:
    return dict(db.session.execute(sa.select(Project.code, Project.row_fingerprint).where(
        Project.catalogue_id == catalogue_id, Project.row_fingerprint.is_not(None))).all())


def audit_state(catalogue_id: int, after_id: int) -> list[tuple]:
    codes = dict(db.session.execute(
        sa.select(Project.id, Project.code).where(Project.catalogue_id == catalogue_id)).all())
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.entity == "project", AuditEvent.id > after_id)
        .order_by(AuditEvent.id)).all()
    return sorted((e.action, codes[e.entity_id], repr(e.before), repr(e.after))
                  for e in events if e.entity_id in codes)


def last_audit_id() -> int:
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditEvent.id), 0)))


def forget(catalogue_id: int) -> None:
    """The full path: a catalogue with no fingerprints stored reads every row."""
    db.session.execute(sa.update(Project).where(Project.catalogue_id == catalogue_id).values(row_fingerprint=None))
    db.session.commit()


def counts(report) -> tuple:
    return (report.created, report.updated, report.unchanged, report.withdrawn, report.rejected_rows,
            [(m["code"], m["withdrawn"]) for m in report.missing],
            [(e.row, e.column, e.value, str(e.reason)) for e in report.rejected],
            [(c.row, c.code, [(f.field, f.before, f.after) for f in c.fields]) for c in report.changes])


def both(fast, full, data: bytes, **options):
    """Import `data` into `fast` (fingerprints kept) and `full` (fingerprints dropped
    first); both end in the same state, with the same report."""
    forget(full.id)
    before = last_audit_id()
    fast_report = import_catalogue(fast, data, "sheet.csv", user=None, **options)
    db.session.commit()
    fast_audit = audit_state(fast.id, before)
    before = last_audit_id()
    full_report = import_catalogue(full, data, "sheet.csv", user=None, **options)
    db.session.commit()
    assert full_report.recognised == 0
    assert counts(fast_report) == counts(full_report)
    assert project_state(fast.id) == project_state(full.id)
    # every row the full path read has the fingerprint the fast path stored (or kept)
    full_prints = fingerprints(full.id)
    assert full_prints and {code: fingerprints(fast.id)[code] for code in full_prints} == full_prints
    assert fast_audit == audit_state(full.id, before)
    assert fast_report.total_sought_yuan == full_report.total_sought_yuan
    assert [(u["row"], u["code"], u["name"]) for u in fast_report.unchanged_rows] == \
        [(u["row"], u["code"], u["name"]) for u in full_report.unchanged_rows]
    return fast_report, full_report


def test_reimports_with_none_one_and_many_changed_rows_end_as_full_reimports(app):
    fast, full = make_catalogue(), make_catalogue()
    rows = base_rows()
    for catalogue in (fast, full):
        first = import_catalogue(catalogue, sheet(rows), "sheet.csv", user=None)
        db.session.commit()
        assert first.created == 40 and first.recognised == 0
    assert db.session.scalar(sa.select(sa.func.count()).where(
        Project.catalogue_id == fast.id, Project.row_fingerprint.is_not(None))) == 40

    # nothing changed: nothing is read again
    report, _ = both(fast, full, sheet(rows))
    assert (report.recognised, report.unchanged, report.updated) == (40, 40, 0)

    # one row changed
    rows[6][5] = "5200"
    report, _ = both(fast, full, sheet(rows))
    assert (report.recognised, report.updated, report.unchanged) == (39, 1, 39)
    assert [(c.code, [f.field for f in c.fields]) for c in report.changes] == [("7", ["investment_sought_yuan"])]

    # many: changed amounts, sectors and places, new rows, missing rows (withdrawn), a
    # rejected row, and a new row reusing the number of an unchanged one (both rejected)
    for i in range(10, 30):
        rows[i][7] = f"新的建设内容{i}"
    rows[3][2] = "光伏、风电"
    rows[4][3] = "遵义市红花岗区"
    rows[5][2] = "稀土冶炼"  # unknown sector: rejected
    gone = rows.pop(35), rows.pop(35)
    rows.append(["41", "新增贵阳第41号项目", "光伏", "贵阳市南明区", "9000", "6000", "合作", "新增"])
    rows.append(["2", "重复编号的新项目", "风电", "六盘水市", "9000", "6000", "合作", "重复"])
    report, full_report = both(fast, full, sheet(rows), skip_invalid=True)
    assert report.rejected_rows == [5, 9, 43] and report.created == 1
    assert {m["code"] for m in report.missing} == {"6", "2", gone[0][0], gone[1][0]}

    report, _ = both(fast, full, sheet(rows), skip_invalid=True)  # again: the same
    assert report.recognised == 37

    # the rows fixed and back; the missing ones are withdrawn, then come back (reopened)
    rows[5][2] = "新材料"
    rows.pop()
    report, _ = both(fast, full, sheet(rows), confirm_withdraw=True)
    assert report.withdrawn == 2
    rows[35:35] = list(gone)
    report, _ = both(fast, full, sheet(rows))
    assert report.updated == 2 and {c.code for c in report.changes} == {gone[0][0], gone[1][0]}
    statuses = {p.code: p.status for p in db.session.scalars(sa.select(Project).where(Project.catalogue_id == fast.id))}
    assert statuses[gone[0][0]] == ProjectStatus.OPEN


def test_the_sheet_unit_or_the_parser_version_changing_reads_every_row(app, monkeypatch):
    fast, full = make_catalogue(), make_catalogue()
    rows = base_rows(12)
    for catalogue in (fast, full):
        import_catalogue(catalogue, sheet(rows), "sheet.csv", user=None)
        db.session.commit()

    # the same cells under 亿元 instead of 万元: every amount is another one
    report, _ = both(fast, full, sheet(rows, unit="亿元"))
    assert (report.recognised, report.updated) == (0, 12)
    report, _ = both(fast, full, sheet(rows, unit="亿元"))
    assert report.recognised == 12

    monkeypatch.setattr(parser, "PARSER_VERSION", parser.PARSER_VERSION + "-next")
    report, _ = both(fast, full, sheet(rows, unit="亿元"))
    assert (report.recognised, report.unchanged, report.updated) == (0, 12, 0)
    report, _ = both(fast, full, sheet(rows, unit="亿元"))  # fingerprints stored anew
    assert report.recognised == 12


def test_a_project_edited_since_is_read_again(app):
    catalogue = make_catalogue()
    rows = base_rows(5)
    import_catalogue(catalogue, sheet(rows), "sheet.csv", user=None)
    db.session.commit()
    project = db.session.scalar(sa.select(Project).where(Project.catalogue_id == catalogue.id, Project.code == "3"))
    assert project.row_fingerprint
    editor = make_user(Role.STAFF)
    form = {"code": "3", "name": project.name, "sectors": "风电", "location": project.location,
            "total_investment": "0.83", "investment_sought": "0.503", "cooperation_modes": "合资",
            "construction_content": project.construction_content}
    update_project(project, form, user=editor)
    db.session.commit()
    assert project.row_fingerprint is None

    report = import_catalogue(catalogue, sheet(rows), "sheet.csv", user=None)
    db.session.commit()
    assert (report.recognised, report.updated) == (4, 1)
    assert [f.field for f in report.changes[0].fields] == ["sectors"]
    db.session.refresh(project)
    assert project.row_fingerprint and [s.name for s in project.sectors] == ["生态旅游"]


def test_a_dry_run_stores_nothing_and_rejected_rows_are_always_read(app):
    catalogue = make_catalogue()
    rows = base_rows(6)
    rows[2][5] = "待定"
    import_catalogue(catalogue, sheet(rows), "sheet.csv", user=None, skip_invalid=True)
    db.session.commit()
    for _ in range(2):
        report = import_catalogue(catalogue, sheet(rows), "sheet.csv", user=None, dry_run=True)
        assert report.recognised == 5 and not report.committed
        assert [(e.row, e.value) for e in report.rejected] == [(6, "待定")]
    db.session.rollback()


def test_duplicate_candidates_come_from_the_index_with_the_same_answers(app):
    catalogue = make_catalogue()
    base = Decimal("100000000.00")
    names = ["遵义汇川区光伏电站项目", "遵义汇川区光伏电站项目二期", "汇川区光伏电站", "六盘水风电场项目"]
    amounts = [base, base * Decimal("0.95"), base / Decimal("0.95"), base * Decimal("0.949"),
               base * Decimal("1.054"), base * 2, base * Decimal("0.5")]
    for name in names:
        for amount in amounts:
            for region_code in ("520303", "520100", None):
                make_project(catalogue, name=name, region_code=region_code,
                             investment_sought_yuan=amount.quantize(Decimal("0.01")),
                             total_investment_yuan=None)
    regions = regions_by_code()
    region_ids = {code: r.id for code, r in regions.items()}
    codes = {r.id: code for code, r in regions.items()}
    new_rows = [
        ParsedRow(row=i + 2, code=f"n{i}", name=name, sectors=[], location="", region_code=region_code,
                  total_investment_yuan=None, investment_sought_yuan=amount, cooperation_modes=[])
        for i, (name, region_code, amount) in enumerate(
            (name, region_code, amount)
            for name in ("遵义汇川区光伏电站项目", "遵义市汇川区光伏电站项目", "六盘水风电场")
            for region_code in ("520303", None)
            for amount in (base, base * Decimal("1.02"), base * 3))
    ]
    every = [(p.id, p.name, codes.get(p.region_id), p.investment_sought_yuan)
             for p in db.session.scalars(sa.select(Project).order_by(Project.id))]
    candidates = duplicate_candidates(catalogue.id, new_rows, region_ids)
    assert len(candidates) < len(every) / 2
    expected = find_duplicates(new_rows, every)
    assert expected and find_duplicates(new_rows, candidates) == expected


@pytest.mark.parametrize("count", [1, 3])
def test_stored_fingerprints_are_read_in_one_query_without_the_projects(app, count):
    from queries import count_queries

    catalogue = make_catalogue()
    rows = base_rows(20)
    import_catalogue(catalogue, sheet(rows), "sheet.csv", user=None)
    db.session.commit()
    for i in range(count):
        rows[i][7] = "改过的内容"
    with count_queries() as counted:
        report = import_catalogue(catalogue, sheet(rows), "sheet.csv", user=None)
    db.session.commit()
    assert report.updated == count
    reads = [s for s in counted.statements if s.upper().startswith("SELECT") and "FROM projects" in s]
    # the keys and fingerprints of every project: one narrow statement
    narrow = [s for s in reads if "row_fingerprint" in s and "construction_content" not in s
              and "sum(" not in s and not by_number(s)]
    assert len(narrow) == 1 and "WHERE catalogue_id = " in narrow[0]
    # whole projects only for the changed rows (by number), never the catalogue's
    wide = [s for s in reads if "construction_content" in s]
    assert all(by_number(s) for s in wide)
    assert [s for s in wide if "projects.code IN" in s or "projects.code = ANY" in s]


def by_number(statement: str) -> bool:
    """A statement that reads projects by their numbers or ids (an IN list, or an array)."""
    return " IN (" in statement or "= ANY (" in statement


def _reupload_statements(size: int, change) -> tuple[list[str], object]:
    catalogue = make_catalogue()
    rows = base_rows(size)
    import_catalogue(catalogue, sheet(rows), "sheet.csv", user=None)
    db.session.commit()
    change(rows)
    from queries import count_queries

    with count_queries() as counted:
        report = import_catalogue(catalogue, sheet(rows), "sheet.csv", user=None)
        db.session.commit()
    return counted.statements, report


def _one_changed(rows):
    rows[len(rows) // 2][7] = "改过的内容"


def _one_changed_one_new_one_gone(rows):
    rows[3][5] = str(int(rows[3][5]) + 1)
    rows.pop(len(rows) // 2)
    rows.append([str(len(rows) + 2), "新增贵阳第N号项目", "光伏", "贵阳市南明区", "9000", "6000", "合作", "新增"])


@pytest.mark.parametrize("change", [_one_changed, _one_changed_one_new_one_gone])
def test_a_reupload_runs_as_many_statements_whatever_the_size_of_the_catalogue(app, change):
    small, small_report = _reupload_statements(40, change)
    large, large_report = _reupload_statements(400, change)
    assert (small_report.created, small_report.updated, len(small_report.missing)) == \
        (large_report.created, large_report.updated, len(large_report.missing))
    assert small_report.recognised == small_report.unchanged == 40 - 1 - len(small_report.missing)
    assert large_report.recognised == 400 - 1 - len(large_report.missing)
    assert len(large) == len(small), "\n".join(large)
    # nothing reads a column of every project but the keys statement (code, fingerprint)
    # and sums over the index; projects' other columns only by number (IN lists), duplicate
    # candidates by region and a range of amounts (the index)
    reads = [s for s in large if s.upper().startswith("SELECT") and "FROM projects" in s]
    keys = [s for s in reads if s.startswith("SELECT row_fingerprint, code FROM projects")]
    assert len(keys) == 1
    wide = [s for s in reads if s not in keys and not by_number(s) and "sum(" not in s
            and "LIMIT" not in s and "BETWEEN" not in s]
    # catalogue_json: the catalogue's count and sums after the write
    assert all("count(projects.id)" in s for s in wide), wide


def test_fingerprints_keep_cells_and_types_apart():
    from matchmaker.catalogue.columns import ColumnMapping
    from matchmaker.catalogue.parser import _Fingerprints

    columns = [ColumnMapping(i, f"h{i}", None, 100.0, None, None) for i in range(3)]
    prints = _Fingerprints(columns, b"k" * 32)
    rows = [("a\x1fb", "c", ""), ("a", "b\x1fc", ""), ("a", "b", "c"), ("3", "b", "c"), (3.0, "b", "c"),
            (3, "b", "c"), ("a", "b", None), ("a", "b")]
    assert len({prints(row) for row in rows}) == len(rows) - 1  # ("a", "b") is ("a", "b", None)
    assert prints(("a", "b", "c", "past the header")) == prints(("a", "b", "c"))
    assert _Fingerprints(columns, b"j" * 32)(("a", "b", "c")) != prints(("a", "b", "c"))
