"""Structure checks of CVs: they cannot be re-encoded, so they are refused when they are not
a PDF or a Word document, or when they carry active content or automatic actions. Split from
talento.profiles.uploads, which stores the files.

The checks run in a child process (talento/profiles/cv_probe.py, see its docstring for what
is refused and why) with a wall-clock budget here and CPU and memory limits there: a document
crafted to make a parser loop or swell is refused after a few seconds, and the worker thread
that received it never runs the parser itself. This module maps the child's verdict to the
French message the person sees."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from talento.i18n import gettext as _
from talento.refusals import Refused

log = logging.getLogger(__name__)

MB = 1024 * 1024
#: The child process that parses the file (run by path, so it never imports talento).
PROBE = Path(__file__).with_name("cv_probe.py")
#: Wall-clock budget of one check, start-up included. A real CV takes well under a second;
#: the child also stops itself after 10 s of CPU time or 512 MB of memory.
CHECK_SECONDS = 15.0
#: Checks running at once in one worker process; an upload finding none free within
#: CHECK_SECONDS gets a 503 (a flood of uploads cannot start a process per thread).
CONCURRENT_CHECKS = 2
_slots = threading.BoundedSemaphore(CONCURRENT_CHECKS)


class UploadRejected(Refused):
    """An upload the user must fix or retry: a refusal of the "photo" or "cv" field.

    ``message`` (also ``str(exc)``) is French, translated at raise time, shown as a form
    error; ``field`` ("photo" or "cv") says which form field it belongs to; ``reason`` is a
    stable code for logs and tests (no personal data). The status is 400 for a file to fix,
    503 when the server could not store or check it (``reason`` "storage" or
    "check_unavailable": not the user's doing, and it may work later)."""

    def __init__(self, message: str, reason: str = "invalid", field: str | None = None):
        status = 503 if reason in ("storage", "check_unavailable") else 400
        super().__init__(field, message, status=status)
        self.reason = reason


def not_a_cv() -> UploadRejected:
    return UploadRejected(
        _("Le CV doit être un fichier PDF ou Word (.docx)."),
        "not_cv",
    )


def check_pdf(data: bytes) -> None:
    """Refuse a PDF that is encrypted, unreadable, or that carries JavaScript, launch actions,
    automatic actions, embedded files or an XFA form. Raises UploadRejected."""
    _check("pdf", data)


def check_docx(data: bytes) -> None:
    """Refuse a .docx that is not a Word document, or that carries a DTD or entities, macros,
    ActiveX, DDE fields, or a relationship fetched from outside when it opens (a remote
    template), or that inflates beyond its budget (zip bomb). Raises UploadRejected."""
    _check("docx", data)


def _check(kind: str, data: bytes) -> None:
    if not _slots.acquire(timeout=CHECK_SECONDS):
        log.warning(
            "Vérification d'un CV refusée : %d vérifications déjà en cours", CONCURRENT_CHECKS
        )
        raise _check_unavailable()
    try:
        verdict = _run_probe(kind, data)
    finally:
        _slots.release()
    if verdict != "ok":
        refusal = _REFUSALS.get(verdict, _check_failed)()
        raise refusal


def _run_probe(kind: str, data: bytes) -> str:
    """The child's verdict; "check_failed" when it ran out of time or memory or crashed."""
    command = [sys.executable, "-I", str(PROBE), kind]
    try:
        done = subprocess.run(
            command,
            input=data,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={},  # the child needs no setting and gets no secret
            timeout=CHECK_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:  # run() has killed the child and reaped it
        log.warning(
            "Vérification d'un CV (%s, %d octets) interrompue après %s s : fichier refusé",
            kind,
            len(data),
            CHECK_SECONDS,
        )
        return "check_failed"
    except OSError as exc:
        log.error(
            "Vérification des CV impossible : le processus de contrôle n'a pas démarré (%s)",
            type(exc).__name__,
        )
        raise _check_unavailable() from None
    verdict = done.stdout.decode("ascii", "replace").strip()
    if done.returncode != 0 or verdict not in _VERDICTS:
        log.warning(
            "Vérification d'un CV (%s, %d octets) arrêtée (code de sortie %s) : fichier refusé",
            kind,
            len(data),
            done.returncode,
        )
        return "check_failed"
    return verdict


def _pdf_active() -> UploadRejected:
    return UploadRejected(
        _(
            "Ce PDF contient du contenu actif (JavaScript ou lancement de programme) : "
            "enregistrez-le de nouveau en PDF simple."
        ),
        "pdf_active",
    )


def _pdf_auto_action() -> UploadRejected:
    return UploadRejected(
        _(
            "Ce PDF lance une action automatique à son ouverture (par exemple l'ouverture "
            "d'une adresse web) : il a été refusé pour votre sécurité. Enregistrez-le de "
            "nouveau en PDF depuis votre traitement de texte."
        ),
        "pdf_auto_action",
    )


def _pdf_attachment() -> UploadRejected:
    return UploadRejected(
        _(
            "Ce PDF contient des fichiers joints : il a été refusé pour votre sécurité. "
            "Enregistrez-le de nouveau en PDF depuis votre traitement de texte, sans pièce "
            "jointe."
        ),
        "pdf_attachment",
    )


def _pdf_encrypted() -> UploadRejected:
    return UploadRejected(
        _("Ce PDF est protégé ou chiffré : enregistrez-le sans mot de passe."),
        "pdf_encrypted",
    )


def _pdf_unverifiable() -> UploadRejected:
    return UploadRejected(
        _("Ce PDF ne peut pas être vérifié : enregistrez-le de nouveau en PDF simple."),
        "pdf_unverifiable",
    )


def _docx_macros() -> UploadRejected:
    return UploadRejected(
        _(
            "Ce document Word contient des macros : enregistrez-le au format .docx "
            "(document Word sans macros)."
        ),
        "docx_macros",
    )


def _docx_xml() -> UploadRejected:
    return UploadRejected(
        _(
            "Ce document Word contient des déclarations XML interdites (DOCTYPE ou entités) : "
            "il a été refusé pour votre sécurité. Enregistrez-le en PDF depuis votre "
            "traitement de texte."
        ),
        "docx_xml",
    )


def _docx_external() -> UploadRejected:
    return UploadRejected(
        _(
            "Ce document Word charge un modèle ou un contenu externe à son ouverture : il a "
            "été refusé pour votre sécurité. Enregistrez-le en PDF depuis votre traitement "
            "de texte."
        ),
        "docx_external",
    )


def _docx_fields() -> UploadRejected:
    return UploadRejected(
        _(
            "Ce document Word contient un champ qui lance un programme (DDE) : il a été "
            "refusé pour votre sécurité. Enregistrez-le en PDF depuis votre traitement de "
            "texte."
        ),
        "docx_fields",
    )


def _docx_oversize() -> UploadRejected:
    return UploadRejected(
        _(
            "Ce document Word est anormalement volumineux une fois décompressé : il a été "
            "refusé pour votre sécurité. Enregistrez-le en PDF depuis votre traitement de "
            "texte."
        ),
        "docx_oversize",
    )


def _docx_unverifiable() -> UploadRejected:
    return UploadRejected(
        _(
            "Ce document Word est endommagé et ne peut pas être vérifié : enregistrez-le de "
            "nouveau depuis votre traitement de texte, ou en PDF."
        ),
        "docx_unverifiable",
    )


def _check_failed() -> UploadRejected:
    return UploadRejected(
        _(
            "Ce document n'a pas pu être vérifié : son analyse a échoué ou a pris trop de "
            "temps. Il a été refusé pour votre sécurité ; enregistrez-le de nouveau en PDF "
            "depuis votre traitement de texte."
        ),
        "check_failed",
    )


def _check_unavailable() -> UploadRejected:
    return UploadRejected(
        _(
            "Impossible de vérifier le fichier pour le moment. Rien n'a été enregistré ; "
            "réessayez dans quelques minutes et, si le problème continue, prévenez l'équipe "
            "Talento."
        ),
        "check_unavailable",
    )


_REFUSALS: dict[str, Callable[[], UploadRejected]] = {
    "not_cv": not_a_cv,
    "pdf_active": _pdf_active,
    "pdf_auto_action": _pdf_auto_action,
    "pdf_attachment": _pdf_attachment,
    "pdf_encrypted": _pdf_encrypted,
    "pdf_unverifiable": _pdf_unverifiable,
    "docx_macros": _docx_macros,
    "docx_xml": _docx_xml,
    "docx_external": _docx_external,
    "docx_fields": _docx_fields,
    "docx_oversize": _docx_oversize,
    "docx_unverifiable": _docx_unverifiable,
}
_VERDICTS = frozenset({"ok", *_REFUSALS})
