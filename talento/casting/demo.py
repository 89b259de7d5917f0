"""Demo CINEMA profiles for a showcase or a load test (`talento seed-demo --cinema N`):
casting profiles for demo talents (profiles/demo.py) that have none yet, tens of thousands a
second.

Distributions are plausible for Morocco: heights by gender, playing ages around the real age,
1–3 talent types (extras most often), skills, accents, what they can bring, language levels;
about 70 % have a primary photo (rows pointing at a few shared demo images drawn once), some
profiles are hidden by their owner, some incomplete, and some talents are minors. Rows go in
with one COPY per table and batch on PostgreSQL (an executemany elsewhere), in the caller's
transaction. Demo accounts are removed with their talent profiles (`--remove`): casting rows
follow by cascade.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections.abc import Callable, Sequence
from pathlib import Path

from PIL import Image
from sqlalchemy import Table, insert, select, text, update
from sqlalchemy.orm import Session

from talento.accounts.codes import next_sequences, sequence_to_str
from talento.accounts.models import User
from talento.casting import vocabulary as v
from talento.casting.models import (
    REGISTRATION_STEPS,
    CastingAccent,
    CastingAsset,
    CastingCodeCounter,
    CastingPhoto,
    CastingProfile,
    CastingSkill,
    CastingTalentType,
)
from talento.extensions import utcnow, utctoday
from talento.geo.models import City, Country
from talento.profiles.demo import PALETTE, demo_email_filter, draw_avatar

BATCH = 5000
SHARED_IMAGES = 6
PHOTO_SHARE = 0.7
TYPE_WEIGHTS = {"extra": 10, "silhouette": 3, "secondary": 3, "principal": 1, "model": 2,
                "double": 1, "stand_in": 1, "stunt": 1, "voice_over": 1, "specialised_extra": 2,
                "chorister": 1, "background_dancer": 1, "other": 1}  # fmt: skip
ETHNICITY_WEIGHTS = {"north_african": 80, "sub_saharan": 6, "middle_eastern": 4, "european": 4,
                     "mediterranean": 3, "mixed": 3}  # fmt: skip
EYE_WEIGHTS = {"dark_brown": 40, "brown": 25, "black": 15, "hazel": 10, "green": 5, "blue": 3,
               "grey": 2}  # fmt: skip
HAIR_WEIGHTS = {"black": 45, "dark_brown": 25, "brown": 12, "chestnut": 8, "blond": 3,
                "salt_pepper": 4, "grey": 3}  # fmt: skip


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def _shared_images(upload_dir: Path) -> list[str]:
    """A few demo images drawn once (photo and thumbnail under the casting folders)."""
    names = []
    for folder in ("photos", "thumbs"):
        (upload_dir / "casting" / folder).mkdir(parents=True, exist_ok=True)
    for i in range(SHARED_IMAGES):
        image = draw_avatar("CIN"[: 1 + i % 3], PALETTE[i % len(PALETTE)])
        name = f"{secrets.token_urlsafe(16)}.jpg"
        image.save(upload_dir / "casting" / "photos" / name, "JPEG", quality=80)
        thumb = image.resize((160, 200), Image.Resampling.LANCZOS)
        thumb.save(upload_dir / "casting" / "thumbs" / name, "JPEG", quality=70)
        names.append(name)
    return names


def bulk_insert(session: Session, table: Table, rows: Sequence[dict]) -> None:
    """COPY on PostgreSQL (same transaction), an executemany elsewhere."""
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        session.execute(insert(table), list(rows))
        return
    columns = list(rows[0])
    raw = session.connection().connection.driver_connection
    assert raw is not None
    names = ", ".join(f'"{c}"' for c in columns)
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])


def seed_casting(
    session: Session,
    upload_dir: str | Path,
    count: int,
    *,
    seed: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Give a casting profile to at most `count` demo talents that have none; returns how many
    were created. The caller commits."""
    rng = random.Random(seed)  # noqa: S311 - fake data, not a secret
    talents = session.execute(
        select(User.id, User.gender, User.date_of_birth, Country.iso2, City.code)
        .join(Country, Country.id == User.country_id)
        .join(City, City.id == User.city_id)
        .where(
            demo_email_filter(),
            User.id.not_in(select(CastingProfile.user_id)),
        )
        .order_by(User.id)
        .limit(count)
    ).all()
    if not talents:
        return 0
    images = _shared_images(Path(upload_dir))
    today, now = utctoday(), utcnow()
    minors: list[dict] = []
    skills, assets = list(v.SKILLS), list(v.ASSETS)
    accents = [c for c in v.ACCENTS if c.startswith(("ary_", "fr_"))]
    tables: dict[str, list[dict]] = {
        name: [] for name in ("profiles", "types", "skills", "assets", "accents", "photos")
    }
    done = 0
    for start in range(0, len(talents), BATCH):
        batch = talents[start : start + BATCH]
        by_country: dict[str, list] = {}
        for row in batch:
            by_country.setdefault(row.iso2, []).append(row)
        for iso2, rows in by_country.items():
            sequences = iter(next_sequences(session, iso2, len(rows), counter=CastingCodeCounter))
            for row in rows:
                _one(rng, row, next(sequences), today, now, images, tables, minors,
                     skills, assets, accents)  # fmt: skip
        _flush(session, tables)
        done += len(batch)
        if progress is not None:
            progress(done)
    if minors:
        session.execute(update(User), minors)
    if session.get_bind().dialect.name == "postgresql":  # languages get levels
        session.execute(
            text(
                "UPDATE talent_languages SET level = (ARRAY['native','fluent','conversational',"
                "'notions'])[1 + (user_id + ascii(code)) % 4] WHERE user_id IN "
                "(SELECT user_id FROM casting_profiles)"
            )
        )
    return done


def _one(rng, row, sequence, today, now, images, tables, minors, skills, assets, accents) -> None:
    uid, gender = row.id, row.gender or "N"
    born = row.date_of_birth
    if rng.random() < 0.04:  # some minors (the registration records a guardian)
        born = today - dt.timedelta(days=rng.randint(6 * 365, 17 * 365))
        minors.append({"id": uid, "date_of_birth": born})
    age = (today - born).days // 365 if born else 30
    mean, sd = {"M": (176, 7), "F": (163, 6)}.get(gender, (170, 8))
    height = round(rng.gauss(mean, sd) * (min(age, 16) / 16 if age < 16 else 1))
    low = max(0, age - rng.randint(2, 7))
    created = now - dt.timedelta(days=rng.randint(0, 3 * 365), seconds=rng.randint(0, 86399))
    done = rng.random() >= 0.05
    guardian = age < 18
    tables["profiles"].append(
        {
            "user_id": uid,
            "code": f"{row.iso2}{row.code}{sequence_to_str(sequence)}{gender}",
            "visibility": rng.choices(("staff", "public", "hidden"), (85, 10, 5))[0],
            "registration_step": "done" if done else rng.choice(REGISTRATION_STEPS),
            "completed_at": created if done else None,
            "ethnicity": _pick(rng, ETHNICITY_WEIGHTS),
            "height_cm": max(100, min(250, height)),
            "weight_kg": max(20, min(250, round(height - 100 + rng.gauss(0, 8)))),
            "eye_colour": _pick(rng, EYE_WEIGHTS),
            "hair_colour": _pick(rng, HAIR_WEIGHTS),
            "hair_type": rng.choice(list(v.HAIR_TYPES)[:6]),
            "hair_length": rng.choice(list(v.HAIR_LENGTHS)),
            "skin_tone": rng.choice(list(v.SKIN_TONES)[1:8]),
            "build": rng.choice(list(v.BUILDS)),
            "tattoos": rng.choices(list(v.MARKINGS), (8, 1, 1))[0],
            "piercings": rng.choices(list(v.MARKINGS), (8, 1, 1))[0],
            "top_size": rng.choice(
                ("kid_8", "kid_12", "kid_16") if guardian else ("xs", "s", "m", "l", "xl", "xxl")
            ),  # fmt: skip
            "trouser_size": rng.randint(34, 50) if not guardian else None,
            "shoe_size": float(rng.randint(39, 46) if gender == "M" else rng.randint(35, 41)),
            "playing_age_min": min(low, 100),
            "playing_age_max": min(age + rng.randint(2, 7), 100),
            "artist_card_verified_at": now if rng.random() < 0.08 else None,
            "voice_reel_name": f"{secrets.token_urlsafe(16)}.mp3" if rng.random() < 0.05 else None,
            "guardian_name": "Parent démo" if guardian else None,
            "guardian_relationship": "mother" if guardian else None,
            "guardian_consent_at": now if guardian else None,
            "created_at": created,
            "updated_at": created + dt.timedelta(days=rng.randint(0, 200)),
        }
    )
    for code in rng.choices(list(TYPE_WEIGHTS), list(TYPE_WEIGHTS.values()), k=rng.randint(1, 3)):
        tables["types"].append({"user_id": uid, "code": code})
    tables["skills"] += [{"user_id": uid, "code": c} for c in rng.sample(skills, rng.randint(0, 5))]
    tables["assets"] += [{"user_id": uid, "code": c} for c in rng.sample(assets, rng.randint(0, 2))]
    tables["accents"] += [
        {"user_id": uid, "code": c} for c in rng.sample(accents, rng.randint(0, 2))
    ]
    if rng.random() < PHOTO_SHARE:
        image = rng.choice(images)
        tables["photos"].append(
            {
                "user_id": uid,
                "kind": "headshot",
                "name": image,
                "thumb_name": image,
                "width": 512,
                "height": 512,
                "position": 0,
                "is_primary": True,
                "created_at": created,
            }  # fmt: skip
        )


def _flush(session: Session, tables: dict[str, list]) -> None:
    targets = {
        "profiles": CastingProfile,
        "types": CastingTalentType,
        "skills": CastingSkill,
        "assets": CastingAsset,
        "accents": CastingAccent,
        "photos": CastingPhoto,
    }
    for name, model in targets.items():
        rows = tables[name]
        if name != "profiles":  # one row per (user, code): duplicates from choices() dropped
            rows = list({(r["user_id"], r.get("code", r.get("name"))): r for r in rows}.values())
        bulk_insert(session, model.__table__, rows)  # type: ignore[arg-type]
        tables[name].clear()


__all__ = ["bulk_insert", "seed_casting"]
