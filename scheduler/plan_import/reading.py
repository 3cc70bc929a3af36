"""Reading a plan's file into blocks: paragraphs (their numbering kept as text) and tables.

- .txt: one line is one paragraph;
- .docx: docx2python, which writes Word's automatic numbering into the text ("1)\t…", one
  leading tab per list level) where python-docx drops it;
- .pdf: pdfplumber's text, one line at a time, and its tables.

Page breaks and PDF line wraps cut paragraphs; :func:`join_broken_lines` puts them back.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

SUPPORTED = (".txt", ".docx", ".pdf")


class ReadError(Exception):
    """A file that cannot be read; the message is the one line the admin sees."""


@dataclass
class Table:
    rows: list[list[str]] = field(default_factory=list)


Block = str | Table


def clean(text: str) -> str:
    # NFC: PDFs and some Word files carry decomposed diacritics; the matching folds either way,
    # but the draft's text should be the form people type.
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ").replace("\u200b", "")
    return " ".join(text.split())


# A paragraph starts with a number or a mark: "II.", "1.", "1.2.", "a)", "-", "+".
LABEL_START = re.compile(r"^\s*(?:[IVXLC]+[.)]|\d+(?:\.\d+)*[.)]?|[a-zđ][.)]|[-–—+•*])(?:\s|$)")


def _starts_new(line: str, previous: str, *, wrapped: bool) -> bool:
    if LABEL_START.match(line) or not previous:
        return True
    first = line[0]
    if first.islower():
        return False  # a sentence cut by a page break or a wrap goes on in lower case
    if not wrapped:
        return True
    # A wrapped PDF line also goes on after a capitalised name ("… và Ủy ban nhân dân");
    # a new paragraph follows the end of a sentence or a heading.
    return previous.endswith((".", ":", ";", "!", "?", "./.")) or previous.isupper()


def join_broken_lines(lines: list[str], *, wrapped: bool = False) -> list[str]:
    out: list[str] = []
    for raw in lines:
        line = clean(raw)
        if not line:
            continue
        if out and not _starts_new(line, out[-1], wrapped=wrapped):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return out


def read_document(path: Path) -> list[Block]:
    if not path.exists():
        raise ReadError(f"không tìm thấy tệp {path}")
    if path.is_dir():
        raise ReadError(f"{path} là thư mục, không phải tệp văn bản kế hoạch")
    suffix = path.suffix.lower()
    if suffix == ".doc":
        raise ReadError(f"tệp {path.name} là Word cũ (.doc): hãy mở bằng Word và lưu lại dạng .docx")
    if suffix not in SUPPORTED:
        raise ReadError(f"không đọc được tệp {path.name}: chỉ hỗ trợ {', '.join(SUPPORTED)}")
    reader = {".txt": _read_txt, ".docx": _read_docx, ".pdf": _read_pdf}[suffix]
    blocks = reader(path)
    if not any(isinstance(b, str) and b for b in blocks) and not any(isinstance(b, Table) for b in blocks):
        raise ReadError(f"tệp {path.name} không có chữ nào đọc được (bản scan? cần bản có chữ)")
    return blocks


def _read_txt(path: Path) -> list[Block]:
    raw = path.read_bytes()
    # UTF-16 only with its byte-order mark (Notepad's "Unicode"): any even-length bytes decode as UTF-16.
    encoding = "utf-16" if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        raise ReadError(f"tệp {path.name} không phải văn bản UTF-8: hãy lưu lại với bảng mã UTF-8") from None
    return list(join_broken_lines(text.splitlines()))


# docx2python writes a numbered paragraph as "<tabs>1)\t…": the tabs are the list level.
_DOCX_NUMBER = re.compile(r"^(\t*)([0-9]+|[ivxlc]+|[IVXLC]+|[a-zđ]|[A-Z]|--)\)?\t")


def _docx_paragraphs(paragraphs: list[str], levels: dict[int, tuple[str, str]]) -> list[str]:
    """Word's own numbers, rebuilt as people write them: a number under a number is "1.2."
    (docx2python gives only the last level's "2)"); a letter is "a)"; a bullet "-"."""
    out = []
    for text in paragraphs:
        match = _DOCX_NUMBER.match(text)
        if not match:
            out.append(text)
            continue
        level, mark = len(match.group(1)), match.group(2)
        rest = text[match.end() :]
        for deeper in [k for k in levels if k >= level]:
            del levels[deeper]
        if mark == "--":
            out.append(f"- {rest}")
            continue
        if mark.isdigit():
            above = levels.get(level - 1)
            label = f"{above[1]}.{mark}." if above and above[0] == "digit" else f"{mark}."
            levels[level] = ("digit", label.rstrip("."))
        elif len(mark) == 1 and mark.islower() and mark not in "ivxlc":
            label = f"{mark})"
            levels[level] = ("letter", mark)
        else:
            label = f"{mark.upper()}."
            levels[level] = ("roman", mark.upper())
        out.append(f"{label} {rest}")
    return out


def _read_docx(path: Path) -> list[Block]:
    import zipfile

    from docx2python import docx2python

    try:
        with docx2python(path) as content:
            body = content.body
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ReadError(f"tệp {path.name} không phải tệp .docx hợp lệ (có thể bị hỏng)") from exc
    except Exception as exc:  # noqa: BLE001 - docx2python raises many kinds on a damaged file
        raise ReadError(f"tệp {path.name} không đọc được như tệp .docx (có thể bị hỏng)") from exc
    blocks: list[Block] = []
    levels: dict[int, tuple[str, str]] = {}
    for table in body:
        # docx2python puts paragraphs outside tables in a table of one row and one cell.
        if len(table) == 1 and len(table[0]) == 1:
            lines = _docx_paragraphs([p for p in table[0][0]], levels)
            blocks.extend(join_broken_lines(lines))
            continue
        rows = [[clean(" ".join(p for p in cell if p.strip())) for cell in row] for row in table]
        blocks.append(Table([row for row in rows if any(row)]))
    return blocks


def _read_pdf(path: Path) -> list[Block]:
    import pdfplumber

    blocks: list[Block] = []
    try:
        with pdfplumber.open(path) as pdf:
            lines: list[str] = []
            for page in pdf.pages:
                tables = page.find_tables()
                boxes = [t.bbox for t in tables]
                # Text outside the tables, then the tables, page by page.
                outside = page
                for box in boxes:
                    outside = outside.outside_bbox(box)
                lines.extend((outside.extract_text() or "").splitlines())
                for table in tables:
                    blocks.extend(join_broken_lines(lines, wrapped=True))
                    lines = []
                    rows = [[clean(cell or "") for cell in row] for row in table.extract()]
                    blocks.append(Table([row for row in rows if any(row)]))
            blocks.extend(join_broken_lines(lines, wrapped=True))
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many kinds (PDFSyntaxError, PdfminerException…) on a damaged file
        raise ReadError(f"tệp {path.name} không phải tệp .pdf hợp lệ (có thể bị hỏng)") from exc
    return blocks
