"""Every encrypted column and every blind index, declared once.

The key status report, re-encryption, adoption and recovery, the blind-index reindex, the
re-entry page and the backup manifest all walk :data:`PLACES`. A new ``EncryptedText`` column
is added here (with who owns it and what to ask the person for); until it is,
:func:`undeclared_encrypted_columns` names it, adoption refuses to run and a test fails.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import MetaData, Table

from talento.accounts.models import User
from talento.casting.models import CastingProfile
from talento.crypto import EncryptedText
from talento.i18n import lazy_gettext as _l
from talento.profiles.models import TalentProfile


@dataclass(frozen=True)
class Place:
    """One encrypted column: where it is, whose it is, and what the person re-enters if lost."""

    model: type
    #: ORM attribute of `model` (also the name of the field to re-enter after a lost key).
    attribute: str
    #: Column name in the table.
    column: str
    #: What the person is asked to re-enter (lazy: rendered in the reader's language).
    label: object
    #: Column of the same table naming the owning user (users.id).
    owner: str
    #: Column holding the blind index (keyed hash) kept beside the value, if any.
    blind_index: str | None = None

    @property
    def table(self) -> Table:
        return self.model.__table__  # type: ignore[attr-defined]

    @property
    def name(self) -> str:
        """`table.column`, as status reports and manifests print it."""
        return f"{self.table.name}.{self.column}"

    @property
    def field(self) -> str:
        """The name stored in users.lost_fields when this value is lost."""
        return self.attribute


PLACES: tuple[Place, ...] = (
    Place(User, "phone", "phone", _l("Téléphone"), owner="id", blind_index="phone_index"),
    Place(User, "whatsapp", "whatsapp", _l("WhatsApp"), owner="id", blind_index="whatsapp_index"),
    Place(User, "address", "address", _l("Adresse"), owner="id"),
    Place(TalentProfile, "links", "links", _l("Liens (site, réseaux sociaux)"), owner="user_id"),
    Place(
        CastingProfile,
        "id_number",
        "id_number",
        _l("Numéro de la pièce d'identité"),
        owner="user_id",
        blind_index="id_number_index",
    ),
    Place(
        CastingProfile,
        "artist_card_number",
        "artist_card_number",
        _l("Numéro de la carte d'artiste"),
        owner="user_id",
    ),
    Place(
        CastingProfile,
        "guardian_phone",
        "guardian_phone",
        _l("Téléphone du parent ou tuteur"),
        owner="user_id",
    ),
    Place(
        CastingProfile,
        "guardian_email",
        "guardian_email",
        _l("E-mail du parent ou tuteur"),
        owner="user_id",
    ),
)

#: The places that keep a blind index beside the value (recomputed with it).
BLIND_INDEXED: tuple[Place, ...] = tuple(p for p in PLACES if p.blind_index)
#: Lost-field names in the order they are shown and stored in users.lost_fields.
FIELD_ORDER: tuple[str, ...] = tuple(p.field for p in PLACES)
FIELD_LABELS = {p.field: p.label for p in PLACES}


def place_of(table_name: str, column: str) -> Place:
    """The declared place of `table_name.column` (KeyError when it is not declared)."""
    for place in PLACES:
        if (place.table.name, place.column) == (table_name, column):
            return place
    raise KeyError(f"{table_name}.{column}")


def undeclared_encrypted_columns(metadata: MetaData) -> list[str]:
    """`table.column` of every EncryptedText column of `metadata` missing from PLACES."""
    declared = {p.name for p in PLACES}
    return [
        f"{table.name}.{column.name}"
        for table in metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, EncryptedText) and f"{table.name}.{column.name}" not in declared
    ]
