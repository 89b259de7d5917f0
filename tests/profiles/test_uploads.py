"""Upload service: real images and documents built in memory, stored in real temp folders."""

from __future__ import annotations

import errno
import io
import os
import stat
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from fpdf import FPDF
from PIL import ExifTags, Image, ImageCms
from sqlalchemy.orm import Session

from talento.profiles import uploads
from talento.profiles.uploads import (
    CV_NAME_RE,
    MAX_CV_BYTES,
    MAX_PHOTO_BYTES,
    PHOTO_NAME_RE,
    StoredFile,
    StoredPhoto,
    UploadRejected,
    delete_stored,
    store_cv,
    store_photo,
    uploaded_files,
)

# --- builders -------------------------------------------------------------------------


def image_bytes(fmt: str, size=(64, 48), mode: str = "RGB", color=(200, 30, 30), **kw) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, fmt, **kw)
    return out.getvalue()


def gps_jpeg() -> bytes:
    """A phone-like JPEG: GPS position, camera make, rotated by EXIF, XMP and a comment."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TalentoPhone"
    exif[ExifTags.Base.Orientation] = 6  # stored landscape, displayed portrait
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (33.0, 35.0, 21.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (7.0, 36.0, 14.0)
    return image_bytes(
        "JPEG",
        size=(200, 100),
        exif=exif,
        xmp=b"<x:xmpmeta>secret-xmp</x:xmpmeta>",
        comment=b"secret-comment",
        icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes(),
    )


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims a size; the pixels are never there (a decompression bomb)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def pdf_document(*objects: bytes, trailer: bytes = b"") -> bytes:
    """A well-formed PDF (real xref offsets) from numbered object bodies; object 1 is the
    catalog."""
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


PAGES = (
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
)
CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"


def fpdf_cv(compress: bool = True) -> bytes:
    """A real PDF from fpdf2, whose text and title mention JavaScript as a skill."""
    pdf = FPDF()
    pdf.set_compression(compress)
    pdf.set_title("Developpeuse HTML/JavaScript (Casablanca) /Launch")
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Compétences : HTML/JavaScript /Launch (sic)")
    return bytes(pdf.output())


CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" '
    b'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    b"</Types>"
)
DOCUMENT = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body><w:p><w:r><w:t>CV</w:t></w:r></w:p></w:body></w:document>"
)
RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)


def docx(extra: dict[str, bytes] | None = None, skip: tuple[str, ...] = (), **replace) -> bytes:
    parts = {
        "[Content_Types].xml": replace.get("content_types", CONTENT_TYPES),
        "_rels/.rels": RELS,
        "word/document.xml": DOCUMENT,
        **(extra or {}),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in parts.items():
            if name not in skip:
                archive.writestr(name, body)
    return out.getvalue()


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def upload_dir(tmp_path) -> Path:
    return tmp_path / "uploads"


# --- photos ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "mode"),
    [("PNG", "RGB"), ("JPEG", "RGB"), ("WEBP", "RGB"), ("PNG", "RGBA"), ("PNG", "P")],
)
def test_photo_formats_are_stored_as_clean_jpeg(upload_dir, fmt, mode):
    color = (10, 120, 200, 128) if mode == "RGBA" else 3 if mode == "P" else (10, 120, 200)
    stored = store_photo(io.BytesIO(image_bytes(fmt, mode=mode, color=color)), upload_dir)

    assert isinstance(stored, StoredPhoto)
    assert PHOTO_NAME_RE.match(stored.name)
    assert stored.thumb_name == stored.name
    photo = upload_dir / "photos" / stored.name
    thumb = upload_dir / "photos" / "thumbs" / stored.thumb_name
    assert files_under(upload_dir) == sorted([photo, thumb])
    for path in (photo, thumb):
        assert stat.S_IMODE(path.stat().st_mode) == 0o640
        with Image.open(path) as image:
            assert image.format == "JPEG"
            assert image.mode == "RGB"
            assert image.size == (64, 48)


def test_names_are_random(upload_dir):
    data = image_bytes("PNG")
    names = {store_photo(io.BytesIO(data), upload_dir).name for _ in range(5)}
    assert len(names) == 5


def test_phone_photo_loses_gps_and_all_metadata_but_keeps_its_orientation(upload_dir):
    source = gps_jpeg()
    with Image.open(io.BytesIO(source)) as original:  # the test input really carries them
        assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert {"exif", "xmp", "comment", "icc_profile"} <= set(original.info)

    stored = store_photo(io.BytesIO(source), upload_dir)

    for path in (upload_dir / "photos" / stored.name, upload_dir / "photos/thumbs" / stored.name):
        raw = path.read_bytes()
        for marker in (b"Exif", b"TalentoPhone", b"secret-xmp", b"secret-comment", b"ICC_PROF"):
            assert marker not in raw
        with Image.open(path) as image:
            assert not image.getexif()
            assert not {"exif", "xmp", "comment", "icc_profile"} & set(image.info)
            assert image.size == (100, 200)  # EXIF orientation 6 applied to the pixels


def test_big_photo_is_resized_and_thumbnailed(upload_dir):
    wide = store_photo(io.BytesIO(image_bytes("JPEG", size=(3000, 2000))), upload_dir)
    tall = store_photo(io.BytesIO(image_bytes("PNG", size=(600, 2400))), upload_dir)

    sizes = {}
    for stored in (wide, tall):
        for folder in ("photos", "photos/thumbs"):
            with Image.open(upload_dir / folder / stored.name) as image:
                sizes[stored.name, folder] = image.size
    assert sizes[wide.name, "photos"] == (1024, 683)
    assert sizes[wide.name, "photos/thumbs"] == (256, 171)
    assert sizes[tall.name, "photos"] == (256, 1024)
    assert sizes[tall.name, "photos/thumbs"] == (64, 256)


class CountingStream(io.BytesIO):
    def __init__(self, data: bytes):
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def test_oversize_photo_is_refused_without_reading_it_all(upload_dir):
    stream = CountingStream(b"\xff\xd8\xff\xe0" + os.urandom(MAX_PHOTO_BYTES + 4 * 1024 * 1024))
    with pytest.raises(UploadRejected) as caught:
        store_photo(stream, upload_dir)
    assert caught.value.reason == "too_large"
    assert "20 Mo" in caught.value.message
    assert stream.bytes_read == MAX_PHOTO_BYTES + 1
    assert files_under(upload_dir) == []


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script></svg>"
)
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(SVG, id="svg"),
        pytest.param(HTML, id="html"),
        pytest.param(HTML + image_bytes("JPEG"), id="html-then-jpeg"),
        pytest.param(image_bytes("GIF"), id="gif"),
        pytest.param(image_bytes("BMP"), id="bmp"),
        pytest.param(image_bytes("TIFF"), id="tiff"),
        pytest.param(b"Bonjour, ceci est un fichier texte renomme photo.jpg\n", id="text-as-jpg"),
        pytest.param(b"#!/bin/sh\nrm -rf /\n", id="script"),
        pytest.param(b"%PDF-1.4\n", id="pdf"),
        pytest.param(image_bytes("JPEG")[:200], id="truncated-jpeg"),
        pytest.param(b"\xff\xd8\xff\xe0" + b"\x00" * 500, id="jpeg-signature-garbage"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + HTML, id="png-signature-html"),
        pytest.param(b"RIFF\x00\x00\x00\x00WEBPVP8 garbage", id="webp-signature-garbage"),
    ],
)
def test_non_images_are_refused(upload_dir, data):
    with pytest.raises(UploadRejected) as caught:
        store_photo(io.BytesIO(data), upload_dir)
    assert caught.value.reason == "not_image"
    assert caught.value.field == "photo"
    assert "JPEG, PNG ou WebP" in str(caught.value)
    assert files_under(upload_dir) == []


def test_empty_file_is_refused(upload_dir):
    with pytest.raises(UploadRejected) as caught:
        store_photo(io.BytesIO(b""), upload_dir)
    assert caught.value.reason == "empty"


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(HTML, id="trailing-html"),
        pytest.param(docx(), id="trailing-zip"),
    ],
)
def test_polyglot_jpeg_is_stored_as_a_clean_reencoded_copy(upload_dir, payload):
    """A valid JPEG with a payload appended decodes fine; the stored copy is re-encoded from
    pixels, so the payload is gone."""
    stored = store_photo(io.BytesIO(image_bytes("JPEG", size=(300, 200)) + payload), upload_dir)
    for path in files_under(upload_dir):
        raw = path.read_bytes()
        assert b"<script" not in raw
        assert b"<html" not in raw
        assert b"PK\x03\x04" not in raw
        assert b"word/document.xml" not in raw
    assert (upload_dir / "photos" / stored.name).exists()


def test_html_hidden_in_a_jpeg_comment_is_dropped(upload_dir):
    stored = store_photo(io.BytesIO(image_bytes("JPEG", comment=HTML)), upload_dir)
    assert b"<script" not in (upload_dir / "photos" / stored.name).read_bytes()


@pytest.mark.parametrize("size", [(50_000, 50_000), (8_000, 6_000)], ids=["2.5-Gpx", "48-Mpx"])
def test_decompression_bombs_are_refused_before_decoding(upload_dir, size):
    with pytest.raises(UploadRejected) as caught:
        store_photo(io.BytesIO(png_header_only(*size)), upload_dir)
    assert caught.value.reason == "too_many_pixels"
    assert "40 mégapixels" in caught.value.message
    assert files_under(upload_dir) == []


def test_sixteen_bit_png_keeps_its_tones(upload_dir):
    out = io.BytesIO()
    Image.new("I;16", (32, 32), 32768).save(out, "PNG")
    stored = store_photo(io.BytesIO(out.getvalue()), upload_dir)
    with Image.open(upload_dir / "photos" / stored.name) as image:
        red, green, blue = image.getpixel((16, 16))
    assert 120 <= red <= 136
    assert red == green == blue


# --- CVs ------------------------------------------------------------------------------


@pytest.mark.parametrize("compress", [True, False], ids=["compressed", "plain-text"])
def test_real_pdf_is_accepted_even_when_its_text_says_javascript(upload_dir, compress):
    data = fpdf_cv(compress)
    stored = store_cv(io.BytesIO(data), upload_dir)
    assert isinstance(stored, StoredFile)
    assert CV_NAME_RE.match(stored.name)
    assert stored.name.endswith(".pdf")
    path = upload_dir / "cv" / stored.name
    assert path.read_bytes() == data
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_minimal_docx_is_accepted(upload_dir):
    data = docx()
    stored = store_cv(io.BytesIO(data), upload_dir)
    assert stored.name.endswith(".docx")
    assert (upload_dir / "cv" / stored.name).read_bytes() == data


def _objstm(*objects: bytes) -> bytes:
    """An object stream (compressed, as modern writers produce) holding objects 10, 11…"""
    header, bodies = b"", b""
    for index, body in enumerate(objects):
        header += b"%d %d " % (10 + index, len(bodies))
        bodies += body + b"\n"
    packed = zlib.compress(header + bodies)
    return (
        b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(objects), len(header), len(packed))
        + packed
        + b"\nendstream"
    )


JS_ACTION = b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"
BAD_PDFS = {
    "open-action-javascript": pdf_document(
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>", *PAGES, JS_ACTION
    ),
    "names-javascript": pdf_document(
        b"<< /Type /Catalog /Pages 2 0 R /Names << /JavaScript 4 0 R >> >>",
        *PAGES,
        b"<< /Names [(x) 5 0 R] >>",
        JS_ACTION,
    ),
    "launch": pdf_document(
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /Launch /F (calc.exe) >> >>", *PAGES
    ),
    "escaped-name": pdf_document(
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /J#61vaScript /JS (x) >> >>", *PAGES
    ),
    "in-object-stream": pdf_document(
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 10 0 R >>", *PAGES, _objstm(JS_ACTION)
    ),
    "escaped-object-stream": pdf_document(
        CATALOG,
        *PAGES,
        _objstm(b"<< /S /Launch /F (x) >>").replace(b"/ObjStm", b"/Obj#53tm"),
    ),
}


@pytest.mark.parametrize("name", BAD_PDFS)
def test_pdf_with_active_content_is_refused(upload_dir, name):
    with pytest.raises(UploadRejected) as caught:
        store_cv(io.BytesIO(BAD_PDFS[name]), upload_dir)
    assert caught.value.reason == "pdf_active"
    assert files_under(upload_dir) == []


def test_clean_hand_written_pdf_with_object_stream_is_accepted(upload_dir):
    data = pdf_document(CATALOG, *PAGES, _objstm(b"<< /Title (HTML/JavaScript) >>"))
    assert store_cv(io.BytesIO(data), upload_dir).name.endswith(".pdf")


def test_encrypted_pdf_is_refused(upload_dir):
    data = pdf_document(
        CATALOG,
        *PAGES,
        b"<< /Filter /Standard /V 2 /R 3 /O <00> /U <00> /P -4 >>",
        trailer=b"/Encrypt 4 0 R",
    )
    with pytest.raises(UploadRejected) as caught:
        store_cv(io.BytesIO(data), upload_dir)
    assert caught.value.reason == "pdf_encrypted"


def test_pdf_whose_object_stream_cannot_be_read_is_refused(upload_dir):
    broken = (
        b"<< /Type /ObjStm /N 1 /First 4 /Filter /LZWDecode /Length 9 >>\n"
        b"stream\nnot-zlib!\nendstream"
    )
    with pytest.raises(UploadRejected) as caught:
        store_cv(io.BytesIO(pdf_document(CATALOG, *PAGES, broken)), upload_dir)
    assert caught.value.reason == "pdf_unverifiable"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        pytest.param(
            docx({"word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"}), "docx_macros", id="vba-project"
        ),
        pytest.param(
            docx(
                content_types=CONTENT_TYPES.replace(
                    b"wordprocessingml.document.main+xml",
                    b"ms-word.document.macroEnabled.main+xml",
                )
            ),
            "docx_macros",
            id="docm-content-type",
        ),
        pytest.param(docx({"word/activeX/activeX1.bin": b"x"}), "docx_macros", id="activex"),
        pytest.param(docx(skip=("word/document.xml",)), "not_cv", id="zip-without-document"),
        pytest.param(docx(skip=("[Content_Types].xml",)), "not_cv", id="no-content-types"),
        pytest.param(
            docx(content_types=CONTENT_TYPES.replace(b"document.main", b"template.main")),
            "not_cv",
            id="dotx-template",
        ),
        pytest.param(b"PK\x03\x04" + b"\x00" * 100, "not_cv", id="corrupt-zip"),
        pytest.param(b"Mon CV en texte\n", "not_cv", id="text"),
        pytest.param(HTML, "not_cv", id="html"),
        pytest.param(image_bytes("JPEG"), "not_cv", id="jpeg"),
        pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "not_cv", id="old-doc"),
    ],
)
def test_bad_cvs_are_refused(upload_dir, data, reason):
    with pytest.raises(UploadRejected) as caught:
        store_cv(io.BytesIO(data), upload_dir)
    assert caught.value.reason == reason
    assert caught.value.field == "cv"
    assert files_under(upload_dir) == []


def test_oversize_cv_is_refused(upload_dir):
    stream = CountingStream(b"%PDF-1.7\n" + b"0" * MAX_CV_BYTES)
    with pytest.raises(UploadRejected) as caught:
        store_cv(stream, upload_dir)
    assert caught.value.reason == "too_large"
    assert "10 Mo" in caught.value.message
    assert stream.bytes_read == MAX_CV_BYTES + 1


# --- deletion and units of work -------------------------------------------------------


def test_delete_stored_removes_photo_thumb_and_cv_and_ignores_the_rest(upload_dir, tmp_path):
    photo = store_photo(io.BytesIO(image_bytes("PNG")), upload_dir)
    cv = store_cv(io.BytesIO(docx()), upload_dir)
    outside = tmp_path / "keep.pdf"
    outside.write_bytes(b"%PDF-")

    delete_stored(upload_dir, photo.name, cv.name, None, "", "../keep.pdf", "missing.jpg")
    delete_stored(upload_dir, photo.name, cv.name)  # twice: nothing left, nothing raised

    assert files_under(upload_dir) == []
    assert outside.exists()


def _transaction() -> Session:
    """A session with a transaction open: enough for the files' after-commit actions."""
    session = Session()
    session.begin()
    return session


def test_batch_files_are_removed_when_the_block_fails(upload_dir):
    with (  # noqa: PT012 - the block is what fails: files saved, then an error
        pytest.raises(RuntimeError, match="service failed"),
        uploaded_files(_transaction(), upload_dir) as batch,
    ):
        batch.photo(io.BytesIO(image_bytes("JPEG")))
        batch.cv(io.BytesIO(fpdf_cv()))
        assert len(files_under(upload_dir)) == 3
        raise RuntimeError("service failed")
    assert files_under(upload_dir) == []


def test_batch_keeps_new_files_and_retires_replaced_ones_on_commit(upload_dir):
    old = store_photo(io.BytesIO(image_bytes("PNG")), upload_dir)
    session = _transaction()
    with uploaded_files(session, upload_dir) as batch:
        new = batch.photo(io.BytesIO(image_bytes("WEBP")))
        batch.delete_on_success(old.name, None)
    assert len(files_under(upload_dir)) == 4  # nothing removed before the commit
    session.commit()
    assert files_under(upload_dir) == sorted(
        [upload_dir / "photos" / new.name, upload_dir / "photos/thumbs" / new.name]
    )


def test_a_rollback_removes_new_files_and_keeps_replaced_ones(upload_dir):
    old = store_photo(io.BytesIO(image_bytes("PNG")), upload_dir)
    session = _transaction()
    with uploaded_files(session, upload_dir) as batch:
        batch.photo(io.BytesIO(image_bytes("WEBP")))
        batch.delete_on_success(old.name)
    session.rollback()  # e.g. the commit at the end of the request failed
    assert files_under(upload_dir) == sorted(
        [upload_dir / "photos" / old.name, upload_dir / "photos/thumbs" / old.name]
    )


def test_replaced_files_stay_when_the_block_fails(upload_dir):
    old = store_cv(io.BytesIO(docx()), upload_dir)
    with pytest.raises(UploadRejected), uploaded_files(_transaction(), upload_dir) as batch:  # noqa: PT012
        batch.delete_on_success(old.name)
        batch.photo(io.BytesIO(image_bytes("JPEG")))
        batch.photo(io.BytesIO(SVG))  # the second file of the form is refused
    assert files_under(upload_dir) == [upload_dir / "cv" / old.name]


def test_unwritable_folder_gives_a_clear_rejection_and_no_file(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a regular file where the upload folder should be")
    upload_dir = blocker / "uploads"  # tests run as root: chmod would not stop writes

    for store, data in ((store_photo, image_bytes("JPEG")), (store_cv, fpdf_cv())):
        with pytest.raises(UploadRejected) as caught:
            store(io.BytesIO(data), upload_dir)
        assert caught.value.reason == "storage"
        assert caught.value.message.startswith("Impossible d'enregistrer le fichier pour le moment")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-folder"]


def test_disk_full_midway_leaves_no_partial_file(upload_dir, monkeypatch):
    """ENOSPC cannot be produced on demand here, so the thumbnail's fsync fails instead:
    neither the temp file nor the already written photo may stay."""
    real_fsync = os.fsync
    calls = {"n": 0}

    def fsync(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(uploads.os, "fsync", fsync)
    with pytest.raises(UploadRejected) as caught:
        store_photo(io.BytesIO(image_bytes("JPEG")), upload_dir)
    assert caught.value.reason == "storage"
    assert files_under(upload_dir) == []


# --- phone photos: large files and many pixels ------------------------------------------


def _jpeg_claiming(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header (SOF0) is rewritten to claim another size."""
    data = bytearray(image_bytes("JPEG", size=(16, 16)))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def test_a_phone_photo_of_many_megapixels_is_decoded_at_a_reduced_scale(upload_dir):
    """63 Mpx (over the 40 Mpx of a full decoding): a JPEG is decoded at 1/8 scale, so it is
    accepted; a PNG of that size would not be."""
    out = io.BytesIO()
    Image.new("L", (9000, 7000), 128).save(out, "JPEG", quality=50)
    stored = store_photo(io.BytesIO(out.getvalue()), upload_dir)
    with Image.open(upload_dir / "photos" / stored.name) as image:
        assert image.size == (1024, 796)
        assert image.mode == "RGB"


def test_a_jpeg_claiming_too_many_pixels_is_refused_before_decoding(upload_dir):
    with pytest.raises(UploadRejected) as caught:
        store_photo(io.BytesIO(_jpeg_claiming(16_000, 10_000)), upload_dir)  # 160 Mpx
    assert caught.value.reason == "too_many_pixels"
    assert "150 mégapixels" in caught.value.message
    assert files_under(upload_dir) == []


def test_the_photo_limit_is_the_callers(upload_dir):
    data = image_bytes("PNG", size=(400, 400))
    with pytest.raises(UploadRejected) as caught:
        store_photo(io.BytesIO(data), upload_dir, max_bytes=len(data) - 1)
    assert caught.value.reason == "too_large"
    assert store_photo(io.BytesIO(data), upload_dir, max_bytes=len(data)).name
