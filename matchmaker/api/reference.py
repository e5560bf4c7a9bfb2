"""GET /sectors and /regions: the bilingual taxonomy and gazetteer, as trees.

Reference data has no doors of its own (no pages, no commands): its two read routes live
here, since `reference/` sits below the API's blueprint and authentication."""

from matchmaker.api.blueprint import bp, endpoint
from matchmaker.reference import loaders as reference
from matchmaker.reference.schemas import RegionTree, SectorTree


@bp.get("/sectors")
@endpoint(resp={200: SectorTree}, tags=["reference"])
def sectors():
    """The sector taxonomy (tree, bilingual, with aliases)"""
    return SectorTree.model_validate({"items": reference.sector_tree()})


@bp.get("/regions")
@endpoint(resp={200: RegionTree}, tags=["reference"])
def regions():
    """Guizhou's prefectures with their counties (bilingual, pinyin, zones)"""
    return RegionTree.model_validate({"items": reference.region_tree()})
