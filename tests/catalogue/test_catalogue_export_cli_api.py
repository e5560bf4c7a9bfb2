"""Export round trip, formula neutralisation, the CLI doors, the API door, the demo."""

import csv
import io
import json

import pytest
import sqlalchemy as sa
from catalogue_helpers import read_fixture, state_fixture  # noqa: F401 - fixtures
from factories import make_catalogue, make_user
from openpyxl import load_workbook

from matchmaker.accounts.models import Role
from matchmaker.accounts.operations import create_token
from matchmaker.catalogue.models import Catalogue, ImportBatch, Project
from matchmaker.catalogue.operations import export_catalogue, import_catalogue
from matchmaker.extensions import db
from matchmaker.sheets import safe_cell, unneutralise

FIELDS = (
    "code", "name", "name_en", "location", "region_id", "total_investment_yuan",
    "investment_sought_yuan", "cooperation_modes", "construction_content", "market_outlook",
    "preparation_status", "owner", "contact_person", "contact_phone", "extra", "status",
)


def snapshot(catalogue) -> list[tuple]:
    db.session.expire_all()
    items = db.session.scalars(
        sa.select(Project).where(Project.catalogue_id == catalogue.id).order_by(Project.code)
    )
    return [
        (*(getattr(p, f) for f in FIELDS), sorted(s.code for s in p.sectors)) for p in items
    ]


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+1", "'=1+1"), ("+86 851", "'+86 851"), ("-减排", "'-减排"), ("@公司", "'@公司"),
        ("\tx", "'\tx"), ("普通", "普通"), ("", ""), (5, 5), (None, None), ("1=1", "1=1"),
    ],
)
def test_safe_cell(value, safe):
    assert safe_cell(value) == safe
    if isinstance(value, str):
        assert unneutralise(safe_cell(value)) == value


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
@pytest.mark.parametrize("source", ["guiyang_v1.xlsx", "formula.csv", "county_gbk.csv", "english_headers.csv"])
def test_import_export_import_gives_identical_projects(app, read, file_format, source):
    first = make_catalogue(usd_rate="7.1")
    report = import_catalogue(first, read(source), source, user=None)
    assert report.committed and report.created >= 2
    exported = export_catalogue(first, file_format)

    second = make_catalogue(usd_rate="7.1")
    again = import_catalogue(second, exported, f"export.{file_format}", user=None)
    assert (again.committed, again.created, again.rejected) == (True, report.created, [])
    assert [w for w in again.warnings if "read as" in str(w.message) and "万元" in str(w.message)] == []
    assert snapshot(second) == snapshot(first)

    # and into the same catalogue: nothing changes
    same = import_catalogue(first, exported, f"export.{file_format}", user=None)
    assert (same.created, same.updated, same.unchanged) == (0, 0, report.created)


def test_exported_formula_cells_are_neutralised(app, read):
    catalogue = make_catalogue(name="公式", year=2023)
    import_catalogue(catalogue, read("formula.csv"), "formula.csv", user=None)

    sheet = load_workbook(io.BytesIO(export_catalogue(catalogue, "xlsx"))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "公式（2023）"
    assert rows[1][:8] == ("序号", "项目名称", "英文名称", "所属产业", "建设地点", "总投资（亿元）",
                           "拟引资金额（亿元）", "合作方式")
    first = dict(zip(rows[1], rows[2], strict=True))
    assert first["项目名称"] == "'=HYPERLINK(\"http://evil.example\",\"点我\")"
    assert (first["项目业主"], first["联系电话"], first["建设内容"]) == (
        "'@某某公司", "'+86 851 1234567", "'-减排二氧化碳"
    )
    assert (first["总投资（亿元）"], first["拟引资金额（亿元）"], first["所属产业"]) == (3, 2, "光伏")
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)

    lines = list(csv.reader(io.StringIO(export_catalogue(catalogue, "csv").decode("utf-8-sig"))))
    first = dict(zip(lines[1], lines[2], strict=True))
    assert first["项目名称"] == "'=HYPERLINK(\"http://evil.example\",\"点我\")"
    assert (first["项目业主"], first["联系电话"], first["建设内容"]) == (
        "'@某某公司", "'+86 851 1234567", "'-减排二氧化碳"
    )


# ----------------------------------------------------------------------------------- CLI


def test_cli_import_json_and_exit_codes(app, runner, tmp_path, read):
    v1, v2 = tmp_path / "v1.xlsx", tmp_path / "v2.xlsx"
    v1.write_bytes(read("guiyang_v1.xlsx"))
    v2.write_bytes(read("guiyang_v2.xlsx"))
    args = ["--catalogue", "贵阳目录", "--year", "2023", "--json"]

    result = runner.invoke(args=["import", str(v1), *args])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["committed"], report["created"], report["catalogue"]["name"]) == (True, 5, "贵阳目录")
    assert report["warnings"] == []  # a routine conversion is counted per column instead
    assert [(w["column"], w["message"]) for w in report["warning_summary"]] == [
        ("拟引资金额（亿元）", "1 个单元格自带单位万元（不同于该列单位）。"),  # Chinese by default
    ]
    assert (report["totals"]["warnings"], report["truncated"]) == (0, [])

    result = runner.invoke(args=["import", str(v2), *args])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["committed"] is False
    assert [(r["row"], r["column"], r["value"]) for r in report["rejected"]] == [
        (9, "所属产业", "稀土冶炼"), (10, "拟引资金额（亿元）", "待定"),
    ]

    result = runner.invoke(args=["import", str(v2), *args, "--dry-run", "--skip-invalid"])
    assert result.exit_code == 0 and json.loads(result.stdout)["committed"] is False

    result = runner.invoke(args=["import", str(v2), *args, "--skip-invalid"])
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert (report["committed"], report["created"], report["updated"], report["unchanged"]) == (True, 1, 2, 2)
    assert [m["code"] for m in report["missing"]] == ["3"]
    assert db.session.scalar(sa.select(sa.func.count(Catalogue.id))) == 1


def test_cli_import_human_output_and_refused_file(app, runner, tmp_path, read):
    v2 = tmp_path / "v2.xlsx"
    v2.write_bytes(read("guiyang_v2.xlsx"))
    result = runner.invoke(args=["import", str(v2), "--year", "2023"])
    assert result.exit_code == 1
    assert "rejected row 9 [所属产业] '稀土冶炼'" in result.output

    empty = tmp_path / "empty.csv"
    empty.write_bytes(read("empty.csv"))
    result = runner.invoke(args=["import", str(empty), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["code"] == "file_refused"
    assert runner.invoke(args=["import", str(tmp_path / "nope.csv")]).exit_code == 2
    assert db.session.scalar(sa.select(sa.func.count(Catalogue.id))) == 0


def test_cli_export(app, runner, tmp_path, read):
    catalogue = make_catalogue()
    import_catalogue(catalogue, read("guiyang_v1.xlsx"), "v1.xlsx", user=None)
    db.session.commit()
    out = tmp_path / "out.csv"
    result = runner.invoke(args=["export", str(catalogue.id), "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = out.read_bytes().decode("utf-8-sig").splitlines()
    assert len(lines) == 2 + 5 and lines[1].startswith("序号,项目名称,英文名称,所属产业,建设地点,总投资（亿元）")
    xlsx = tmp_path / "out.xlsx"
    assert runner.invoke(args=["export", str(catalogue.id), "--format", "xlsx", "-o", str(xlsx)]).exit_code == 0
    assert xlsx.read_bytes()[:2] == b"PK"
    assert runner.invoke(args=["export", "999", "-o", str(out)]).exit_code == 1


# ----------------------------------------------------------------------------------- API


@pytest.fixture
def staff_headers(app):
    token, _ = create_token(make_user(Role.STAFF))
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def post(client, headers, data: bytes, filename: str, **fields):
    form = {"file": (io.BytesIO(data), filename), "name": "API目录", "year": "2023", **fields}
    return client.post("/api/v1/catalogues", data=form, headers=headers, content_type="multipart/form-data")


def test_api_import(client, staff_headers, read):
    response = post(client, staff_headers, read("guiyang_v1.xlsx"), "v1.xlsx", dry_run="true")
    assert response.status_code == 200
    assert (response.json["committed"], response.json["created"]) == (False, 5)

    response = post(client, staff_headers, read("guiyang_v1.xlsx"), "v1.xlsx")
    assert response.status_code == 200
    body = response.json
    assert (body["committed"], body["created"], body["catalogue"]["projects"]) == (True, 5, 5)
    assert body["catalogue"]["investment_sought_yuan"] == "2130000000.00"

    response = post(client, staff_headers, read("guiyang_v2.xlsx"), "v2.xlsx")
    assert response.status_code == 422
    assert [r["row"] for r in response.json["rejected"]] == [9, 10]

    response = post(client, staff_headers, read("guiyang_v2.xlsx"), "v2.xlsx", skip_invalid="1")
    assert response.status_code == 200
    assert (response.json["created"], response.json["updated"]) == (1, 2)
    batches = db.session.scalars(sa.select(ImportBatch).order_by(ImportBatch.id)).all()
    assert [b.committed for b in batches] == [False, True, False, True]
    assert all(b.user_id is not None for b in batches)


def test_api_refusals(client, app, staff_headers, read):
    assert post(client, {}, read("guiyang_v1.xlsx"), "v1.xlsx").status_code == 401
    token, _ = create_token(make_user(Role.INVESTOR))
    db.session.commit()
    assert post(client, {"Authorization": f"Bearer {token}"}, read("guiyang_v1.xlsx"), "v1.xlsx").status_code == 403

    response = post(client, staff_headers, read("empty.csv"), "empty.csv")
    assert response.status_code == 422 and response.json["error"]["code"] == "file_refused"
    response = client.post("/api/v1/catalogues", data={"name": "x", "year": "2023"}, headers=staff_headers)
    assert response.status_code == 400
    response = post(client, staff_headers, read("guiyang_v1.xlsx"), "v1.xlsx", year="abc")
    assert response.status_code == 400
    spec = client.get("/api/v1/openapi.json").json
    assert "post" in spec["paths"]["/catalogues"]


# ----------------------------------------------------------------------------------- demo


def test_demo_catalogue_loads_through_the_importer(app, client):
    from matchmaker.demo import load_demo

    result = load_demo()
    assert (result.catalogue_created, result.projects) == (True, 220)
    batch = db.session.scalar(sa.select(ImportBatch))
    assert (batch.committed, batch.created_count, batch.rejected_count) == (True, 220, 0)
    html = client.get("/").get_data(as_text=True)
    assert '<span class="value" id="fig-projects">220</span>' in html
    assert '<span class="value" id="fig-sought">1,300.00</span>' in html
