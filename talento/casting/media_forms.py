"""The forms of the casting media panel: one small form per action, all without JavaScript.

Each form carries ``back`` (which page it was sent from: the registration step or the
talent's media page), checked against :data:`PAGES`, so an answer goes back to a page of
this app and never to an address taken from the request. The buttons of a photo's form send
``action`` (kind, primary, up, down, remove).
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import Length, ValidationError

from talento.casting import vocabulary as v
from talento.casting.media import VOICE_MAX_MB, voice_too_large
from talento.context import current_settings
from talento.i18n import gettext as _
from talento.i18n import lazy_gettext as _l
from talento.profiles.uploads import MB, Upload, photo_too_large

#: Pages the panel is shown on: the registration step and the talent's media page.
PAGES = ("register", "manage")
#: The longest side to which photo_resize.js shrinks a photo in the browser before sending.
CLIENT_PHOTO_MAX_SIDE = 1600
PHOTO_ACTIONS = ("kind", "primary", "up", "down", "remove")


def file_size(storage) -> int | None:
    """Bytes of an uploaded file (werkzeug spools it: seekable); None when none was sent."""
    if not storage or not hasattr(storage, "stream"):
        return None
    stream = storage.stream
    position = stream.tell()
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(position)
    return size


def upload_of(storage) -> Upload | None:
    """The file of a FileField as a plain Upload; None when no file was sent."""
    if not storage or not getattr(storage, "filename", None):
        return None
    return Upload(storage.stream, storage.filename or "", storage.content_type)


def kind_choices() -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in v.PHOTO_KINDS.items()]


class MediaForm(FlaskForm):
    back = HiddenField()

    def back_page(self) -> str:
        return self.back.data if self.back.data in PAGES else "manage"


class PhotoUploadForm(MediaForm):
    photo = FileField(_l("Photo"), render_kw={"accept": "image/jpeg,image/png,image/webp"})
    # the service checks the kind (a readable refusal rather than WTForms' "Not a valid choice")
    kind = SelectField(_l("Ce que montre la photo"), choices=kind_choices, validate_choice=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        max_mb = current_settings().photo_max_mb
        self.photo_max_bytes = max_mb * MB
        self.photo.label.text = _("Photo (JPEG, PNG ou WebP, %(limit)s Mo maximum)", limit=max_mb)
        # read by photo_resize.js: the browser shrinks the photo before sending it
        self.photo.render_kw = {
            **(self.photo.render_kw or {}),
            "data-max-bytes": str(self.photo_max_bytes),
            "data-max-side": str(CLIENT_PHOTO_MAX_SIDE),
            "data-too-large": photo_too_large(self.photo_max_bytes).message,
        }

    def validate_photo(self, field) -> None:
        size = file_size(field.data)
        if size is None or upload_of(field.data) is None:
            raise ValidationError(_("Choisissez une photo à envoyer."))
        if size > self.photo_max_bytes:
            raise ValidationError(photo_too_large(self.photo_max_bytes).message)


class PhotoActionForm(MediaForm):
    # the service checks the kind (a readable refusal rather than WTForms' "Not a valid choice")
    kind = SelectField(_l("Ce que montre la photo"), choices=kind_choices, validate_choice=False)
    action = StringField()

    def validate_action(self, field) -> None:
        if field.data not in PHOTO_ACTIONS:
            raise ValidationError(_("Choisissez une action sur la photo."))


class FileActionForm(MediaForm):
    """A file that can be sent (``action`` "upload", the default) or removed ("remove")."""

    action = StringField()

    def removing(self) -> bool:
        return self.action.data == "remove"


class VoiceReelForm(FileActionForm):
    voice_reel = FileField(
        _l("Bande démo vocale (MP3, OGG ou M4A, 10 Mo maximum)"),
        render_kw={"accept": "audio/mpeg,audio/ogg,audio/mp4,.mp3,.ogg,.oga,.opus,.m4a"},
    )

    def validate_voice_reel(self, field) -> None:
        if self.removing():
            return
        size = file_size(field.data)
        if size is None or upload_of(field.data) is None:
            raise ValidationError(_("Choisissez un fichier audio à envoyer."))
        if size > VOICE_MAX_MB * MB:
            raise ValidationError(voice_too_large().message)


class IdPhotoForm(FileActionForm):
    id_photo = FileField(
        _l("Photo de votre pièce d'identité"),
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.max_bytes = current_settings().photo_max_mb * MB

    def validate_id_photo(self, field) -> None:
        if self.removing():
            return
        size = file_size(field.data)
        if size is None or upload_of(field.data) is None:
            raise ValidationError(_("Choisissez la photo de votre pièce d'identité."))
        if size > self.max_bytes:
            raise ValidationError(photo_too_large(self.max_bytes).message)


class ShowreelForm(MediaForm):
    showreel_url = StringField(
        _l("Lien de votre bande démo vidéo (YouTube ou Vimeo)"),
        [Length(max=300)],
        render_kw={"inputmode": "url", "autocomplete": "url", "placeholder": "https://"},
    )
    action = StringField()

    def removing(self) -> bool:
        return self.action.data == "remove"


class ContinueForm(FlaskForm):
    """« Continuer » of the registration step: the CSRF token is the whole form."""
