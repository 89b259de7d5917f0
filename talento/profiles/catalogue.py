"""The initial skills catalogue (French and English names), loaded by `talento init-db`.

Admins will manage the catalogue in the app (administration issue); loading only inserts
what is missing, so their renames are never undone.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from talento.profiles.models import Skill, SkillCategory

#: (category slug, French, English, [(skill slug, French, English), …])
CATALOGUE: tuple[tuple[str, str, str, tuple[tuple[str, str, str], ...]], ...] = (
    (
        "acting",
        "Jeu et interprétation",
        "Acting",
        (
            ("actor", "Comédien·ne", "Actor / actress"),
            ("extra", "Figurant·e", "Extra"),
            ("voice-over", "Voix off / doublage", "Voice-over / dubbing"),
            ("stunt", "Cascadeur·se", "Stunt performer"),
            ("host", "Animateur·rice / présentateur·rice", "Host / presenter"),
        ),
    ),
    (
        "music",
        "Musique",
        "Music",
        (
            ("singer", "Chant", "Singing"),
            ("musician", "Musicien·ne", "Musician"),
            ("composer", "Composition", "Composition"),
            ("dj", "DJ", "DJ"),
        ),
    ),
    (
        "dance",
        "Danse",
        "Dance",
        (
            ("dance-contemporary", "Danse contemporaine", "Contemporary dance"),
            ("dance-traditional", "Danses traditionnelles", "Traditional dance"),
            ("dance-urban", "Danses urbaines", "Urban dance"),
            ("choreography", "Chorégraphie", "Choreography"),
        ),
    ),
    (
        "image",
        "Image et mode",
        "Image and fashion",
        (
            ("model", "Mannequinat", "Modelling"),
            ("photography", "Photographie", "Photography"),
            ("makeup", "Maquillage", "Make-up"),
            ("hairdressing", "Coiffure", "Hairdressing"),
            ("styling", "Stylisme / costumes", "Styling / costumes"),
        ),
    ),
    (
        "film-crew",
        "Technique cinéma",
        "Film crew",
        (
            ("directing", "Réalisation", "Directing"),
            ("camera", "Prise de vue", "Camera operation"),
            ("sound", "Prise de son", "Sound recording"),
            ("editing", "Montage", "Editing"),
            ("lighting", "Éclairage", "Lighting"),
            ("set-design", "Décors", "Set design"),
            ("production", "Production", "Production"),
            ("screenwriting", "Scénario", "Screenwriting"),
        ),
    ),
    (
        "digital",
        "Numérique",
        "Digital",
        (
            ("web-development", "Développement web", "Web development"),
            ("graphic-design", "Design graphique", "Graphic design"),
            ("motion-design", "Motion design", "Motion design"),
            ("content-creation", "Création de contenu", "Content creation"),
            ("community-management", "Community management", "Community management"),
        ),
    ),
    (
        "languages",
        "Langues et communication",
        "Languages and communication",
        (
            ("translation", "Traduction", "Translation"),
            ("interpreting", "Interprétariat", "Interpreting"),
            ("writing", "Rédaction", "Writing"),
        ),
    ),
    (
        "sport",
        "Sport et arts du corps",
        "Sport and physical arts",
        (
            ("martial-arts", "Arts martiaux", "Martial arts"),
            ("horse-riding", "Équitation", "Horse riding"),
            ("acrobatics", "Acrobatie", "Acrobatics"),
            ("fitness", "Coaching sportif", "Fitness coaching"),
        ),
    ),
)


SEEDED_STATE = "skill_catalogue_seeded"


def load_skill_catalogue(session: Session) -> int:
    """Insert the categories and skills of CATALOGUE never inserted before; returns how many.

    Admins rename, merge and delete entries (admin/catalogs.py): the slugs already seeded are
    remembered in app_state, so `init-db` never brings back an entry an admin removed.
    """
    from talento.ops.models import AppState

    state = session.get(AppState, SEEDED_STATE)
    if state is None:
        state = AppState(name=SEEDED_STATE, value="")
        session.add(state)
    seeded = set(filter(None, state.value.split(",")))
    added = 0
    categories = {c.slug: c for c in session.scalars(select(SkillCategory))}
    skills = set(session.scalars(select(Skill.slug)))
    for slug, name_fr, name_en, entries in CATALOGUE:
        category = categories.get(slug)
        if category is None and f"category:{slug}" not in seeded:
            category = SkillCategory(slug=slug, name_fr=name_fr, name_en=name_en)
            session.add(category)
            categories[slug] = category
            added += 1
        seeded.add(f"category:{slug}")
        for skill_slug, skill_fr, skill_en in entries:
            if skill_slug not in skills and skill_slug not in seeded and category is not None:
                session.add(
                    Skill(slug=skill_slug, name_fr=skill_fr, name_en=skill_en, category=category)
                )
                skills.add(skill_slug)
                added += 1
            seeded.add(skill_slug)
    state.value = ",".join(sorted(seeded))
    session.flush()
    return added
