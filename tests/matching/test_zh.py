"""Reasons are translated at the door: Chinese by default."""

from matching_data import catalogue  # noqa: F401 - fixture


def test_reasons_in_chinese(app, client, catalogue):
    body = {"sectors": ["new_energy"], "regions": ["520100"], "min_yuan": "1亿", "max_yuan": "10亿",
            "modes": ["joint_venture"], "keywords": "光伏"}
    items = client.post("/api/v1/match", json=body).json["items"]
    assert [r["text"] for r in items[0]["reasons"]] == [
        "行业匹配：光伏", "位于花溪区，属于您选择的地区", "拟引资 5.00亿元，在您的投资区间内",
        "合作方式：合资", "关键词匹配：光伏"]
    assert client.post("/api/v1/match", json={}).json["error"]["message"] == (
        "请说明您的投资意向：行业、地区、金额区间、合作方式或关键词。")
