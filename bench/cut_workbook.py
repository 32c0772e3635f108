"""Cut a dataset workbook (`lvzhi export --all`) to its first sheets, at the zip level (no re-encoding of any kept
sheet): the 说明 sheet, the sheets up to and including --last, and the hidden 选项 sheet stay; every other sheet is
dropped from the workbook, its relationships and content types. Sheets come in dependency order, so every reference
of a kept sheet stays inside the cut.

    python bench/cut_workbook.py IN.xlsx OUT.xlsx --last 党委会议题
"""

from __future__ import annotations

import argparse
import re
import zipfile

from lxml import etree

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
KEEP_ALWAYS = {"说明", "选项"}


def cut(src: str, out: str, last: str) -> list[str]:
    with zipfile.ZipFile(src) as zin:
        book = etree.fromstring(zin.read("xl/workbook.xml"))
        rels = etree.fromstring(zin.read("xl/_rels/workbook.xml.rels"))
        types = zin.read("[Content_Types].xml").decode()
        targets = {r.get("Id"): r.get("Target").lstrip("/") for r in rels}
        kept, dropped, past = [], set(), False
        index: dict[str, str] = {}  # old sheet index → new (defined names are local to a sheet by index)
        for i, sheet in enumerate(list(book.find(f"{{{MAIN}}}sheets"))):
            name, rid = sheet.get("name"), sheet.get(f"{{{REL}}}id")
            if past and name not in KEEP_ALWAYS:
                sheet.getparent().remove(sheet)
                dropped.add(rid)
            else:
                index[str(i)] = str(len(kept))
                kept.append(name)
            past = past or name == last
        names = book.find(f"{{{MAIN}}}definedNames")
        for d in list(names if names is not None else ()):
            local = d.get("localSheetId")
            if local is not None and local not in index:
                names.remove(d)
            elif local is not None:
                d.set("localSheetId", index[local])
        for r in list(rels):
            if r.get("Id") in dropped:
                rels.remove(r)
        files = {("xl/" + targets[rid]) if not targets[rid].startswith("xl/") else targets[rid] for rid in dropped}
        for f in files:
            types = re.sub(rf'<Override[^>]*PartName="/{re.escape(f)}"[^>]*/>', "", types)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for item in zin.infolist():
                if item.filename in files:
                    continue
                if item.filename == "xl/workbook.xml":
                    data = etree.tostring(book, xml_declaration=True, encoding="UTF-8", standalone=True)
                elif item.filename == "xl/_rels/workbook.xml.rels":
                    data = etree.tostring(rels, xml_declaration=True, encoding="UTF-8", standalone=True)
                elif item.filename == "[Content_Types].xml":
                    data = types.encode()
                else:
                    data = zin.read(item.filename)
                zout.writestr(item, data)
    return kept


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("src")
    p.add_argument("out")
    p.add_argument("--last", required=True, help="the last data sheet to keep")
    args = p.parse_args()
    print("、".join(cut(args.src, args.out, args.last)))


if __name__ == "__main__":
    main()
