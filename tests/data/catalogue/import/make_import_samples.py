"""Write the re-upload sample files (run: python tests/data/catalogue/import/make_import_samples.py).

guiyang_v1.xlsx: a prefecture sheet as staff send it (title rows, units in the header,
a sector merged down a block, a 万元 amount in a 亿元 column, subtotal and note rows).
guiyang_v2.xlsx: the corrected re-upload: one row changed in amount and content, one in
sectors, one project dropped, one new, two bad rows.
formula.csv: cells that look like spreadsheet formulas.
"""

from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
HEADER = ["序号", "项目名称", "所属产业", "建设地点", "总投资（亿元）", "拟引资金额（亿元）",
          "合作方式", "建设内容", "联系人", "联系电话", "用地面积（亩）"]


def sheet(path: Path, rows: list[list], merges: list[str]) -> None:
    workbook = Workbook()
    ws = workbook.active
    ws.title = "贵阳市"
    ws.append(["贵阳市2023年绿色产业招商推介项目"])
    ws.append(["填报单位：贵阳市投资促进局"])
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    for ref in merges:
        ws.merge_cells(ref)
    ws.merge_cells("A1:K1")
    workbook.save(path)


V1 = [
    [1, "观山湖区绿色数据中心", "数据中心", "贵阳市观山湖区", 20, 10, "合资", "建设绿色数据中心", "张三", "0851-1234567", 200],
    [2, "开阳磷石膏综合利用项目", "磷石膏综合利用", "贵阳市开阳县", 8, 5, "独资", "年处理磷石膏100万吨", "李四", "0851-7654321", None],
    [3, "南明区污水处理厂提标改造", "污水处理", "贵阳市南明区", 3, 2, "PPP", "提标改造", "王五", "", None],
    [4, "清镇市农光互补光伏电站", "光伏", "贵阳市清镇市", 6, "3000万", "合作", "农光互补100MW", "", "", 500],
    [5, "修文县分布式光伏项目", None, "贵阳市修文县", 5, 4, "合作", "屋顶分布式光伏", "", "", None],
    ["合计", None, None, None, 42, 21.3],
    ["注：金额单位为亿元，另有注明的除外。"],
]
V2 = [
    [1, "观山湖区绿色数据中心", "数据中心", "贵阳市观山湖区", 20, 10, "合资", "建设绿色数据中心", "张三", "0851-1234567", 200],
    [2, "开阳磷石膏综合利用项目", "磷石膏综合利用", "贵阳市开阳县", 8, 6, "独资", "年处理磷石膏150万吨", "李四", "0851-7654321", None],
    [4, "清镇市农光互补光伏电站", "光伏", "贵阳市清镇市", 6, "3000万", "合作", "农光互补100MW", "", "", 500],
    [5, "修文县分布式光伏项目", "光伏、风电", "贵阳市修文县", 5, 4, "合作", "屋顶分布式光伏", "", "", None],
    [6, "息烽县氢能产业园", "氢能", "贵阳市息烽县", 10, 6, "股权合作", "制氢加氢一体化", "", "", None],
    [7, "花溪区稀土冶炼项目", "稀土冶炼", "贵阳市花溪区", 4, 2, "合资", "", "", "", None],
    [8, "乌当区康养小镇", "生态旅游", "贵阳市乌当区", 9, "待定", "合作", "", "", "", None],
    ["合计", None, None, None, 42, 21.3],
]


def main() -> None:
    sheet(HERE / "guiyang_v1.xlsx", V1, ["C7:C8"])
    sheet(HERE / "guiyang_v2.xlsx", V2, [])
    lines = [
        "序号,项目名称,所属产业,建设地点,总投资（亿元）,拟引资金额（亿元）,合作方式,项目业主,联系电话,建设内容",
        '1,"=HYPERLINK(""http://evil.example"",""点我"")",光伏,贵阳市南明区,3,2,合资,@某某公司,+86 851 1234567,-减排二氧化碳',
        "2,普通项目,风电,贵阳市花溪区,4,3,独资,某公司,0851-1111111,正常内容",
    ]
    (HERE / "formula.csv").write_bytes(("\n".join(lines) + "\n").encode("utf-8"))


if __name__ == "__main__":
    main()
