"""Writes the workbook fixtures in fixtures/workbooks/ the way each writer makes them (run from the repository root):

    pip install openpyxl XlsxWriter pandas && apt-get install -y libreoffice-calc-nogui
    python3 test/fixtures-src/workbooks.py

Every data sheet holds the same three interview assessments: ids stored as text, a Job ID column that the writer
stores as numbers past 15 digits (no mapping reads it), dates with number formats, a comment with a comma, quotes
and a newline, and error cells (#N/A, #DIV/0!). The tests read the committed files; neither Python nor LibreOffice
is needed to run them.
"""
import datetime
import os
import shutil
import subprocess
import tempfile

OUT = "fixtures/workbooks"
HEADER = ["面评编号", "面试编号", "面试官", "结论", "面试日期", "专业能力", "评语", "Job ID", "备注"]
ROWS = [
    ["M-001", "6986199832494934316", "张伟", "通过", datetime.datetime(2024, 3, 1), 4, '思路清晰, "沟通好"', 1234567890123456789, "#N/A"],
    ["M-002", "6986199832494934317", "李娜", "不通过", datetime.datetime(2024, 3, 15, 14, 30), 2, "基础薄弱\n需要加强", 9876543210987654321, "#DIV/0!"],
    ["M-003", "6986199832494934318", "王芳", "待定", datetime.datetime(2024, 3, 2), 5, "", 1234567890123456790, "ok"],
]
SUMMARY = [["汇总", "数量"], ["面评", 3]]


def date_format(value):
    return "yyyy/m/d h:mm" if value.hour or value.minute else "yyyy/m/d"


def openpyxl_book():
    """openpyxl writes the worksheets before workbook.xml; this one also uses the 1904 date system."""
    from openpyxl import Workbook
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    book = Workbook()
    book.epoch = CALENDAR_MAC_1904
    summary = book.active
    summary.title = "Summary"
    for row in SUMMARY:
        summary.append(row)
    sheet = book.create_sheet("Sheet1")
    sheet.append(HEADER)
    for values in ROWS:
        sheet.append(values)  # openpyxl stores "#N/A" and "#DIV/0!" as error cells
        row = sheet.max_row
        sheet.cell(row, 5).number_format = date_format(values[4])
    book.save(f"{OUT}/openpyxl.xlsx")


def pandas_book():
    """pandas' to_excel (openpyxl underneath): one sheet named Applications, the date formats pandas is given."""
    import pandas

    frame = pandas.DataFrame([[*values[:8], "ok" if values[8] == "ok" else None] for values in ROWS], columns=HEADER)
    with pandas.ExcelWriter(f"{OUT}/pandas.xlsx", engine="openpyxl", date_format="yyyy/m/d", datetime_format="yyyy/m/d h:mm") as writer:
        frame.to_excel(writer, sheet_name="Applications", index=False)


def xlsxwriter_book(name, options):
    """XlsxWriter: three sheets, the data on the second; error cells as formulas with their cached results."""
    import xlsxwriter

    book = xlsxwriter.Workbook(f"{OUT}/{name}", options)
    summary = book.add_worksheet("Summary")
    for r, row in enumerate(SUMMARY):
        summary.write_row(r, 0, row)
    sheet = book.add_worksheet("Sheet1")
    notes = book.add_worksheet("Notes")
    notes.write(0, 0, "导出说明")
    formats = {code: book.add_format({"num_format": code}) for code in ("yyyy/m/d", "yyyy/m/d h:mm")}
    sheet.write_row(0, 0, HEADER)
    for r, values in enumerate(ROWS, start=1):
        for c, value in enumerate(values):
            if c == 1:
                sheet.write_string(r, c, value)
            elif isinstance(value, datetime.datetime):
                sheet.write_datetime(r, c, value, formats[date_format(value)])
            elif value == "#N/A":
                sheet.write_formula(r, c, "=NA()", None, "#N/A")
            elif value == "#DIV/0!":
                sheet.write_formula(r, c, "=1/0", None, "#DIV/0!")
            elif value != "":
                sheet.write(r, c, value)
    book.close()


FODS = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2"
 office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
<office:automatic-styles>
 <number:date-style style:name="D"><number:year number:style="long"/><number:text>/</number:text><number:month/><number:text>/</number:text><number:day/></number:date-style>
 <number:date-style style:name="DT"><number:year number:style="long"/><number:text>/</number:text><number:month/><number:text>/</number:text><number:day/><number:text> </number:text><number:hours/><number:text>:</number:text><number:minutes number:style="long"/></number:date-style>
 <style:style style:name="cd" style:family="table-cell" style:data-style-name="D"/>
 <style:style style:name="cdt" style:family="table-cell" style:data-style-name="DT"/>
</office:automatic-styles>
<office:body><office:spreadsheet>
{tables}
</office:spreadsheet></office:body></office:document>
"""


def fods_cell(value):
    if isinstance(value, datetime.datetime):
        style = "cdt" if value.hour or value.minute else "cd"
        return f'<table:table-cell table:style-name="{style}" office:value-type="date" office:date-value="{value.isoformat()}"/>'
    if value == "#N/A":
        return '<table:table-cell table:formula="of:=NA()"/>'
    if value == "#DIV/0!":
        return '<table:table-cell table:formula="of:=1/0"/>'
    if isinstance(value, int) and not isinstance(value, bool):
        return f'<table:table-cell office:value-type="float" office:value="{value}"/>'
    if value == "":
        return "<table:table-cell/>"
    lines = "".join(f"<text:p>{escape(line)}</text:p>" for line in value.split("\n"))
    return f'<table:table-cell office:value-type="string">{lines}</table:table-cell>'


def escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def fods_table(name, rows):
    body = "".join("<table:table-row>" + "".join(fods_cell(value) for value in row) + "</table:table-row>" for row in rows)
    return f'<table:table table:name="{name}">{body}</table:table>'


def libreoffice_book():
    """LibreOffice Calc's own .xlsx export (from a flat .ods made here): its header in shared strings."""
    folder = tempfile.mkdtemp()
    try:
        source = os.path.join(folder, "libreoffice.fods")
        with open(source, "w", encoding="utf-8") as file:
            file.write(FODS.format(tables=fods_table("面试记录", [HEADER, *ROWS]) + fods_table("Summary", SUMMARY)))
        subprocess.run(["soffice", "--headless", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", folder, source], check=True, capture_output=True)
        shutil.copy(os.path.join(folder, "libreoffice.xlsx"), f"{OUT}/libreoffice.xlsx")
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    openpyxl_book()
    pandas_book()
    xlsxwriter_book("xlsxwriter.xlsx", {})
    xlsxwriter_book("xlsxwriter-constant-memory.xlsx", {"constant_memory": True})
    libreoffice_book()
