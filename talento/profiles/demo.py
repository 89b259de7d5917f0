"""Demo talents for a showcase or a load test (`talento seed-demo`): realistic, complete,
listed profiles with photos drawn locally, thousands per second.

Demo accounts are recognisable by their e-mail domain (:data:`DEMO_DOMAIN`, reserved: no mail
ever reaches it) and cannot sign in: their password hash is random and not an Argon2 hash, so
no password matches. :func:`remove_demo` deletes them and their photos.

Speed: codes come from the country's counter in one UPDATE per country and batch
(:func:`talento.accounts.codes.next_sequences`), rows go in through
:func:`talento.profiles.bulk.insert_talents` (four INSERTs per batch), and photos are a few
avatars drawn once per pair of initials, stored through the upload path
(:func:`talento.profiles.uploads.store_photo`), then hard-linked under a fresh random name per
profile (a copy where links are not possible): each profile owns its files, so deleting one
account never removes another's photo.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from talento.accounts.codes import format_code, next_sequences
from talento.accounts.models import AccountCapability, User
from talento.crypto import active_keyring
from talento.extensions import utcnow, utctoday
from talento.geo.models import City, Country
from talento.profiles.bulk import BATCH, TalentRow, insert_talents
from talento.profiles.choices import LANGUAGES
from talento.profiles.models import Skill, TalentLanguage, TalentProfile, talent_skills
from talento.profiles.uploads import (
    PHOTOS_DIR,
    THUMBS_DIR,
    TOKEN_BYTES,
    UploadBatch,
    delete_after_commit,
    store_drawn_photo,
    uploaded_files,
)

DEMO_DOMAIN = "demo.talento.invalid"

FEMALE = (
    "Fatima", "Khadija", "Aicha", "Meryem", "Salma", "Imane", "Hajar", "Sara", "Nadia", "Zineb",
    "Asmae", "Houda", "Loubna", "Samira", "Naima", "Ghizlane", "Kawtar", "Wiam", "Hanane",
    "Siham", "Latifa", "Yasmine", "Rim", "Soukaina", "Amal", "Btissam", "Chaimae", "Dounia",
    "Ikram", "Malika", "Najat", "Oumaima", "Rajae", "Safae", "Widad", "Nisrine",
)  # fmt: skip
MALE = (
    "Mohamed", "Youssef", "Ahmed", "Omar", "Hamza", "Mehdi", "Karim", "Rachid", "Hicham",
    "Said", "Anas", "Ayoub", "Amine", "Ismail", "Khalid", "Mustapha", "Abdellah", "Adil",
    "Badr", "Driss", "Hassan", "Ilyas", "Jamal", "Nabil", "Othmane", "Reda", "Soufiane",
    "Tarik", "Yassine", "Zakaria", "Brahim", "Issam", "Mounir", "Walid", "Abderrahim", "Aziz",
)  # fmt: skip
LAST = (
    "Alaoui", "Benali", "El Idrissi", "Bennani", "Tazi", "Berrada", "El Amrani", "Chraibi",
    "Fassi", "Benjelloun", "Lahlou", "Sqalli", "El Mansouri", "Ouazzani", "Kettani",
    "Bouzidi", "Ait Ali", "Ait Ouahmane", "Amzil", "Ouali", "Haddad", "Naciri", "Zniber",
    "El Khatib", "Belhaj", "Raji", "Lamrani", "Tahiri", "Bakkali", "Cherkaoui", "Skalli",
    "El Ouafi", "Moutaouakil", "Ziani", "Hajji", "Boukhari", "Essaidi", "Ben Brahim",
    "Mernissi", "Jaziri", "Azzouzi", "El Fadili", "Ghazi", "Rami", "Sabri", "Benkirane",
)  # fmt: skip

#: Spoken languages and how often (most Moroccans speak Darija; many Arabic and French).
LANGUAGE_ODDS = {"ary": 0.97, "ar": 0.8, "fr": 0.75, "en": 0.4, "ber": 0.3, "es": 0.15}
AVAILABILITY = (("immediate", 5), ("soon", 3), ("in_project", 2), ("unavailable", 1))
WORK_MODES = (("on_site", 4), ("flexible", 4), ("hybrid", 2), ("remote", 1))
STREETS = (
    "rue des Orangers", "avenue Hassan II", "boulevard Mohammed V", "rue Ibn Battouta",
    "avenue des FAR", "rue Allal Ben Abdellah", "boulevard Zerktouni", "rue de Fès",
)  # fmt: skip
OPENINGS = (
    "Passionné·e par {skill}, je travaille sur des projets variés depuis {years} ans.",
    "Basé·e à {city}, je mets mon expérience en {skill} au service de vos productions.",
    "{years} ans d'expérience en {skill}, sur des tournages, des scènes et des événements.",
    "Professionnel·le de {skill}, disponible pour des projets au Maroc et à l'étranger.",
)
MIDDLES = (
    "J'ai collaboré avec des agences, des studios et des compagnies indépendantes.",
    "Rigoureux·se et ponctuel·le, j'aime le travail en équipe.",
    "Formé·e au conservatoire, je continue de me former à chaque projet.",
    "J'ai participé à des publicités, des séries et des festivals.",
    "Je parle plusieurs langues, ce qui facilite les tournages internationaux.",
)
CLOSINGS = (
    "Contactez-moi pour en discuter.",
    "Ouvert·e aux nouvelles collaborations.",
    "Portfolio disponible sur demande.",
    "À bientôt sur vos projets !",
)
EDUCATION = (
    "ISADAC, Rabat",
    "ISMAC, Rabat",
    "École supérieure des arts visuels, Marrakech",
    "Conservatoire de musique, Casablanca",
    "Licence en études françaises, Université Hassan II",
    "Formation professionnelle OFPPT",
    "Autodidacte",
)
PALETTE = (
    (0xC0, 0x39, 0x2B), (0x1F, 0x6F, 0x8B), (0x2E, 0x7D, 0x32), (0x8E, 0x44, 0xAD),
    (0xD3, 0x54, 0x00), (0x16, 0xA0, 0x85), (0x2C, 0x3E, 0x50), (0xB7, 0x95, 0x0B),
)  # fmt: skip
AVATAR_SIDE = 512
MAX_AVATARS = 24


@dataclass
class SeedReport:
    created: int
    seconds: float
    photos_drawn: int
    first_code: str | None = None
    last_code: str | None = None

    @property
    def rate(self) -> float:
        return self.created / self.seconds if self.seconds else float(self.created)


class UnknownCountry(ValueError):
    """No such country, or it has no city to live in."""


def demo_email_filter():
    """SQL condition of a demo account (by its reserved e-mail domain)."""
    return func.lower(User.email).like(f"%@{DEMO_DOMAIN}")


def draw_avatar(initials: str, colour: tuple[int, int, int]) -> Image.Image:
    """A square portrait placeholder: the initials in white on a lighter disc over a coloured
    background."""
    image = Image.new("RGB", (AVATAR_SIDE, AVATAR_SIDE), colour)
    draw = ImageDraw.Draw(image)
    light = tuple(min(255, c + 40) for c in colour)
    margin = AVATAR_SIDE // 8
    draw.ellipse((margin, margin, AVATAR_SIDE - margin, AVATAR_SIDE - margin), fill=light)
    font = ImageFont.load_default(size=AVATAR_SIDE // 3)
    draw.text(
        (AVATAR_SIDE / 2, AVATAR_SIDE / 2), initials, fill=(255, 255, 255), font=font, anchor="mm"
    )
    return image


class _Photos:
    """At most :data:`MAX_AVATARS` drawn avatars (one per pair of initials); every profile
    gets its own linked copy. Once the set is full, new names are picked among those whose
    initials already have an avatar (drawing costs more than a thousand inserts)."""

    def __init__(self, upload_dir: Path, batch: UploadBatch):
        self.root = upload_dir / PHOTOS_DIR
        self.batch = batch
        self.sources: dict[str, str] = {}

    @property
    def full(self) -> bool:
        return len(self.sources) >= MAX_AVATARS

    def for_initials(self, initials: str) -> str:
        source = self.sources.get(initials)
        if source is None:
            digest = hashlib.sha256(initials.encode()).digest()[0]
            stored = store_drawn_photo(
                draw_avatar(initials, PALETTE[digest % len(PALETTE)]), self.batch.upload_dir
            )
            self.batch.saved.append(stored.name)
            self.sources[initials] = stored.name
            return stored.name  # the first profile keeps the stored file itself
        name = f"{secrets.token_urlsafe(TOKEN_BYTES)}.jpg"
        self.batch.saved.append(name)
        for folder in (self.root, self.root / THUMBS_DIR):
            _link_or_copy(folder / source, folder / name)
        return name


def _pick_name(rng: random.Random, gender: str, photos: _Photos) -> tuple[str, str]:
    firsts = FEMALE if gender == "F" else MALE
    for _attempt in range(200 if photos.full else 1):
        first, last = rng.choice(firsts), rng.choice(LAST)
        if not photos.full or first[0] + last[0] in photos.sources:
            return first, last
    raise AssertionError("no name matches the drawn avatars")  # pragma: no cover


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links
        target.write_bytes(source.read_bytes())
        os.chmod(target, 0o640)


def _weighted(pairs) -> tuple[list, list]:
    return [p[0] for p in pairs], [p[1] for p in pairs]


def seed_demo(
    session: Session,
    upload_dir: str | Path,
    count: int,
    country_iso2: str = "MA",
    *,
    seed: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> SeedReport:
    """Create ``count`` demo talents living in ``country_iso2``, in the caller's transaction
    (the caller commits; the photos written are deleted if it rolls back)."""
    started = time.perf_counter()
    rng = random.Random(seed)  # noqa: S311 - fake data, not a secret
    iso2 = country_iso2.upper()
    country = session.scalar(select(Country).where(Country.iso2 == iso2))
    if country is None:
        raise UnknownCountry(iso2)
    cities = session.execute(
        select(City.id, City.code, City.name, City.population).where(City.country_id == country.id)
    ).all()
    if not cities:
        raise UnknownCountry(iso2)
    # Weighted toward big cities, but every city gets someone now and then.
    city_weights = [max(c.population, 1) ** 0.8 for c in cities]
    skills = session.execute(select(Skill.id, Skill.name_fr)).all()
    languages = [code for code in LANGUAGE_ODDS if code in LANGUAGES]
    availabilities, availability_weights = _weighted(AVAILABILITY)
    modes, mode_weights = _weighted(WORK_MODES)
    keyring = active_keyring()
    today, now = utctoday(), utcnow()
    report = SeedReport(created=0, seconds=0.0, photos_drawn=0)
    with uploaded_files(session, upload_dir) as files:
        photos = _Photos(Path(upload_dir), files)
        for start in range(0, count, BATCH):
            size = min(BATCH, count - start)
            genders = [rng.choice("FM") for _ in range(size)]
            # One allocation per batch: the codes of a batch are consecutive.
            block = iter(next_sequences(session, iso2, size))
            rows = []
            for gender in genders:
                sequence = next(block)
                city = rng.choices(cities, city_weights)[0]
                first, last = _pick_name(rng, gender, photos)
                age = rng.randint(18, 60)
                born = today - dt.timedelta(days=age * 365 + rng.randint(0, 364))
                years = rng.randint(0, max(0, min(age - 17, 30)))
                chosen = rng.sample(skills, rng.randint(1, min(4, len(skills)))) if skills else []
                spoken = [c for c in languages if rng.random() < LANGUAGE_ODDS[c]] or ["ary"]
                phone = f"+2126{rng.randint(0, 99_999_999):08d}"
                rate = rng.choice((None, 300, 500, 800, 1200, 2000))
                code = format_code(iso2, gender, sequence, city.code)
                report.first_code = report.first_code or code
                report.last_code = code
                slug = f"{first}.{last}".lower().replace(" ", "-")
                rows.append(
                    TalentRow(
                        user={
                            "code": code,
                            "email": f"{slug}.{code.lower()}@{DEMO_DOMAIN}",
                            "first_name": first,
                            "last_name": last,
                            "password_hash": "!demo:" + secrets.token_hex(16),
                            "is_active_account": True,
                            "gender": gender,
                            "date_of_birth": born,
                            "country_id": country.id,
                            "city_id": city.id,
                            "phone": phone,
                            "phone_index": keyring.blind_index(phone),
                            "address": f"{rng.randint(1, 200)}, {rng.choice(STREETS)}, {city.name}",
                            "language": "fr",
                            "password_changed_at": now,
                            "email_verified_at": now,  # listed: demo talents are verified
                        },
                        profile={
                            "nationality_id": country.id,
                            "bio": _bio(rng, chosen, city.name, years),
                            "years_experience": years,
                            "availability": rng.choices(availabilities, availability_weights)[0],
                            "work_mode": rng.choices(modes, mode_weights)[0],
                            "rate_min": rate,
                            "rate_max": rate * 2 if rate else None,
                            "education": rng.choice(EDUCATION),
                            "links": json.dumps(
                                {"portfolio": f"https://{DEMO_DOMAIN}/{code.lower()}"}
                            ),
                            "public_links": "portfolio",
                            "photo_name": photos.for_initials(first[0] + last[0]),
                            "consent_at": now,
                        },
                        skill_ids=[s.id for s in chosen],
                        languages=spoken,
                    )
                )
            insert_talents(session, rows)
            report.created += size
            if progress is not None:
                progress(report.created)
        report.photos_drawn = len(photos.sources)
    report.seconds = time.perf_counter() - started
    return report


def _bio(rng: random.Random, skills, city: str, years: int) -> str:
    skill = skills[0].name_fr.lower() if skills else "la scène"
    opening = rng.choice(OPENINGS).format(skill=skill, city=city, years=max(years, 1))
    return " ".join((opening, rng.choice(MIDDLES), rng.choice(CLOSINGS)))


def remove_demo(session: Session, upload_dir: str | Path) -> int:
    """Delete every demo account (and, once committed, their photos); returns how many."""
    photos = session.scalars(
        select(TalentProfile.photo_name)
        .join(User, User.id == TalentProfile.user_id)
        .where(demo_email_filter(), TalentProfile.photo_name.is_not(None))
    ).all()
    ids = select(User.id).where(demo_email_filter()).scalar_subquery()
    session.execute(delete(talent_skills).where(talent_skills.c.user_id.in_(ids)))
    session.execute(delete(TalentLanguage).where(TalentLanguage.user_id.in_(ids)))
    session.execute(delete(TalentProfile).where(TalentProfile.user_id.in_(ids)))
    session.execute(delete(AccountCapability).where(AccountCapability.user_id.in_(ids)))
    removed = session.scalar(select(func.count()).where(demo_email_filter())) or 0
    session.execute(delete(User).where(demo_email_filter()))
    delete_after_commit(session, upload_dir, *photos)
    return removed
