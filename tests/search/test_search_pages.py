"""The catalogue list and the project page."""

import re

from factories import make_user
from search_catalogue import catalogue_projects_fixture  # noqa: F401 - the fixture


def test_list_highlights_matches_and_shows_amounts(client, catalogue_projects):
    html = client.get("/projects?q=锂电").get_data(as_text=True)
    assert re.findall(r"<mark>([^<]+)</mark>", html)[:2] == ["锂电池", "锂电池"]
    assert "12.00" in html and "1200000000.00" in html
    assert "3 个项目" in html or "3 projects" in html


def test_facet_links_keep_every_filter_in_the_url(client, catalogue_projects):
    html = client.get("/projects?q=光伏&sector=new_energy").get_data(as_text=True)
    assert 'href="/projects?q=%E5%85%89%E4%BC%8F&amp;sector=new_energy&amp;region=520300"' in html


def test_empty_list_explains_itself(client, catalogue_projects):
    html = client.get("/projects?q=茶叶+遵义&lang=en").get_data(as_text=True)
    assert "No project matches all of the words together." in html
    assert "region=520500" in html


def test_bad_filter_is_a_400_page_not_a_500(client, catalogue_projects):
    response = client.get("/projects?sector=nope&lang=en")
    assert response.status_code == 400
    assert "Unknown sector code: nope" in response.get_data(as_text=True)


def test_project_page_contact_only_for_signed_in_users(client, login, catalogue_projects):
    project = catalogue_projects[0]
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert project.name in html and "0851-12345678" not in html
    assert "12.00" in html and "1200000000.00" in html
    assert "安顺市锂电池隔膜项目" in html  # similar: same sector
    login(make_user("investor"))
    assert "0851-12345678" in client.get(f"/projects/{project.id}").get_data(as_text=True)


def test_draft_projects_are_not_public(client, app):
    from factories import make_catalogue, make_project

    from matchmaker.catalogue.models import CatalogueStatus

    hidden = make_project(make_catalogue(status=CatalogueStatus.DRAFT))
    assert client.get(f"/projects/{hidden.id}").status_code == 404
