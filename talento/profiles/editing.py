"""Saving a profile, or creating a talent, together with its files: shared by the talent's own
pages and the admin's.

Form-free: the callers pass plain data (``ProfileInput``, ``AccountInput``,
``AccountChanges``, ``ProfileFiles`` from talento.profiles.services) and what the app knows
(session, password service, upload folder); a refusal is raised as ``Refused`` (taken e-mail,
bad residence, refused or unstorable file) after rolling back, and the view puts it on the form.

Files are written first (temp name, then rename) and the changes flushed; the caller's unit
of work commits. New files are kept only if that commit succeeds, and replaced files are
removed only then (talento.unit_of_work). A file the server cannot write (disk full, folder
not writable) leaves the rows untouched and no file behind.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from talento.accounts.models import User
from talento.accounts.passwords import PasswordService
from talento.profiles.models import TalentProfile, Visibility
from talento.profiles.services import (
    AccountChanges,
    AccountInput,
    EmailTaken,
    ProfileFiles,
    ProfileInput,
    apply_profile,
    consent_missing,
    email_taken,
    register_talent,
)
from talento.profiles.uploads import uploaded_files
from talento.refusals import Refused


def save_profile(
    session: Session,
    user: User,
    profile: TalentProfile,
    data: ProfileInput,
    files: ProfileFiles,
    upload_dir: Path,
    *,
    account: AccountChanges | None = None,
    before_commit: Callable[[], None] | None = None,
) -> None:
    """Apply the input and its files to ``user`` and ``profile`` (flushed, not committed).

    ``account`` (an admin's edit) also changes the e-mail and language; a different address is
    unverified until its owner opens a verification link (the admin can send one).
    ``before_commit`` runs once the changes are applied (the admin's audit row names the
    changed fields). On a refusal everything is rolled back, no new file is kept, and the
    ``Refused`` propagates."""
    try:
        if account is not None:
            if email_taken(session, account.email, except_user_id=user.id):
                raise EmailTaken()
            if account.email.strip().lower() != user.email.strip().lower():
                user.email_verified_at = None  # a new address is verified by its own link
            user.email, user.language = account.email, account.language
        if user.profile is None:  # an account without a profile yet (pages pass a detached one)
            user.profile = profile
        with uploaded_files(session, upload_dir) as batch:
            if files.photo is not None:
                batch.delete_on_success(profile.photo_name)
                profile.photo_name = batch.photo(files.photo.stream, files.photo_max_bytes).name
            elif files.remove_photo and profile.photo_name:
                batch.delete_on_success(profile.photo_name)
                profile.photo_name = None
            if files.cv is not None:
                batch.delete_on_success(profile.cv_name)
                profile.cv_name = batch.cv(files.cv.stream).name
            elif files.remove_cv and profile.cv_name:
                batch.delete_on_success(profile.cv_name)
                profile.cv_name = None
            apply_profile(session, user, profile, data)
            if before_commit is not None:
                before_commit()
            session.flush()
    except Refused:
        session.rollback()
        raise


def create_talent(
    session: Session,
    passwords: PasswordService,
    account: AccountInput,
    data: ProfileInput,
    files: ProfileFiles,
    upload_dir: Path,
    *,
    before_commit: Callable[[User], None] | None = None,
) -> User:
    """Create an account and its profile with its files (flushed; the caller commits).

    Someone registering themself gives a password and consents; an admin creating the account
    gives no password (see ``AccountInput``). ``before_commit`` adds what must land with the
    account (audit). On a refusal everything is rolled back, no file is kept, and the
    ``Refused`` propagates."""
    self_registration = account.password is not None
    if self_registration and not account.consent:
        raise consent_missing()
    try:
        with uploaded_files(session, upload_dir) as batch:
            photo = (
                batch.photo(files.photo.stream, files.photo_max_bytes)
                if files.photo is not None
                else None
            )
            cv = batch.cv(files.cv.stream) if files.cv is not None else None
            user = register_talent(
                session,
                passwords,
                account.email,
                account.password,
                data,
                photo_name=photo.name if photo else None,
                cv_name=cv.name if cv else None,
                language=account.language,
            )
            if user.profile is not None:  # as chosen with the consent (public by default)
                user.profile.visibility = Visibility(account.visibility).value
            if before_commit is not None:
                before_commit(user)
            session.flush()
    except Refused:
        session.rollback()
        raise
    except IntegrityError:  # the same e-mail a split second later
        session.rollback()
        raise EmailTaken(self_registration=self_registration) from None
    return user
