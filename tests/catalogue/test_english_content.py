"""English content: English name and summary columns read by the importer, written on the
edit page; a draft English name (glossary + gazetteer) labelled as a draft where staff have
written none; "Chinese only" where a text has no English; the catalogue page counts the
projects without a reviewed English name."""

from conftest import csrf_token
from factories import make_catalogue, make_project, make_user

from matchmaker.accounts.models import Role
from matchmaker.catalogue.models import Project
from matchmaker.catalogue.operations import import_catalogue
from matchmaker.extensions import db

SHEET = (
    "序号,项目名称,项目英文名称,英文简介,所属产业,建设地点,项目总投资（亿元）,拟引资金额（亿元）,建设内容\n"
    "1,修文10万千瓦农光互补光伏发电项目,Xiuwen 100 MW Agrivoltaic Power Plant,"
    "\"A 100 MW solar plant above tea gardens, with a 110 kV substation.\",光伏,贵阳市修文县,5.5,4,建设农光互补光伏电站\n"
    "2,开阳年产8万吨磷酸铁锂正极材料项目,,,电池材料,贵阳市开阳县,12,8,建设磷酸铁锂正极材料生产线\n"
)


def _import(catalogue):
    report = import_catalogue(catalogue, SHEET.encode("utf-8"), "catalogue.csv", user=None)
    db.session.commit()
    assert not report.rejected, report.rejected
    return {p.code: p for p in db.session.query(Project).filter_by(catalogue_id=catalogue.id)}


def test_the_importer_reads_english_columns_and_the_catalogue_page_counts_the_rest(client, login):
    catalogue = make_catalogue(name="2023 目录")
    projects = _import(catalogue)
    assert projects["1"].name_en == "Xiuwen 100 MW Agrivoltaic Power Plant"
    assert projects["1"].summary_en.startswith("A 100 MW solar plant above tea gardens")
    assert (projects["2"].name_en, projects["2"].summary_en) == (None, "")
    login(make_user(Role.STAFF))
    html = client.get(f"/catalogues/{catalogue.id}?lang=en").get_data(as_text=True)
    assert "1 of 2 projects have no reviewed English name" in html


def test_english_pages_show_a_labelled_draft_and_say_chinese_only(client):
    catalogue = make_catalogue(name="2023 目录")
    projects = _import(catalogue)
    html = client.get(f"/projects/{projects['2'].id}?lang=en").get_data(as_text=True)
    assert ("Draft English name (made by machine from the glossary, not official):</span> "
            "Kaiyang 80,000 t/yr Lithium Iron Phosphate Cathode Material Project") in html
    assert "Chinese only: staff have not written an English summary yet." in html
    assert "建设磷酸铁锂正极材料生产线 <small class=\"hint chinese-only\" lang=\"en\">(Chinese only)</small>" in html
    reviewed = client.get(f"/projects/{projects['1'].id}?lang=en").get_data(as_text=True)
    assert "Xiuwen 100 MW Agrivoltaic Power Plant" in reviewed and "Draft English name" not in reviewed
    assert "A 100 MW solar plant above tea gardens" in reviewed
    chinese = client.get(f"/projects/{projects['2'].id}?lang=zh").get_data(as_text=True)
    assert "Draft English name" not in chinese and "草拟英文名称" not in chinese
    listing = client.get("/projects?lang=en&q=lithium").get_data(as_text=True)
    assert "Kaiyang 80,000 t/yr Lithium Iron Phosphate Cathode Material Project" in listing


def test_the_api_gives_the_draft_apart_from_the_official_name(client):
    catalogue = make_catalogue(name="2023 目录")
    projects = _import(catalogue)
    data = client.get(f"/api/v1/projects/{projects['2'].id}").get_json()
    assert (data["name_en"], data["name_en_draft"], data["summary_en"]) == (
        None, "Kaiyang 80,000 t/yr Lithium Iron Phosphate Cathode Material Project", "")
    reviewed = client.get(f"/api/v1/projects/{projects['1'].id}").get_json()
    assert reviewed["name_en_draft"] is None and reviewed["summary_en"].startswith("A 100 MW")


def test_staff_write_the_english_name_and_summary_on_the_edit_page(client, login):
    catalogue = make_catalogue(name="2023 目录")
    project = make_project(catalogue, name="贵安新区20000架机柜液冷数据中心项目", sectors=("big_data.datacenter",),
                           region_code="529900")
    login(make_user(Role.STAFF))
    url = f"/catalogues/{catalogue.id}/projects/{project.id}/edit"
    form = client.get(url).get_data(as_text=True)
    assert 'name="summary_en"' in form
    data = {"csrf_token": csrf_token(client), "code": project.code, "name": project.name,
            "name_en": "Gui'an 20,000-rack Liquid-cooled Data Centre",
            "summary_en": "Liquid-cooled halls for 20,000 racks, PUE below 1.2.",
            "sectors": "数据中心", "location": "贵安新区", "investment_sought": "5"}
    response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    db.session.refresh(project)
    assert project.name_en == "Gui'an 20,000-rack Liquid-cooled Data Centre"
    assert project.summary_en == "Liquid-cooled halls for 20,000 racks, PUE below 1.2."
    html = client.get(f"/catalogues/{catalogue.id}?lang=en").get_data(as_text=True)
    assert "Every project has a reviewed English name." in html


def test_an_english_project_page_names_the_place_in_english_and_a_contact_path(client):
    catalogue = make_catalogue(name="2023 目录")
    project = make_project(catalogue, name="余庆预制菜加工中心项目", region_code="520329",
                           location="贵州省-遵义市-余庆县")
    html = client.get(f"/projects/{project.id}?lang=en").get_data(as_text=True)
    assert 'id="location">Yuqing County, Zunyi, Guizhou' in html
    assert '<span lang="zh">贵州省-遵义市-余庆县</span>' in html
    assert 'id="contact-en">Contact in English:' in html
