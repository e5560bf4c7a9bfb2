"""GET /sectors and /regions: the bilingual taxonomy and gazetteer, as trees."""

from flask import jsonify

from matchmaker.api.blueprint import bp
from matchmaker.reference import loaders as reference

PATHS = {
    "/sectors": {"get": {"summary": "The sector taxonomy (tree, bilingual, with aliases)",
                         "responses": {"200": {"description": "{items: [sector]}"}}}},
    "/regions": {"get": {"summary": "Guizhou's prefectures with their counties (bilingual, pinyin)",
                         "responses": {"200": {"description": "{items: [region]}"}}}},
}


@bp.get("/sectors")
def sectors():
    return jsonify({"items": reference.sector_tree()})


@bp.get("/regions")
def regions():
    return jsonify({"items": reference.region_tree()})
