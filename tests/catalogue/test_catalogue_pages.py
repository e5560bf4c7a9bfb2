"""Staff pages: catalogues list, create, upload -> preview -> import, history, publish, edit."""

import io
import re
from decimal import Decimal

import sqlalchemy as sa
from catalogue_helpers import read_fixture, state_fixture  # noqa: F401 - fixtures
from conftest import csrf_token
from factories import make_catalogue, make_project, make_user

from matchmaker.accounts.models import Role
from matchmaker.audit import AuditEvent
from matchmaker.catalogue.models import Catalogue, CatalogueStatus, ImportBatch, Project
from matchmaker.extensions import db


def staff(login):
    return login(make_user(Role.STAFF))


def upload(client, catalogue_id, data: bytes, filename: str):
    return client.post(
        f"/catalogues/{catalogue_id}/upload",
        data={"file": (io.BytesIO(data), filename), "csrf_token": csrf_token(client)},
        content_type="multipart/form-data",
    )


def test_pages_need_the_staff_role(client, login):
    assert client.get("/catalogues/").status_code == 302
    login(make_user(Role.INVESTOR))
    assert client.get("/catalogues/").status_code == 403


def test_list_and_create(client, login):
    staff(login)
    catalogue = make_catalogue(name="遵义目录", year=2023)
    make_project(catalogue, investment_sought_yuan=Decimal("150000000.00"))
    make_project(catalogue, investment_sought_yuan=Decimal("50000000.00"))
    html = client.get("/catalogues/?lang=en").get_data(as_text=True)
    assert re.search(r"遵义目录</a></td>\s*<td>2023</td>\s*<td>Published</td>\s*<td class=\"num\">2</td>\s*<td class=\"num\">2.00</td>", html)

    response = client.post("/catalogues/", data={"name": "贵阳目录", "year": "2024", "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    created = db.session.scalar(sa.select(Catalogue).where(Catalogue.name == "贵阳目录"))
    assert (created.year, created.status) == (2024, CatalogueStatus.DRAFT)
    again = client.post("/catalogues/?lang=en", data={"name": "贵阳目录", "year": "2024", "csrf_token": csrf_token(client)})
    assert again.status_code == 422
    assert "A catalogue with this name and year exists already." in again.get_data(as_text=True)


def test_upload_preview_then_import_the_valid_rows(client, login, read):
    user = staff(login)
    catalogue = make_catalogue()
    response = upload(client, catalogue.id, read("guiyang_v1.xlsx"), "v1.xlsx")
    assert response.status_code == 302
    client.post(response.headers["Location"].replace("?", "") + "/commit",
                data={"commit": "1", "csrf_token": csrf_token(client)})
    assert db.session.scalar(sa.select(sa.func.count(Project.id))) == 5

    response = upload(client, catalogue.id, read("guiyang_v2.xlsx"), "v2.xlsx")
    preview = client.get(response.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "Preview: nothing has been imported yet." in preview
    assert "Unknown sector 稀土冶炼." in preview and "The investment sought 待定 is not known yet; the catalogue needs a figure." in preview
    assert re.search(r"<td>Investment sought \(亿元\)</td><td>5.00</td><td>6.00</td>", preview)
    assert re.search(r"<td>Sectors</td><td>光伏</td><td>光伏、风电</td>", preview)
    assert "南明区污水处理厂提标改造 — kept" in preview
    assert "Import the valid rows and skip the rejected ones" in preview
    # the row with a cell in 万元 is as imported last time: recognised by its fingerprint,
    # not read again (its reading was shown then)
    assert "1 cells written in 万元, not the column&#39;s unit." not in preview
    assert "2 rows exactly as imported last time: not checked again" in preview
    assert "Subtotal or total row." in preview and "kept as an extra field" in preview
    assert db.session.scalar(sa.select(sa.func.count(Project.id))) == 5  # nothing yet

    batch_id = int(response.headers["Location"].rsplit("/", 1)[1])
    committed = client.post(f"/catalogues/{catalogue.id}/imports/{batch_id}/commit",
                            data={"commit_valid": "1", "csrf_token": csrf_token(client)})
    assert committed.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Project.id))) == 6
    last = db.session.scalar(sa.select(ImportBatch).order_by(ImportBatch.id.desc()).limit(1))
    assert (last.committed, last.created_count, last.updated_count, last.user_id) == (True, 1, 2, user.id)

    history = client.get(f"/catalogues/{catalogue.id}/imports?lang=en").get_data(as_text=True)
    assert history.count("v2.xlsx") == 2 and "preview" in history and "imported" in history


def test_plain_commit_of_a_file_with_rejected_rows_imports_nothing(client, login, read):
    staff(login)
    catalogue = make_catalogue()
    response = upload(client, catalogue.id, read("guiyang_v2.xlsx"), "v2.xlsx")
    batch_id = int(response.headers["Location"].rsplit("/", 1)[1])
    client.post(f"/catalogues/{catalogue.id}/imports/{batch_id}/commit",
                data={"commit": "1", "csrf_token": csrf_token(client)})
    assert db.session.scalar(sa.select(sa.func.count(Project.id))) == 0


def test_refused_and_oversized_uploads(client, login, app, read):
    staff(login)
    catalogue = make_catalogue()
    response = upload(client, catalogue.id, read("empty.csv"), "empty.csv")
    assert response.status_code == 422
    client.get("/?lang=en")
    html = upload(client, catalogue.id, b"PK\x03\x04junk", "x.xlsx").get_data(as_text=True)
    assert "The file is not a valid Excel workbook (.xlsx)." in html

    app.config["MAX_CONTENT_LENGTH"] = 256 * 1024  # small: the test client spools big bodies to disk
    token = csrf_token(client)
    response = client.post(
        f"/catalogues/{catalogue.id}/upload?lang=en",
        data={"file": (io.BytesIO(b"x" * (300 * 1024)), "big.csv"), "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "larger than the upload limit of 0.25 MB" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(ImportBatch.id))) == 0


def test_publish_unpublish_and_export(client, login, read):
    staff(login)
    catalogue = make_catalogue(status=CatalogueStatus.DRAFT)
    make_project(catalogue, name="=cmd|calc")
    client.post(f"/catalogues/{catalogue.id}/publish", data={"csrf_token": csrf_token(client)})
    db.session.expire_all()
    assert catalogue.status == CatalogueStatus.PUBLISHED
    client.post(f"/catalogues/{catalogue.id}/unpublish", data={"csrf_token": csrf_token(client)})
    db.session.expire_all()
    assert catalogue.status == CatalogueStatus.DRAFT
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "catalogue.status")) == 2

    response = client.get(f"/catalogues/{catalogue.id}/export.csv")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    assert "'=cmd|calc" in response.get_data().decode("utf-8-sig")
    assert client.get(f"/catalogues/{catalogue.id}/export.xlsx").data[:2] == b"PK"


def test_edit_one_project_with_the_import_rules(client, login):
    staff(login)
    catalogue = make_catalogue()
    project = make_project(catalogue, code="7", name="旧名称", location="贵阳市南明区", region_code="520102")
    url = f"/catalogues/{catalogue.id}/projects/{project.id}/edit"
    form = client.get(url + "?lang=en").get_data(as_text=True)
    assert 'value="旧名称"' in form and 'value="5"' in form and 'value="8"' in form

    data = {
        "code": "7", "name": "新名称", "sectors": "光伏、风电", "location": "遵义市汇川区",
        "total_investment": "8", "investment_sought": "5000万", "cooperation_modes": "合资",
        "csrf_token": csrf_token(client),
    }
    assert client.post(url, data=data).status_code == 302
    db.session.expire_all()
    assert (project.name, project.region.code, project.investment_sought_yuan, project.cooperation_modes) == (
        "新名称", "520303", Decimal("50000000.00"), ["joint_venture"]
    )
    assert sorted(s.code for s in project.sectors) == ["new_energy.solar", "new_energy.wind"]
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "project.update"))
    assert event.before["name"] == "旧名称" and event.after["investment_sought_yuan"] == "50000000.00"

    bad = client.post(url + "?lang=en", data={**data, "investment_sought": "待定", "csrf_token": csrf_token(client)})
    assert bad.status_code == 422 and "The investment sought 待定 is not known yet; the catalogue needs a figure." in bad.get_data(as_text=True)
    bad = client.post(url + "?lang=en", data={**data, "sectors": "稀土冶炼", "csrf_token": csrf_token(client)})
    assert bad.status_code == 422 and "Unknown sector 稀土冶炼." in bad.get_data(as_text=True)
    bad = client.post(url + "?lang=en", data={**data, "total_investment": "0.1", "csrf_token": csrf_token(client)})
    assert "is less than the investment sought" in bad.get_data(as_text=True)


def test_preview_shows_changed_modes_and_status_in_words(client, login):
    staff(login)
    catalogue = make_catalogue()
    header = "序号,项目名称,所属产业,建设地点,拟引资金额（亿元）,合作方式\n"
    first = upload(client, catalogue.id, (header + "1,观山湖光伏电站项目,光伏,贵阳市观山湖区,5,合资\n"
                                          "2,花溪风电项目,风电,贵阳市花溪区,3,合作\n").encode(), "v1.csv")
    client.post(first.headers["Location"].replace("?", "") + "/commit",
                data={"commit": "1", "csrf_token": csrf_token(client)})
    second = upload(client, catalogue.id, (header + "1,观山湖光伏电站项目,光伏,贵阳市观山湖区,5,独资、PPP\n"
                                           "2,花溪风电项目,风电,贵阳市花溪区,3,合作\n").encode(), "v2.csv")
    english = client.get(second.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert re.search(r"<td>Cooperation modes</td><td>Joint venture</td>"
                     r"<td>Wholly owned, Public-private partnership \(PPP\)</td>", english)
    chinese = client.get(second.headers["Location"] + "?lang=zh").get_data(as_text=True)
    assert re.search(r"<td>合资</td><td>独资、PPP</td>", chinese)
