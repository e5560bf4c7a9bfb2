"""The home page's figures come from the database; Chinese by default, English on request."""

from decimal import Decimal

from factories import make_agreement, make_catalogue, make_project, make_session

from matchmaker.catalogue.models import CatalogueStatus
from matchmaker.signing.models import AgreementKind


def test_home_figures_are_the_sums_of_the_rows(client):
    published = make_catalogue()
    make_project(published, investment_sought_yuan=Decimal("130000000000.00"))
    make_project(published, investment_sought_yuan=Decimal("0.01"))
    make_project(make_catalogue(status=CatalogueStatus.DRAFT), investment_sought_yuan=Decimal("5"))
    session = make_session(target_yuan=Decimal("16000000000.00"))
    make_agreement(session, amount_yuan=Decimal("10000000.00"))
    make_agreement(session, amount_yuan=Decimal("10000000.00"))
    make_agreement(session, amount_yuan=Decimal("10000000.00"))
    make_agreement(session, amount_yuan=Decimal("500000000.00"), voided=True, void_reason="录入错误")
    make_agreement(session, amount_yuan=Decimal("700000000.00"), kind=AgreementKind.INTENT)
    html = client.get("/").get_data(as_text=True)
    assert '<span class="value" id="fig-projects">2</span>' in html
    assert '<span class="value" id="fig-sought">1,300.00</span>' in html
    assert '<span class="value" id="fig-signed">0.30</span>' in html
    assert "160.00" in html


def test_chinese_by_default_and_english_switch_persists(client):
    zh = client.get("/").get_data(as_text=True)
    assert 'lang="zh-CN"' in zh and "绿色产业招商" in zh and "示例数据" in zh
    en = client.get("/?lang=en").get_data(as_text=True)
    assert 'lang="en"' in en and "Green-industry investment promotion" in en
    again = client.get("/").get_data(as_text=True)
    assert 'lang="en"' in again  # the choice is remembered
    assert 'lang="zh-CN"' in client.get("/?lang=zh").get_data(as_text=True)


def test_unknown_page_is_a_404_page_and_json_under_the_api(client):
    assert client.get("/nowhere").status_code == 404
    response = client.get("/api/v1/nowhere")
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_openapi_document_lists_the_reference_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.") and "/sectors" in spec["paths"] and "/regions" in spec["paths"]


def test_reference_api_is_a_bilingual_tree(client):
    sectors = client.get("/api/v1/sectors").json["items"]
    nev = next(s for s in sectors if s["code"] == "nev")
    assert nev["name"] == "新能源汽车及电池材料" and nev["name_en"] and nev["children"]
    regions = client.get("/api/v1/regions").json["items"]
    assert len(regions) == 11  # nine prefectures, Gui'an and the province (province-wide projects)
    zunyi = next(r for r in regions if r["code"] == "520300")
    assert any(c["code"] == "520303" for c in zunyi["children"])


def test_pages_send_security_headers(client):
    response = client.get("/")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
