"""The CV checks themselves, run in a child process: ``python -I cv_probe.py pdf|docx`` reads
the file on stdin and prints one word, "ok" or the reason of the refusal.

Why a child process: parsing a hostile document is the riskiest thing the app does with bytes
from outside. The parent (talento.profiles.cv_checks) gives the child a wall-clock budget and
kills it when the budget is spent; the child caps its own CPU time and memory, writes no file
and gets an empty environment (no secrets). A document crafted to make a parser loop or swell
costs a few seconds of one short-lived process, never a worker thread.

Standalone on purpose: it imports the standard library, pypdf and defusedxml, never talento
(no app, no settings; it starts in a fraction of a second).

PDF: refused when it carries JavaScript or launch actions anywhere, an automatic action (the
document's /OpenAction, or any /AA "additional actions" of the document, a page, an
annotation or a form field) other than going to a page, embedded files, an XFA form, or
encryption. A link the reader clicks (a link annotation's /A, to LinkedIn or a portfolio) is
accepted: CVs are full of them, and the viewer shows the address and asks before opening it.
Two independent readings must both pass: a small lexer over the raw bytes (it sees every
object, also those no cross-reference table lists), then pypdf's parse of the document (it
decodes names such as /J#61vaScript, reads object streams and cross-reference streams).

DOCX: a zip whose entries, declared sizes and actual inflated bytes are bounded; every XML
part is parsed with defusedxml, which refuses DTDs (so entities, external entities and their
expansion); macros and ActiveX, relationships that fetch something from outside when the
document opens (a remote template, a linked image or object; hyperlinks are clicks and pass),
and DDE fields (they start a program) are refused.
"""

from __future__ import annotations

import logging
import re
import resource
import sys
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterator
from io import BytesIO
from typing import IO, Any

import pypdf
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NullObject,
    PdfObject,
)

MB = 1024 * 1024
MAX_INPUT = 10 * MB  # the parent refuses bigger files before starting a child
CPU_SECONDS = 10
MEMORY_BYTES = 512 * MB  # a 9 MB CV with images needs about 70 MB


class Refusal(Exception):
    """The verdict, raised from deep inside a check; ``reason`` is what the child prints."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# --- PDF: the raw lexer ---------------------------------------------------------------------

_PDF_TOKEN = re.compile(
    rb"%[^\r\n]*"  # comment
    rb"|<<|>>"
    rb"|<[0-9A-Fa-f\s]*>"  # hex string
    rb"|\("  # literal string
    rb"|(?<![^\s()<>\[\]{}/%])stream(?:\r\n|\n|\r)"
    rb"|/[^\s()<>\[\]{}/%]*"  # name
)
_PDF_STRING_PART = re.compile(rb"[()\\]")
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_DIRECT_LENGTH = re.compile(rb"\s*(\d+)(?:\s+(\d+)\s+R)?")
_PDF_INTEGER_OBJECT = re.compile(rb"(?<!\d)(\d+)\s+(\d+)\s+obj\s*(\d+)\s*endobj")
_PDF_ACTIVE_NAMES = frozenset({b"/JavaScript", b"/Launch"})
_PDF_OBJSTM_BUDGET = 32 * MB  # object streams hold dictionaries only; more is not a CV


def scan_pdf_bytes(data: bytes) -> None:
    """Walk the tokens outside strings and streams, and inside the compressed object streams
    where modern PDFs keep their dictionaries. Linear in the size of the file."""
    integers = {
        (number, generation): int(value)
        for number, generation, value in _PDF_INTEGER_OBJECT.findall(data)
    }
    _scan_pdf(data, _PDF_OBJSTM_BUDGET, integers)


def _scan_pdf(
    data: bytes, budget: int, integers: dict[tuple[bytes, bytes], int], inflate: bool = True
) -> int:
    """Returns the inflation budget left."""
    pos = 0
    objstm = False
    length: int | None = None
    while match := _PDF_TOKEN.search(data, pos):
        token, pos = match.group(), match.end()
        if token == b"(":
            pos = _skip_pdf_string(data, pos)
        elif token[:1] == b"/":
            name = _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), token)
            if name in _PDF_ACTIVE_NAMES:
                raise Refusal("pdf_active")
            if name == b"/Encrypt":
                raise Refusal("pdf_encrypted")
            objstm = objstm or name == b"/ObjStm"
            if name == b"/Length":
                length = _pdf_length(data, pos, integers)
        elif token.startswith(b"stream"):
            body_end = _pdf_stream_end(data, pos, length)
            if objstm and inflate:
                budget = _scan_object_stream(data[pos:body_end], budget)
            objstm, length = False, None
            pos = body_end + len(b"endstream")
    return budget


def _skip_pdf_string(data: bytes, pos: int) -> int:
    """Position after a literal string (balanced parentheses, backslash escapes)."""
    depth = 1
    while depth:
        part = _PDF_STRING_PART.search(data, pos)
        if part is None:  # never closed: a reader and this scan would disagree
            raise Refusal("pdf_unverifiable")
        if part.group() == b"\\":
            pos = part.end() + 1
            continue
        depth += 1 if part.group() == b"(" else -1
        pos = part.end()
    return pos


def _pdf_length(data: bytes, pos: int, integers: dict[tuple[bytes, bytes], int]) -> int | None:
    """A stream's /Length, direct or as a reference to a plain `n g obj <int> endobj` (looked
    up in the table built once: a search per stream made crafted files take hours)."""
    match = _PDF_DIRECT_LENGTH.match(data, pos)
    if match is None:
        return None
    if match.group(2) is None:
        return int(match.group(1))
    return integers.get((match.group(1), match.group(2)))


def _pdf_stream_end(data: bytes, body_start: int, length: int | None) -> int:
    """Where `endstream` starts: trust /Length when it lands on it, else search for it."""
    if length is not None:
        end = body_start + length
        while data[end : end + 1] in (b"\r", b"\n", b" "):
            end += 1
        if data.startswith(b"endstream", end):
            return end
    end = data.find(b"endstream", body_start)
    if end < 0:
        raise Refusal("pdf_unverifiable")
    return end


def _scan_object_stream(body: bytes, budget: int) -> int:
    try:
        inflated = zlib.decompressobj().decompress(body, budget + 1)
    except zlib.error:
        raise Refusal("pdf_unverifiable") from None
    if len(inflated) > budget:
        raise Refusal("pdf_unverifiable")
    _scan_pdf(inflated, 0, {}, inflate=False)
    return budget - len(inflated)


# --- PDF: the parsed document ---------------------------------------------------------------

#: Refused wherever they appear (as a key or a value): JavaScript and launch actions, the
#: document's JavaScript name tree, XFA forms (they carry scripts).
_ACTIVE = frozenset({"/JavaScript", "/JS", "/Launch", "/XFA"})
_ATTACHMENTS = frozenset({"/EmbeddedFiles", "/EF", "/FileAttachment"})
#: Actions a reader runs without a click: the document's /OpenAction and every /AA.
_AUTOMATIC = frozenset({"/OpenAction", "/AA"})
#: The one action allowed to run by itself: showing a page of the document.
_AUTOMATIC_ALLOWED = frozenset({"/GoTo"})
#: Acrobat wants %%EOF within the last 1024 bytes; pypdf would look for it backwards line by
#: line through the whole file (seconds for a crafted one).
_PDF_EOF_WINDOW = 1024
_PDF_MAX_NODES = 5_000_000
_PDF_MAX_CHAIN = 1_000


def check_pdf_document(data: bytes) -> None:
    reader = pypdf.PdfReader(BytesIO(data), strict=False)
    if reader.is_encrypted:
        raise Refusal("pdf_encrypted")
    if not isinstance(_resolved(dict.get(reader.trailer, "/Root")), DictionaryObject):
        raise Refusal("pdf_unverifiable")
    nodes = 0
    for obj in _pdf_objects(reader):
        stack: list[Any] = [obj]
        while stack:
            node = stack.pop()
            nodes += 1
            if nodes > _PDF_MAX_NODES:
                raise Refusal("pdf_unverifiable")
            if isinstance(node, DictionaryObject):
                for key, value in dict.items(node):  # raw values: references are not followed
                    _check_pdf_name(key)
                    if key in _AUTOMATIC:
                        _check_automatic(key, value)
                    stack.append(value)
            elif isinstance(node, ArrayObject):
                stack.extend(list.__iter__(node))
            elif isinstance(node, NameObject):
                _check_pdf_name(node)


def _pdf_objects(reader: pypdf.PdfReader) -> Iterator[PdfObject]:
    """The trailer and every object the cross-reference tables list (object streams too)."""
    yield reader.trailer
    numbers = {(n, generation) for generation, table in reader.xref.items() for n in table}
    numbers.update((n, 0) for n in reader.xref_objStm)
    for number, generation in sorted(numbers):
        if number == 0:
            continue
        obj = reader.get_object(IndirectObject(number, generation, reader))
        if obj is not None:
            yield obj


def _check_pdf_name(name: str) -> None:
    if name in _ACTIVE:
        raise Refusal("pdf_active")
    if name in _ATTACHMENTS:
        raise Refusal("pdf_attachment")


def _check_automatic(key: str, value: Any) -> None:
    """/OpenAction is a destination (fine) or an action; /AA maps triggers to actions. Every
    action that runs by itself, and every action chained after it by /Next, must be a GoTo;
    a reference that cannot be read is refused (a viewer might read it)."""
    value = _resolved(value)
    if key == "/OpenAction":
        if not isinstance(value, DictionaryObject):
            return  # a destination: [page /Fit], or a named one
        actions = [value]
    else:
        if not isinstance(value, DictionaryObject):
            raise Refusal("pdf_unverifiable")
        actions = list(dict.values(value))
    seen: set[int] = set()
    while actions:
        if len(seen) > _PDF_MAX_CHAIN:
            raise Refusal("pdf_unverifiable")
        action = _resolved(actions.pop())
        if id(action) in seen:
            continue
        seen.add(id(action))
        if not isinstance(action, DictionaryObject):
            raise Refusal("pdf_unverifiable")
        if _resolved(dict.get(action, "/S")) not in _AUTOMATIC_ALLOWED:
            raise Refusal("pdf_auto_action")
        chained = _resolved(dict.get(action, "/Next"))
        if isinstance(chained, ArrayObject):
            actions.extend(list.__iter__(chained))
        elif chained is not None:
            actions.append(chained)


def _resolved(value: Any) -> Any:
    if isinstance(value, IndirectObject):
        value = value.get_object()
        if value is None or isinstance(value, NullObject):
            raise Refusal("pdf_unverifiable")
    return value


def check_pdf(data: bytes) -> None:
    if not data.startswith(b"%PDF-"):
        raise Refusal("not_cv")
    if b"%%EOF" not in data[-_PDF_EOF_WINDOW:]:
        raise Refusal("pdf_unverifiable")
    scan_pdf_bytes(data)
    try:
        check_pdf_document(data)
    except Refusal:
        raise
    except RecursionError:
        raise Refusal("pdf_unverifiable") from None
    except Exception:  # noqa: BLE001 - whatever pypdf cannot read is not verified
        raise Refusal("pdf_unverifiable") from None


# --- DOCX -----------------------------------------------------------------------------------

_DOCX_MAIN_TYPE = "wordprocessingml.document.main+xml"
_DOCX_MAX_ENTRIES = 5000
_DOCX_MAX_UNPACKED = 100 * MB  # declared, and counted while inflating what is read
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_CHUNK = 64 * 1024
#: Only hyperlinks may point outside the package: a reader clicks them. Anything else
#: (attachedTemplate, image, oleObject, frame, subDocument…) is fetched when Word opens it.
_CLICKED_RELATIONSHIP = "/hyperlink"
_URI_LIKE = re.compile(r"^\s*(?:[A-Za-z][A-Za-z0-9+.-]*:|\\\\|//)")
_DDE_FIELD = re.compile(r"\bDDE(?:AUTO)?\b", re.IGNORECASE)


class _Plain:
    """A parser target that keeps nothing: the part is only checked."""

    def close(self) -> None:
        return None


class _ContentTypes(_Plain):
    def __init__(self) -> None:
        self.defaults: dict[str, str] = {}
        self.overrides: dict[str, str] = {}

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        kind = tag.rpartition("}")[2]
        if kind == "Default":
            self.defaults[attrib.get("Extension", "").lower()] = attrib.get("ContentType", "")
        elif kind == "Override":
            self.overrides[attrib.get("PartName", "").lower()] = attrib.get("ContentType", "")

    def content_type(self, name: str) -> str:
        override = self.overrides.get("/" + name.lower())
        if override is not None:
            return override
        return self.defaults.get(name.rpartition(".")[2].lower(), "")


class _Relationships(_Plain):
    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if tag.rpartition("}")[2] != "Relationship":
            return
        kind = attrib.get("Type", "").strip()
        external = attrib.get("TargetMode", "").strip().lower() == "external"
        if kind.endswith(_CLICKED_RELATIONSHIP):
            return
        if external or _URI_LIKE.match(attrib.get("Target", "")):
            raise Refusal("docx_external")


class _Fields(_Plain):
    """Word's field codes (``<w:instrText>``, split across runs, and ``w:fldSimple``)."""

    def __init__(self) -> None:
        self.inside = False
        self.codes: list[str] = []

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        kind = tag.rpartition("}")[2]
        if kind == "instrText":
            self.inside = True
        elif kind == "fldSimple":
            self.codes.append(" ")
            self.codes.extend(v for k, v in attrib.items() if k.rpartition("}")[2] == "instr")
            self.codes.append(" ")

    def end(self, tag: str) -> None:
        if tag.rpartition("}")[2] == "instrText":
            self.inside = False

    def data(self, text: str) -> None:
        if self.inside:
            self.codes.append(text)

    def close(self) -> None:
        if _DDE_FIELD.search("".join(self.codes)):
            raise Refusal("docx_fields")


class _Budget:
    """The inflated bytes left to read, across every part."""

    def __init__(self, total: int):
        self.left = total

    def read(self, member: IO[bytes]) -> Iterator[bytes]:
        while chunk := member.read(_CHUNK):
            self.left -= len(chunk)
            if self.left < 0:
                raise Refusal("docx_oversize")
            yield chunk


def _parse_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Any, budget: _Budget):
    parser = DefusedXMLParser(
        target=target, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    try:
        with archive.open(info) as member:
            for chunk in budget.read(member):
                parser.feed(chunk)
        parser.close()
    except Refusal:
        raise
    except DefusedXmlException:
        raise Refusal("docx_xml") from None
    except Exception:  # noqa: BLE001 - a part Word would not read either
        raise Refusal("docx_unverifiable") from None


def check_docx(data: bytes) -> None:
    """A real Word document, checked part by part; see the module's docstring."""
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except Exception:  # noqa: BLE001 - any archive error on untrusted bytes means "not a CV"
        raise Refusal("not_cv") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > _DOCX_MAX_ENTRIES:
            raise Refusal("docx_oversize")
        if sum(info.file_size for info in infos) > _DOCX_MAX_UNPACKED:
            raise Refusal("docx_oversize")
        by_name = {info.filename.lower(): info for info in infos}
        if len(by_name) != len(infos):  # the same part twice: which one would Word read?
            raise Refusal("docx_unverifiable")
        if any(info.flag_bits & 0x1 for info in infos):  # encrypted entries
            raise Refusal("not_cv")
        if "[content_types].xml" not in by_name or "word/document.xml" not in by_name:
            raise Refusal("not_cv")
        if any(
            name.rsplit("/", 1)[-1] == "vbaproject.bin" or name.startswith("word/activex/")
            for name in by_name
        ):
            raise Refusal("docx_macros")
        budget = _Budget(_DOCX_MAX_UNPACKED)
        types = _ContentTypes()
        _parse_xml(archive, by_name["[content_types].xml"], types, budget)
        declared = [*types.defaults.values(), *types.overrides.values()]
        if any("macroenabled" in t.lower() or "vbaproject" in t.lower() for t in declared):
            raise Refusal("docx_macros")
        if not any(t.strip().lower().endswith(_DOCX_MAIN_TYPE) for t in declared):
            raise Refusal("not_cv")
        for name, info in by_name.items():
            if name == "[content_types].xml" or info.is_dir():
                continue
            target: _Plain
            if name.endswith(".rels"):
                target = _Relationships()
            elif name.endswith(_XML_SUFFIXES) or types.content_type(name).lower().endswith("xml"):
                target = _Fields() if name.startswith("word/") else _Plain()
            else:
                continue  # images, fonts: not parsed by Word as XML
            _parse_xml(archive, info, target, budget)


# --- the child process ----------------------------------------------------------------------

CHECKS: dict[str, Callable[[bytes], None]] = {"pdf": check_pdf, "docx": check_docx}


def _limit(kind: int, value: int) -> None:
    """Soft and hard limit to ``value`` (or to the hard limit already lower)."""
    hard = resource.getrlimit(kind)[1]
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, value))


def verdict(kind: str, data: bytes) -> str:
    """The verdict: "ok" or the reason of the refusal (the parent maps it to a message)."""
    try:
        CHECKS[kind](data)
    except Refusal as refusal:
        return refusal.reason
    return "ok"


def main(argv: list[str]) -> int:
    _limit(resource.RLIMIT_CORE, 0)  # a crash must not leave a copy of the CV on disk
    _limit(resource.RLIMIT_FSIZE, 0)
    _limit(resource.RLIMIT_CPU, CPU_SECONDS)
    _limit(resource.RLIMIT_AS, MEMORY_BYTES)
    logging.disable(logging.CRITICAL)  # pypdf logs what it repairs; nobody reads it here
    warnings.simplefilter("ignore")
    if len(argv) != 2 or argv[1] not in CHECKS:
        return 2
    data = sys.stdin.buffer.read(MAX_INPUT + 1)
    if len(data) > MAX_INPUT:  # the parent never sends that much
        return 2
    sys.stdout.write(verdict(argv[1], data) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
