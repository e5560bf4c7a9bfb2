"""Importing real sheets end to end (database): explicit choices recorded, round trips,
bounded reports, formula-safe and control-character-safe exports, currencies in the API."""

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import csrf_token
from factories import (
    make_agreement,
    make_catalogue,
    make_investor,
    make_project,
    make_session,
    make_user,
)
from openpyxl import load_workbook

from matchmaker.accounts.models import Role
from matchmaker.accounts.operations import create_token
from matchmaker.catalogue.models import ImportBatch, Project
from matchmaker.catalogue.operations import export_catalogue, import_catalogue
from matchmaker.extensions import db

ROOT = Path(__file__).resolve().parents[2]
SHAPES = ROOT / "tests" / "data" / "catalogue" / "shapes"
REAL = ROOT / "tests" / "data" / "catalogue" / "real"
RATES = {"USD": "7.1", "EUR": "7.8", "HKD": "0.92"}
FIELDS = (
    "code", "name", "name_en", "location", "region_id", "province", "total_investment_yuan",
    "investment_sought_yuan", "currency", "exchange_rate", "total_investment_original",
    "investment_sought_original", "cooperation_modes", "construction_content", "owner", "extra", "status",
)


def snapshot(catalogue) -> list[tuple]:
    db.session.expire_all()
    items = db.session.scalars(sa.select(Project).where(Project.catalogue_id == catalogue.id).order_by(Project.code))
    return [(*(getattr(p, f) for f in FIELDS), sorted(s.code for s in p.sectors)) for p in items]


def currency_catalogue(**fields):
    return make_catalogue(usd_rate=Decimal("7.1"), rates={"EUR": "7.8", "HKD": "0.92"}, **fields)


def test_sought_from_total_is_an_explicit_choice_recorded_in_the_history(app, client, login):
    catalogue = make_catalogue()
    data = (REAL / "guizhou_key_projects.xlsx").read_bytes()
    refused = import_catalogue(catalogue, data, "key.xlsx", user=None, skip_invalid=True)
    assert (refused.committed, refused.created, refused.sought_column_missing) == (True, 0, True)
    report = import_catalogue(catalogue, data, "key.xlsx", user=None, skip_invalid=True, sought_from_total=True)
    db.session.commit()
    assert (report.created, report.choices) == (5, {"sought_from_total": True, "keep_unclassified": False})
    batch = db.session.get(ImportBatch, report.batch_id)
    assert batch.report["choices"]["sought_from_total"] is True

    login(make_user(Role.STAFF))
    history = client.get(f"/catalogues/{catalogue.id}/imports?lang=en").get_data(as_text=True)
    assert "investment sought = total investment" in history
    assert "New projects" in history and "(UTC)" not in history  # local time, plain words


def test_preview_offers_the_choices_and_rechecks_with_them(app, client, login):
    login(make_user(Role.STAFF))
    catalogue = make_catalogue()
    response = client.post(
        f"/catalogues/{catalogue.id}/upload",
        data={"file": (io.BytesIO((REAL / "guizhou_key_projects.xlsx").read_bytes()), "key.xlsx"),
              "csrf_token": csrf_token(client)},
        content_type="multipart/form-data",
    )
    preview = client.get(response.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "use the total investment as the investment sought for every row" in preview
    batch_id = int(response.headers["Location"].rsplit("/", 1)[1])
    again = client.post(f"/catalogues/{catalogue.id}/imports/{batch_id}/commit",
                        data={"recheck": "1", "sought_from_total": "y", "csrf_token": csrf_token(client)})
    recheck = db.session.get(ImportBatch, int(again.headers["Location"].rsplit("/", 1)[1]))
    assert (recheck.committed, recheck.created_count, recheck.report["choices"]["sought_from_total"]) == (False, 5, True)
    assert db.session.scalar(sa.select(sa.func.count(Project.id))) == 0  # a check writes nothing


def test_keep_unclassified_lists_projects_to_classify(app, client, login):
    catalogue = currency_catalogue()
    report = import_catalogue(catalogue, (REAL / "guian_deals_usd.xlsx").read_bytes(), "deals.xlsx", user=None,
                              sought_from_total=True, keep_unclassified=True)
    db.session.commit()
    assert report.created == 3
    login(make_user(Role.STAFF))
    page = client.get(f"/catalogues/{catalogue.id}?lang=en").get_data(as_text=True)
    assert "Projects to classify (2 without a sector)" in page
    assert "NetEase Guian Data Center — label as written: Technology" in page


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
@pytest.mark.parametrize(
    ("sheet", "created", "kinds"),
    [
        (SHAPES / "deals_currencies.csv", 6, {"currency": {"USD", "EUR", "HKD"}}),  # the yen row has no rate
        (SHAPES / "unit_line.xlsx", 10, {"province": {None, "广东省", "广西壮族自治区"}, "currency": {None}}),
        (REAL / "guian_deals_usd.xlsx", 3, {"currency": {"USD"}}),
    ],
)
def test_round_trip_with_currencies_unclassified_and_outside_rows(app, file_format, sheet, created, kinds):
    catalogue = currency_catalogue(accepts_outside=True)
    first = import_catalogue(catalogue, sheet.read_bytes(), sheet.name, user=None,
                             skip_invalid=True, keep_unclassified=True, sought_from_total=True)
    db.session.commit()
    assert first.created == created
    before = snapshot(catalogue)
    for name, values in kinds.items():
        assert {row[FIELDS.index(name)] for row in before} == values
    assert any(row[-1] == [] for row in before)  # some kept unclassified

    exported = export_catalogue(catalogue, file_format)
    again = import_catalogue(catalogue, exported, f"export.{file_format}", user=None)
    db.session.commit()
    assert (again.committed, again.created, again.updated, again.unchanged, again.rejected) == (
        True, 0, 0, created, [])
    assert snapshot(catalogue) == before

    copy = currency_catalogue(accepts_outside=True)
    fresh = import_catalogue(copy, exported, f"export.{file_format}", user=None)
    db.session.commit()
    assert fresh.created == created and fresh.rejected == []
    assert snapshot(copy) == before


def test_catalogue_without_sectors_round_trips(app):
    catalogue = make_catalogue()
    data = "项目名称,建设地点,拟引资金额（亿元）\n甲项目,遵义市汇川区,1.5\n乙项目,贵州省,2\n".encode()
    assert import_catalogue(catalogue, data, "plain.csv", user=None).created == 2
    db.session.commit()
    before = snapshot(catalogue)
    again = import_catalogue(catalogue, export_catalogue(catalogue, "xlsx"), "export.xlsx", user=None)
    assert (again.unchanged, again.rejected) == (2, [])
    assert snapshot(catalogue) == before


def test_thousands_of_rows_with_one_number_give_a_bounded_report(app):
    lines = ["序号,项目名称,所属产业,建设地点,拟引资金额（亿元）"]
    lines += [f"1,项目{i},光伏,遵义市汇川区,1" for i in range(8000)]
    report = import_catalogue(make_catalogue(), "\n".join(lines).encode(), "ones.csv", user=None)
    stored = report.stored()
    assert stored["totals"]["rejected"] == 8000 and len(stored["rejected"]) == 1000
    assert "rejected" in stored["truncated"]
    assert stored["rejected"][0]["reason"]["params"]["rows"] == "2, 3, 4, 5, 6"
    assert len(json.dumps(stored, ensure_ascii=False)) < 600_000
    batch = db.session.get(ImportBatch, report.batch_id)
    assert len(json.dumps(batch.report, ensure_ascii=False)) < 600_000


def test_identical_rows_give_one_duplicate_hint_per_row(app):
    lines = ["项目名称,所属产业,建设地点,拟引资金额（亿元）"] + [f"遵义光伏项目{i % 1}号,光伏,遵义市汇川区,1" for i in range(3000)]
    report = import_catalogue(make_catalogue(), "\n".join(lines).encode(), "same.csv", user=None)
    # one generated code: every row shares it, so all are rejected and none compared twice
    assert report.stored()["totals"]["duplicates"] <= 3000


def test_exports_neutralise_formulas_in_the_title_and_extra_headers(app):
    catalogue = make_catalogue(name="=HYPERLINK(\"http://evil\",\"x\")")
    data = "项目名称,建设地点,拟引资金额（亿元）,=cmd|'/c calc'!A1\n甲项目,遵义市汇川区,1,=1+1\n".encode()
    assert import_catalogue(catalogue, data, "f.csv", user=None).created == 1
    db.session.commit()
    sheet = load_workbook(io.BytesIO(export_catalogue(catalogue, "xlsx"))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert str(rows[0][0]).startswith("'=HYPERLINK")
    assert rows[1][-1] == "'=cmd|'/c calc'!A1" and rows[2][-1] == "'=1+1"
    text = export_catalogue(catalogue, "csv").decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][0].startswith("'=HYPERLINK") and table[1][-1].startswith("'=cmd")
    again = import_catalogue(catalogue, export_catalogue(catalogue, "xlsx"), "again.xlsx", user=None)
    assert again.unchanged == 1  # the importer takes the apostrophe off again


def test_control_characters_in_names_never_break_exports_or_the_edit_page(app, client, login):
    catalogue = make_catalogue()
    project = make_project(catalogue, name="光伏\x07项目\x1b")
    session = make_session(name="签约\x0b仪式")
    make_agreement(session, make_investor("投资\x08公司"), project=project)
    sheet = load_workbook(io.BytesIO(export_catalogue(catalogue, "xlsx"))).active
    assert list(sheet.iter_rows(values_only=True))[2][1] == "光伏项目"

    login(make_user(Role.ORGANIZER))
    for url in ("/signing/export/totals.xlsx", "/signing/export/agreements.xlsx"):
        response = client.get(url)
        assert response.status_code == 200, url
        load_workbook(io.BytesIO(response.data))

    client.get("/logout")
    login(make_user(Role.STAFF))
    url = f"/catalogues/{catalogue.id}/projects/{project.id}/edit"
    assert client.get(url).status_code == 200
    response = client.post(url, data={
        "code": project.code, "name": "光伏\x07项目", "sectors": "光伏", "location": "贵阳市",
        "investment_sought": "5", "csrf_token": csrf_token(client),
    })
    # A control character typed into a form is refused at the door with a message (not a
    # 500), and nothing is changed.
    assert response.status_code == 400
    assert "control character" in response.get_data(as_text=True) or "控制字符" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Project, project.id).name == "光伏\x07项目\x1b"


def test_edit_form_takes_foreign_amounts_at_the_catalogue_rate(app, client, login):
    catalogue = currency_catalogue()
    project = make_project(catalogue)
    login(make_user(Role.STAFF))
    url = f"/catalogues/{catalogue.id}/projects/{project.id}/edit"
    response = client.post(url, data={
        "code": project.code, "name": project.name, "sectors": "光伏", "location": "贵阳市",
        "total_investment": "USD 200 million", "investment_sought": "USD 100 million", "csrf_token": csrf_token(client),
    })
    assert response.status_code == 302
    db.session.expire_all()
    project = db.session.get(Project, project.id)
    assert (project.currency, project.investment_sought_original, project.investment_sought_yuan) == (
        "USD", Decimal("100000000.00"), Decimal("710000000.00"))
    assert 'value="USD 100 million"' in client.get(url).get_data(as_text=True)


def test_project_json_keeps_the_original_currency(app, client):
    catalogue = currency_catalogue()
    import_catalogue(catalogue, (SHAPES / "deals_currencies.csv").read_bytes(), "deals.csv", user=None,
                     skip_invalid=True)
    db.session.commit()
    project = db.session.scalar(sa.select(Project).where(Project.code == "1", Project.catalogue_id == catalogue.id))
    data = client.get(f"/api/v1/projects/{project.id}").get_json()
    assert (data["investment_sought_yuan"], data["currency"], data["rate"], data["investment_sought_original"]) == (
        "8520000000.00", "USD", "7.1", "1200000000.00")


def test_api_rates_are_checked(app, client):
    user = make_user(Role.STAFF)
    token, _ = create_token(user)
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}

    def post(**fields):
        body = {"file": (io.BytesIO((SHAPES / "deals_currencies.csv").read_bytes()), "deals.csv"),
                "name": "Deals", "year": "2024", **fields}
        return client.post("/api/v1/catalogues", data=body, headers=headers, content_type="multipart/form-data")

    for bad in ({"usd_rate": "sNaN"}, {"usd_rate": "-1"}, {"rates": "EUR=NaN"}, {"rates": "XYZ=1"}):
        response = post(**bad)
        assert response.status_code == 400, bad
        assert response.get_json()["error"]["code"] == "invalid"
    response = post(usd_rate="7.1", rates="EUR=7.8,HKD=0.92", skip_invalid="1", dry_run="1")
    report = response.get_json()
    assert (response.status_code, report["created"], report["committed"]) == (200, 4, False)
    assert report["file"]["rates"] == {"EUR": "7.8", "HKD": "0.92", "USD": "7.1"}  # the rates it was read with
    from matchmaker.catalogue.models import Catalogue

    assert db.session.scalar(sa.select(Catalogue.id).where(Catalogue.name == "Deals")) is None  # a dry run writes none
    existing = make_catalogue(name="Deals", year=2024)
    post(rates="EUR=9.9", dry_run="1")
    db.session.expire_all()
    assert db.session.get(Catalogue, existing.id).rates == {}


def test_cli_takes_rates_and_choices(app, runner, tmp_path):
    path = tmp_path / "key.xlsx"
    path.write_bytes((REAL / "guizhou_key_projects.xlsx").read_bytes())
    result = runner.invoke(args=["import", str(path), "--catalogue", "重点", "--year", "2023", "--json"])
    assert result.exit_code == 1
    result = runner.invoke(args=["import", str(path), "--catalogue", "重点", "--year", "2023", "--json",
                                 "--sought-from-total", "--skip-invalid", "--rate", "EUR=7.8"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["created"], report["choices"]["sought_from_total"], report["catalogue"]["rates"]) == (
        5, True, {"EUR": "7.8"})
    result = runner.invoke(args=["import", str(path), "--catalogue", "x", "--rate", "EUR=sNaN"])
    assert result.exit_code == 2


def test_create_catalogue_with_rates_and_outside_projects(app, client, login):
    from matchmaker.catalogue.models import Catalogue

    login(make_user(Role.STAFF))
    bad = client.post("/catalogues/?lang=en", data={"name": "外币目录", "year": "2024", "rates": "EUR=abc",
                                                     "csrf_token": csrf_token(client)})
    assert bad.status_code == 422 and "abc is not an exchange rate." in bad.get_data(as_text=True)
    good = client.post("/catalogues/", data={"name": "外币目录", "year": "2024", "usd_rate": "7.1",
                                             "rates": "EUR=7.8, HKD=0.92", "accepts_outside": "y",
                                             "csrf_token": csrf_token(client)})
    assert good.status_code == 302
    catalogue = db.session.scalar(sa.select(Catalogue).where(Catalogue.name == "外币目录"))
    assert catalogue.exchange_rates() == {"USD": Decimal("7.1"), "EUR": Decimal("7.8"), "HKD": Decimal("0.92")}
    assert catalogue.accepts_outside is True
    page = client.get(f"/catalogues/{catalogue.id}?lang=en").get_data(as_text=True)
    assert "Exchange rate: 7.8 yuan per EUR." in page and "Projects outside Guizhou are accepted." in page
