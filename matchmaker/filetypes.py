"""What an uploaded file really is, read from its bytes (magic numbers and container
structure), never from its name alone; and whether its name agrees.

A pure core: bytes and a filename in, a `FileType` (or a `FileTypeError` with a
translatable reason) out. Accepted: PDF, JPEG, PNG, WebP, the Office Open XML documents
(.docx/.xlsx/.pptx, a ZIP whose [Content_Types].xml names the main part) and the older
OLE compound documents (.doc/.xls/.ppt, recognised by their streams). Refused with a
reason: HTML, SVG and other markup (a browser would run their scripts), executables and
scripts, macro-enabled or password-protected Office files, other archives, anything else.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from dataclasses import dataclass

from matchmaker.i18n import N_, NP_, Label, Message


@dataclass(frozen=True)
class FileType:
    code: str  # pdf, jpeg, png, webp, docx, xlsx, pptx, doc, xls, ppt
    mimetype: str
    extensions: tuple[str, ...]  # the first is the usual one
    label: Label  # as people call it ("PDF", "Word (.docx)"), translated at the door
    image: bool = False

    @property
    def extension(self) -> str:
        return self.extensions[0]


_TYPES = (
    FileType("pdf", "application/pdf", (".pdf",), NP_("file type", "PDF")),
    FileType("jpeg", "image/jpeg", (".jpg", ".jpeg"), NP_("file type", "JPEG"), image=True),
    FileType("png", "image/png", (".png",), NP_("file type", "PNG"), image=True),
    FileType("webp", "image/webp", (".webp",), NP_("file type", "WebP"), image=True),
    FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             (".docx",), NP_("file type", "Word (.docx)")),
    FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             (".xlsx",), NP_("file type", "Excel (.xlsx)")),
    FileType("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
             (".pptx",), NP_("file type", "PowerPoint (.pptx)")),
    FileType("doc", "application/msword", (".doc",), NP_("file type", "Word 97-2003 (.doc)")),
    FileType("xls", "application/vnd.ms-excel", (".xls",), NP_("file type", "Excel 97-2003 (.xls)")),
    FileType("ppt", "application/vnd.ms-powerpoint", (".ppt",), NP_("file type", "PowerPoint 97-2003 (.ppt)")),
)
TYPES: dict[str, FileType] = {t.code: t for t in _TYPES}
BY_MIMETYPE: dict[str, FileType] = {t.mimetype: t for t in _TYPES}
BY_EXTENSION: dict[str, FileType] = {ext: t for t in _TYPES for ext in t.extensions}
ACCEPTED_EXTENSIONS = ", ".join(ext for t in _TYPES for ext in t.extensions)

# Office Open XML: the content type of the main part, in [Content_Types].xml.
_OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": "pptx",
}
_OOXML_MACRO = ("macroEnabled", "vbaProject")
# What a ZIP may declare it unpacks to before it is taken for a bomb (the bytes are served
# as uploaded, never unpacked; only [Content_Types].xml is read, up to 1 MB).
MAX_DECLARED_UNPACKED = 500 * 1024 * 1024
MAX_ZIP_MEMBERS = 10_000
_CONTENT_TYPES_LIMIT = 1024 * 1024

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_STREAMS = {"worddocument": "doc", "workbook": "xls", "book": "xls",
                "powerpoint document": "ppt"}
_OLE_MACROS = {"macros", "_vba_project_cur", "vba", "_vba_project"}

# Markup a browser would render (and whose scripts it would run), after an optional BOM
# and white space.
_MARKUP_RE = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<!doctype\s+html|<html|<head|<body|<script|<iframe|<svg|<\?xml"
    rb"|<!--|<div|<a\s|<img|<meta|<style|<table|<p\b)", re.IGNORECASE)


class FileTypeError(Exception):
    """The file is refused: `message` says why (translatable, with its parameters)."""

    def __init__(self, template: str, **params: object) -> None:
        self.message = Message(template, params)
        super().__init__(str(self.message))


def extension_of(filename: str) -> str:
    """The lower-cased extension with its dot ('.pdf'), '' when there is none."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, ext = name.rpartition(".")
    return f".{ext.lower()}" if dot and stem and ext else ""


def _looks_like(data: bytes) -> str | None:
    """A refused kind of content, named for the message; None when not recognised."""
    head = data[:1024]
    if _MARKUP_RE.match(head):
        return N_("an SVG image (it can carry scripts)") if b"<svg" in data[:4096].lower() \
            else N_("an HTML or XML page")
    if head.startswith(b"MZ"):
        return N_("a Windows program")
    if head.startswith(b"\x7fELF") or head[:4] in (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf",
                                                   b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe",
                                                   b"\xca\xfe\xba\xbe"):
        return N_("a program")
    if head.startswith(b"#!"):
        return N_("a script")
    if head.startswith((b"GIF87a", b"GIF89a")):
        return N_("a GIF image (use JPEG, PNG or WebP)")
    if head.startswith((b"Rar!", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b")):
        return N_("a compressed archive")
    if head.startswith(b"{\\rtf"):
        return N_("an RTF document (save it as .docx or PDF)")
    return None


def _ooxml(data: bytes) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as error:
        raise FileTypeError(N_("The file looks like a ZIP archive but cannot be read: it "
                               "may be damaged or incomplete.")) from error
    if len(members) > MAX_ZIP_MEMBERS or sum(m.file_size for m in members) > MAX_DECLARED_UNPACKED:
        raise FileTypeError(N_("The archive declares more content than any document holds; it "
                               "is refused."))
    names = {m.filename: m for m in members}
    entry = names.get("[Content_Types].xml")
    if entry is None:
        raise FileTypeError(N_("The file is a ZIP archive, not a Word, Excel or PowerPoint "
                               "document; upload the documents themselves."))
    if entry.file_size > _CONTENT_TYPES_LIMIT:
        raise FileTypeError(N_("The document's [Content_Types].xml is too large; it is "
                               "refused."))
    try:
        with archive.open(entry) as part:
            declared = part.read(_CONTENT_TYPES_LIMIT + 1).decode("utf-8", "replace")
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError,
            RuntimeError) as error:  # RuntimeError: an encrypted member
        raise FileTypeError(N_("The file looks like a ZIP archive but cannot be read: it "
                               "may be damaged or incomplete.")) from error
    if any(marker.lower() in declared.lower() for marker in _OOXML_MACRO) or any(
            name.lower().endswith("vbaproject.bin") for name in names):
        raise FileTypeError(N_("The document contains macros; save it without macros "
                               "(.docx, .xlsx, .pptx) or as PDF."))
    found = [code for main, code in _OOXML_MAIN.items() if main in declared]
    if len(found) != 1:
        raise FileTypeError(N_("The file is a ZIP archive, not a Word, Excel or PowerPoint "
                               "document; upload the documents themselves."))
    return found[0]


def ole_stream_names(data: bytes) -> set[str]:
    """The names (lower-cased) of every stream and storage of an OLE compound file
    ([MS-CFB]: header, FAT through the DIFAT, directory chain). Empty when unreadable."""
    if len(data) < 512 or not data.startswith(_OLE_MAGIC):
        return set()
    shift = struct.unpack_from("<H", data, 0x1E)[0]
    if shift not in (9, 12):
        return set()
    size = 1 << shift
    sectors = (len(data) - size) // size + 1
    first_dir, = struct.unpack_from("<I", data, 0x30)
    first_difat, difat_count = struct.unpack_from("<II", data, 0x44)

    def sector(number: int) -> bytes:
        start = (number + 1) * size
        return data[start:start + size]

    fat_sectors = [n for n in struct.unpack_from("<109I", data, 0x4C) if n < sectors]
    number, seen = first_difat, 0
    while number < sectors and seen < min(difat_count, sectors):
        block = sector(number)
        entries = struct.unpack(f"<{size // 4}I", block) if len(block) == size else ()
        fat_sectors += [n for n in entries[:-1] if n < sectors]
        number, seen = (entries[-1] if entries else 0xFFFFFFFE), seen + 1
    fat: list[int] = []
    for number in fat_sectors:
        block = sector(number)
        if len(block) == size:
            fat.extend(struct.unpack(f"<{size // 4}I", block))
    names: set[str] = set()
    number, steps = first_dir, 0
    while number < min(sectors, len(fat)) and steps <= sectors:
        block = sector(number)
        for offset in range(0, len(block) - 127, 128):
            length, = struct.unpack_from("<H", block, offset + 64)
            kind = block[offset + 66]
            if kind in (1, 2, 5) and 2 <= length <= 64:
                names.add(block[offset:offset + length - 2].decode("utf-16-le", "replace").lower())
        number, steps = fat[number], steps + 1
    return names


def _ole(data: bytes) -> str:
    names = ole_stream_names(data)
    if "encryptedpackage" in names or "encryptioninfo" in names:
        raise FileTypeError(N_("The document is password-protected; upload it without a "
                               "password."))
    if names & _OLE_MACROS:
        raise FileTypeError(N_("The document contains macros; save it without macros "
                               "(.docx, .xlsx, .pptx) or as PDF."))
    found = {code for stream, code in _OLE_STREAMS.items() if stream in names}
    if len(found) != 1:
        raise FileTypeError(N_("The file is an OLE compound file but not a Word, Excel or "
                               "PowerPoint document."))
    return found.pop()


def sniff(data: bytes) -> FileType:
    """The type of `data`, read from its content; FileTypeError when it is none of the
    accepted types (saying what it looks like when known)."""
    if data.startswith(b"%PDF-"):
        return TYPES["pdf"]
    if data.startswith(b"\xff\xd8\xff"):
        return TYPES["jpeg"]
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return TYPES["png"]
    if len(data) >= 16 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return TYPES["webp"]
    if data.startswith(b"PK\x03\x04"):
        return TYPES[_ooxml(data)]
    if data.startswith(_OLE_MAGIC):
        return TYPES[_ole(data)]
    looks = _looks_like(data)
    if looks:
        raise FileTypeError(N_("The content is %(found)s, which cannot be attached. Accepted: "
                               "%(accepted)s."), found=Message(looks, {}),
                            accepted=ACCEPTED_EXTENSIONS)
    raise FileTypeError(N_("The content is not one of the accepted types (%(accepted)s)."),
                        accepted=ACCEPTED_EXTENSIONS)


def check_file(data: bytes, filename: str) -> FileType:
    """The verified type of an upload: its content is an accepted type and its name's
    extension says the same type (a .pdf that holds an HTML page is refused)."""
    if not data:
        raise FileTypeError(N_("The file is empty."))
    extension = extension_of(filename)
    if not extension:
        raise FileTypeError(N_("The file name has no extension; name it as its type "
                               "(%(accepted)s)."), accepted=ACCEPTED_EXTENSIONS)
    expected = BY_EXTENSION.get(extension)
    if expected is None:
        raise FileTypeError(N_("Files ending in %(extension)s cannot be attached. Accepted: "
                               "%(accepted)s."), extension=extension, accepted=ACCEPTED_EXTENSIONS)
    found = sniff(data)
    if found.code != expected.code:
        raise FileTypeError(N_("The file is named %(extension)s but its content is %(found)s; "
                               "rename it or upload the right file."),
                            extension=extension, found=found)
    return found
