"""CINEMA casting profiles (issue 13), expand only: new tables beside the talent profile and
the coordinates of cities.

- ``casting_profiles`` extends ``talent_profiles`` (one person, one account): identity document
  (number encrypted, with a blind index), origins, appearance, sizes, playing age, artist card,
  showreel and voice reel, a minor's guardian and consent, the resumable registration's next
  step; ``casting_talent_types``, ``casting_skills``, ``casting_assets``, ``casting_accents``
  (one row per code of casting.vocabulary), ``casting_credits``, ``casting_photos`` (one
  primary per profile: a partial unique index) and ``casting_code_counters`` (CINEMA codes
  count per country, apart from user codes).
- ``cities.latitude`` / ``longitude`` (casting search's "within N km"), filled here from the
  geo reference data (geonames coordinates, and talento.geo.morocco for the few Moroccan
  towns geonames' set lacks). Existing rows keep everything else; no account changes.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 04:40:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _backfill_city_coordinates():
    """Coordinates for the cities already loaded, matched by geonames id (or, for Morocco's
    reference towns without one, by country and code)."""
    from talento.geo.data import iter_cities

    cities = sa.table(
        "cities",
        sa.column("id", sa.Integer),
        sa.column("country_id", sa.Integer),
        sa.column("code", sa.String),
        sa.column("geonameid", sa.Integer),
        sa.column("latitude", sa.Float),
        sa.column("longitude", sa.Float),
    )
    countries = sa.table("countries", sa.column("id", sa.Integer), sa.column("iso2", sa.String))
    bind = op.get_bind()
    by_geonames = [
        {"g": c.geonameid, "lat": c.latitude, "lon": c.longitude}
        for c in iter_cities()
        if c.geonameid is not None and c.latitude is not None
    ]
    if by_geonames:
        bind.execute(
            cities.update()
            .where(cities.c.geonameid == sa.bindparam("g"))
            .values(latitude=sa.bindparam("lat"), longitude=sa.bindparam("lon")),
            by_geonames,
        )
    morocco = bind.execute(sa.select(countries.c.id).where(countries.c.iso2 == "MA")).scalar()
    by_code = [
        {"c": c.code, "lat": c.latitude, "lon": c.longitude}
        for c in iter_cities()
        if c.geonameid is None and c.latitude is not None and c.country_iso2 == "MA"
    ]
    if morocco is not None and by_code:
        bind.execute(
            cities.update()
            .where(cities.c.country_id == morocco, cities.c.code == sa.bindparam("c"))
            .values(latitude=sa.bindparam("lat"), longitude=sa.bindparam("lon")),
            by_code,
        )


def upgrade():
    op.create_table(
        "casting_code_counters",
        sa.Column("country_iso2", sa.String(length=2), nullable=False),
        sa.Column("last_value", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("country_iso2", name=op.f("pk_casting_code_counters")),
    )
    op.create_table(
        "casting_profiles",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=10), nullable=True),
        sa.Column("visibility", sa.String(length=8), server_default="staff", nullable=False),
        sa.Column(
            "registration_step", sa.String(length=16), server_default="identity", nullable=False
        ),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id_document_type", sa.String(length=16), nullable=True),
        sa.Column("id_number", sa.Text(), nullable=True),
        sa.Column("id_number_index", sa.String(length=32), nullable=True),
        sa.Column("id_photo_name", sa.String(length=80), nullable=True),
        sa.Column("origin_country_id", sa.Integer(), nullable=True),
        sa.Column("origin_region", sa.String(length=120), nullable=True),
        sa.Column("ethnicity", sa.String(length=24), nullable=True),
        sa.Column("height_cm", sa.SmallInteger(), nullable=True),
        sa.Column("weight_kg", sa.SmallInteger(), nullable=True),
        sa.Column("eye_colour", sa.String(length=16), nullable=True),
        sa.Column("hair_colour", sa.String(length=16), nullable=True),
        sa.Column("hair_type", sa.String(length=16), nullable=True),
        sa.Column("hair_length", sa.String(length=16), nullable=True),
        sa.Column("skin_tone", sa.String(length=16), nullable=True),
        sa.Column("build", sa.String(length=16), nullable=True),
        sa.Column("tattoos", sa.String(length=8), nullable=True),
        sa.Column("piercings", sa.String(length=8), nullable=True),
        sa.Column("top_size", sa.String(length=8), nullable=True),
        sa.Column("chest_cm", sa.SmallInteger(), nullable=True),
        sa.Column("waist_cm", sa.SmallInteger(), nullable=True),
        sa.Column("hips_cm", sa.SmallInteger(), nullable=True),
        sa.Column("trouser_size", sa.SmallInteger(), nullable=True),
        sa.Column("dress_size", sa.SmallInteger(), nullable=True),
        sa.Column("shoe_size", sa.Float(), nullable=True),
        sa.Column("hat_size_cm", sa.SmallInteger(), nullable=True),
        sa.Column("playing_age_min", sa.SmallInteger(), nullable=True),
        sa.Column("playing_age_max", sa.SmallInteger(), nullable=True),
        sa.Column("assets_note", sa.Text(), nullable=True),
        sa.Column("artist_card_number", sa.Text(), nullable=True),
        sa.Column("artist_card_expires_on", sa.Date(), nullable=True),
        sa.Column("artist_card_verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("artist_card_verified_by_id", sa.Integer(), nullable=True),
        sa.Column("showreel_url", sa.String(length=300), nullable=True),
        sa.Column("voice_reel_name", sa.String(length=80), nullable=True),
        sa.Column("guardian_name", sa.String(length=200), nullable=True),
        sa.Column("guardian_relationship", sa.String(length=16), nullable=True),
        sa.Column("guardian_phone", sa.Text(), nullable=True),
        sa.Column("guardian_email", sa.Text(), nullable=True),
        sa.Column("guardian_consent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completion_requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "build IS NULL OR build IN ('very_slim', 'slim', 'petite', 'athletic', 'muscular', 'average', 'curvy', 'stocky', 'heavy', 'very_heavy')",
            name=op.f("ck_casting_profiles_build_known"),
        ),
        sa.CheckConstraint(
            "ethnicity IS NULL OR ethnicity IN ('north_african', 'middle_eastern', 'sub_saharan', 'east_african', 'european', 'mediterranean', 'south_asian', 'east_asian', 'latin_american', 'mixed', 'other')",
            name=op.f("ck_casting_profiles_ethnicity_known"),
        ),
        sa.CheckConstraint(
            "eye_colour IS NULL OR eye_colour IN ('black', 'dark_brown', 'brown', 'hazel', 'amber', 'green', 'grey_green', 'blue', 'blue_grey', 'grey', 'heterochromia', 'other')",
            name=op.f("ck_casting_profiles_eye_colour_known"),
        ),
        sa.CheckConstraint(
            "guardian_relationship IS NULL OR guardian_relationship IN ('mother', 'father', 'legal_guardian', 'other')",
            name=op.f("ck_casting_profiles_guardian_relationship_known"),
        ),
        sa.CheckConstraint(
            "hair_colour IS NULL OR hair_colour IN ('black', 'dark_brown', 'brown', 'chestnut', 'light_chestnut', 'dark_blond', 'blond', 'platinum', 'red', 'auburn', 'salt_pepper', 'grey', 'white', 'dyed', 'shaved', 'other')",
            name=op.f("ck_casting_profiles_hair_colour_known"),
        ),
        sa.CheckConstraint(
            "hair_length IS NULL OR hair_length IN ('bald', 'very_short', 'short', 'medium', 'long', 'very_long')",
            name=op.f("ck_casting_profiles_hair_length_known"),
        ),
        sa.CheckConstraint(
            "hair_type IS NULL OR hair_type IN ('straight', 'wavy', 'curly', 'very_curly', 'coily', 'locs', 'braids', 'shaved', 'bald', 'other')",
            name=op.f("ck_casting_profiles_hair_type_known"),
        ),
        sa.CheckConstraint(
            "id_document_type IS NULL OR id_document_type IN ('cin', 'passport', 'residence_permit')",
            name=op.f("ck_casting_profiles_id_document_known"),
        ),
        sa.CheckConstraint(
            "piercings IS NULL OR piercings IN ('none', 'hidden', 'visible')",
            name=op.f("ck_casting_profiles_piercings_known"),
        ),
        sa.CheckConstraint(
            "registration_step IN ('identity', 'contact', 'origins', 'languages', 'appearance', 'sizes', 'skills', 'experience', 'photos', 'visibility', 'done')",
            name=op.f("ck_casting_profiles_casting_step_known"),
        ),
        sa.CheckConstraint(
            "skin_tone IS NULL OR skin_tone IN ('very_fair', 'fair', 'light', 'medium', 'olive', 'tan', 'light_brown', 'brown', 'dark', 'very_dark')",
            name=op.f("ck_casting_profiles_skin_tone_known"),
        ),
        sa.CheckConstraint(
            "tattoos IS NULL OR tattoos IN ('none', 'hidden', 'visible')",
            name=op.f("ck_casting_profiles_tattoos_known"),
        ),
        sa.CheckConstraint(
            "top_size IS NULL OR top_size IN ('xxs', 'xs', 's', 'm', 'l', 'xl', 'xxl', '3xl', '4xl', 'kid_4', 'kid_6', 'kid_8', 'kid_10', 'kid_12', 'kid_14', 'kid_16')",
            name=op.f("ck_casting_profiles_top_size_known"),
        ),
        sa.CheckConstraint(
            "visibility IN ('staff', 'public', 'hidden')",
            name=op.f("ck_casting_profiles_casting_visibility_known"),
        ),
        sa.CheckConstraint(
            "chest_cm IS NULL OR chest_cm BETWEEN 40 AND 200",
            name=op.f("ck_casting_profiles_chest_range"),
        ),
        sa.CheckConstraint(
            "dress_size IS NULL OR dress_size BETWEEN 28 AND 64",
            name=op.f("ck_casting_profiles_dress_size_range"),
        ),
        sa.CheckConstraint(
            "hat_size_cm IS NULL OR hat_size_cm BETWEEN 40 AND 70",
            name=op.f("ck_casting_profiles_hat_size_range"),
        ),
        sa.CheckConstraint(
            "height_cm IS NULL OR height_cm BETWEEN 100 AND 250",
            name=op.f("ck_casting_profiles_height_range"),
        ),
        sa.CheckConstraint(
            "hips_cm IS NULL OR hips_cm BETWEEN 40 AND 200",
            name=op.f("ck_casting_profiles_hips_range"),
        ),
        sa.CheckConstraint(
            "playing_age_max IS NULL OR playing_age_max BETWEEN 0 AND 100",
            name=op.f("ck_casting_profiles_playing_age_max_range"),
        ),
        sa.CheckConstraint(
            "playing_age_min IS NULL OR playing_age_max IS NULL OR playing_age_min <= playing_age_max",
            name=op.f("ck_casting_profiles_playing_age_order"),
        ),
        sa.CheckConstraint(
            "playing_age_min IS NULL OR playing_age_min BETWEEN 0 AND 100",
            name=op.f("ck_casting_profiles_playing_age_min_range"),
        ),
        sa.CheckConstraint(
            "shoe_size IS NULL OR shoe_size BETWEEN 15 AND 52",
            name=op.f("ck_casting_profiles_shoe_size_range"),
        ),
        sa.CheckConstraint(
            "trouser_size IS NULL OR trouser_size BETWEEN 20 AND 70",
            name=op.f("ck_casting_profiles_trouser_size_range"),
        ),
        sa.CheckConstraint(
            "waist_cm IS NULL OR waist_cm BETWEEN 30 AND 200",
            name=op.f("ck_casting_profiles_waist_range"),
        ),
        sa.CheckConstraint(
            "weight_kg IS NULL OR weight_kg BETWEEN 10 AND 250",
            name=op.f("ck_casting_profiles_weight_range"),
        ),
        sa.ForeignKeyConstraint(
            ["artist_card_verified_by_id"],
            ["users.id"],
            name=op.f("fk_casting_profiles_artist_card_verified_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["origin_country_id"],
            ["countries.id"],
            name=op.f("fk_casting_profiles_origin_country_id_countries"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["talent_profiles.user_id"],
            name=op.f("fk_casting_profiles_user_id_talent_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_casting_profiles")),
        sa.UniqueConstraint("code", name=op.f("uq_casting_profiles_code")),
    )
    with op.batch_alter_table("casting_profiles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_casting_profiles_id_number_index"), ["id_number_index"], unique=False
        )
        batch_op.create_index("ix_casting_profiles_updated_at", ["updated_at"], unique=False)

    op.create_table(
        "casting_accents",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=24), nullable=False),
        sa.CheckConstraint(
            "code IN ('ary_casablanca', 'ary_rabat', 'ary_fes', 'ary_marrakech', 'ary_north', 'ary_jebli', 'ary_oriental', 'ary_souss', 'ary_rural', 'ary_sahara', 'fr_neutral', 'fr_moroccan', 'fr_african', 'fr_france', 'fr_quebec', 'en_american', 'en_british', 'en_african', 'es_spain', 'es_latin')",
            name=op.f("ck_casting_accents_casting_accent_known"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["casting_profiles.user_id"],
            name=op.f("fk_casting_accents_user_id_casting_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "code", name=op.f("pk_casting_accents")),
    )
    with op.batch_alter_table("casting_accents", schema=None) as batch_op:
        batch_op.create_index("ix_casting_accents_code_user", ["code", "user_id"], unique=False)

    op.create_table(
        "casting_assets",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=24), nullable=False),
        sa.CheckConstraint(
            "code IN ('djellaba', 'caftan', 'takchita', 'jabador', 'burnous', 'gandoura', 'melhfa', 'daraa', 'amazigh_jewellery', 'business_suit', 'wedding_dress', 'evening_wear', 'military_uniform', 'medical_uniform', 'period_costume', 'sports_kit', 'horse', 'camel', 'donkey', 'dog', 'cat', 'sheep_goat', 'falcon', 'poultry', 'car', 'vintage_car', 'four_by_four', 'motorbike', 'bicycle', 'van', 'truck', 'cart', 'boat')",
            name=op.f("ck_casting_assets_casting_asset_known"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["casting_profiles.user_id"],
            name=op.f("fk_casting_assets_user_id_casting_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "code", name=op.f("pk_casting_assets")),
    )
    with op.batch_alter_table("casting_assets", schema=None) as batch_op:
        batch_op.create_index("ix_casting_assets_code_user", ["code", "user_id"], unique=False)

    op.create_table(
        "casting_credits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), server_default="film", nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=True),
        sa.Column("role", sa.String(length=120), nullable=True),
        sa.CheckConstraint(
            "kind IN ('film', 'series', 'short', 'tv_film', 'commercial', 'music_video', 'documentary', 'theatre', 'web', 'other')",
            name=op.f("ck_casting_credits_casting_credit_kind_known"),
        ),
        sa.CheckConstraint(
            "year IS NULL OR year BETWEEN 1900 AND 2100",
            name=op.f("ck_casting_credits_casting_credit_year_range"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["casting_profiles.user_id"],
            name=op.f("fk_casting_credits_user_id_casting_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_casting_credits")),
    )
    with op.batch_alter_table("casting_credits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_casting_credits_user_id"), ["user_id"], unique=False)

    op.create_table(
        "casting_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), server_default="other", nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("thumb_name", sa.String(length=80), nullable=False),
        sa.Column("width", sa.SmallInteger(), nullable=True),
        sa.Column("height", sa.SmallInteger(), nullable=True),
        sa.Column("position", sa.SmallInteger(), server_default="0", nullable=False),
        sa.Column("is_primary", sa.Boolean(), server_default="0", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('headshot', 'full_length', 'other')",
            name=op.f("ck_casting_photos_casting_photo_kind_known"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["casting_profiles.user_id"],
            name=op.f("fk_casting_photos_user_id_casting_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_casting_photos")),
    )
    with op.batch_alter_table("casting_photos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_casting_photos_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            "uq_casting_photos_primary",
            ["user_id"],
            unique=True,
            postgresql_where=sa.text("is_primary"),
            sqlite_where=sa.text("is_primary"),
        )

    op.create_table(
        "casting_skills",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=24), nullable=False),
        sa.CheckConstraint(
            "code IN ('acting_drama', 'acting_comedy', 'improvisation', 'theatre', 'mime', 'clown', 'stand_up', 'storytelling', 'puppetry', 'voice_imitation', 'dubbing', 'presenting', 'singing', 'singing_andalusian', 'singing_chaabi', 'singing_gnawa', 'singing_lyric', 'quran_recitation', 'whistling', 'beatbox', 'oud', 'guembri', 'bendir', 'darbouka', 'qanun', 'nay', 'ribab', 'lotar', 'violin', 'guitar', 'piano', 'drums', 'trumpet', 'saxophone', 'dance_chaabi', 'dance_ahidous', 'dance_ahwach', 'dance_guedra', 'dance_gnawa', 'dance_oriental', 'dance_contemporary', 'dance_ballet', 'dance_hip_hop', 'dance_breaking', 'dance_salsa', 'dance_flamenco', 'dance_ballroom', 'acrobatics', 'gymnastics', 'parkour', 'climbing', 'juggling', 'fire_performance', 'football', 'basketball', 'tennis', 'running', 'cycling', 'skateboard', 'surfing', 'skiing', 'yoga', 'bodybuilding', 'riding_horse', 'riding_horse_bareback', 'riding_camel', 'riding_donkey', 'fantasia', 'swimming', 'swimming_sea', 'diving', 'freediving', 'sailing', 'jet_ski', 'stage_combat', 'boxing', 'kickboxing', 'karate', 'judo', 'taekwondo', 'wrestling', 'mma', 'fencing', 'sword', 'archery', 'firearms', 'licence_a', 'licence_b', 'licence_c', 'licence_d', 'licence_e', 'stunt_driving', 'boat_licence')",
            name=op.f("ck_casting_skills_casting_skill_known"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["casting_profiles.user_id"],
            name=op.f("fk_casting_skills_user_id_casting_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "code", name=op.f("pk_casting_skills")),
    )
    with op.batch_alter_table("casting_skills", schema=None) as batch_op:
        batch_op.create_index("ix_casting_skills_code_user", ["code", "user_id"], unique=False)

    op.create_table(
        "casting_talent_types",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=24), nullable=False),
        sa.CheckConstraint(
            "code IN ('principal', 'secondary', 'extra', 'silhouette', 'double', 'stand_in', 'stunt', 'model', 'voice_over', 'specialised_extra', 'chorister', 'background_dancer', 'other')",
            name=op.f("ck_casting_talent_types_casting_talent_type_known"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["casting_profiles.user_id"],
            name=op.f("fk_casting_talent_types_user_id_casting_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "code", name=op.f("pk_casting_talent_types")),
    )
    with op.batch_alter_table("casting_talent_types", schema=None) as batch_op:
        batch_op.create_index(
            "ix_casting_talent_types_code_user", ["code", "user_id"], unique=False
        )

    with op.batch_alter_table("cities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("latitude", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("longitude", sa.Double(), nullable=True))

    # The casting search's indexes: users by gender and date of birth, by city alone; on
    # PostgreSQL the searched profiles (complete, not hidden) newest first and by height.
    op.create_index("ix_users_gender_birth", "users", ["gender", "date_of_birth"])
    op.create_index("ix_users_city", "users", ["city_id"])
    if op.get_bind().dialect.name == "postgresql":
        searchable = sa.text("registration_step = 'done' AND visibility <> 'hidden'")
        op.create_index(
            "ix_casting_profiles_searchable_created",
            "casting_profiles",
            [sa.text("created_at DESC"), sa.text("user_id DESC")],
            postgresql_where=searchable,
        )
        op.create_index(
            "ix_casting_profiles_searchable_height",
            "casting_profiles",
            ["height_cm", "user_id"],
            postgresql_where=searchable,
        )

    _backfill_city_coordinates()


def downgrade():
    op.drop_index("ix_users_city", table_name="users")
    op.drop_index("ix_users_gender_birth", table_name="users")
    with op.batch_alter_table("cities", schema=None) as batch_op:
        batch_op.drop_column("longitude")
        batch_op.drop_column("latitude")

    with op.batch_alter_table("casting_talent_types", schema=None) as batch_op:
        batch_op.drop_index("ix_casting_talent_types_code_user")

    op.drop_table("casting_talent_types")
    with op.batch_alter_table("casting_skills", schema=None) as batch_op:
        batch_op.drop_index("ix_casting_skills_code_user")

    op.drop_table("casting_skills")
    with op.batch_alter_table("casting_photos", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_casting_photos_primary",
            postgresql_where=sa.text("is_primary"),
            sqlite_where=sa.text("is_primary"),
        )
        batch_op.drop_index(batch_op.f("ix_casting_photos_user_id"))

    op.drop_table("casting_photos")
    with op.batch_alter_table("casting_credits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_casting_credits_user_id"))

    op.drop_table("casting_credits")
    with op.batch_alter_table("casting_assets", schema=None) as batch_op:
        batch_op.drop_index("ix_casting_assets_code_user")

    op.drop_table("casting_assets")
    with op.batch_alter_table("casting_accents", schema=None) as batch_op:
        batch_op.drop_index("ix_casting_accents_code_user")

    op.drop_table("casting_accents")
    with op.batch_alter_table("casting_profiles", schema=None) as batch_op:
        batch_op.drop_index("ix_casting_profiles_updated_at")
        batch_op.drop_index(batch_op.f("ix_casting_profiles_id_number_index"))

    op.drop_table("casting_profiles")
    op.drop_table("casting_code_counters")
