"""Benchmark of the CINEMA comp card PDF: `python -m bench.casting_card`.

Builds the comp card (talento/casting/comp_card.py) the way the route does — the primary
photo from a stored display JPEG (1200×1500, the size the upload step keeps), four more from
stored WebP thumbnails, the QR code, DejaVu Sans — in A5 and A4, and prints JSON: the first
call in this process (fpdf imported and warmed up), then the median and max of BENCH_CARD_RUNS
calls (default 30) and the PDF's size. No database: the route adds one indexed lookup.

Never fails on speed. Target (issue 13, point 5): generated in well under a second.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from PIL import Image

RUNS = int(os.environ.get("BENCH_CARD_RUNS", "30"))


def _photos(folder: Path) -> tuple[Path, list[Path]]:
    primary = folder / "primary.jpg"
    gradient = Image.linear_gradient("L").resize((1200, 1500)).convert("RGB")
    gradient.save(primary, "JPEG", quality=85)  # not flat: a realistic JPEG to decode
    more = []
    for index in range(4):
        path = folder / f"thumb{index}.webp"
        gradient.rotate(90 * index).resize((240, 300)).save(path, "WEBP", quality=80)
        more.append(path)
    return primary, more


def main() -> None:
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        primary, more = _photos(Path(tmp))
        started = time.perf_counter()
        from talento.casting.comp_card import CompCardLabels, build_comp_card
        from talento.casting.page import CastingView, Language, Photo

        view = CastingView(
            code="MAOUZ0042F",
            first_name="Amina",
            last_name="Aït Benhaddou",
            photos=tuple(Photo(f"p{i}.jpg", f"t{i}.webp", "other", i == 0) for i in range(5)),
            playing_age=(22, 30),
            height_cm=172,
            languages=(Language("Darija (arabe marocain)", "Langue maternelle", ()),),
        )
        facts = [
            ("Code CINEMA", view.code),
            ("Âge de jeu", "22–30 ans"),
            ("Taille", "172 cm"),
            ("Mensurations", "Haut M · Tour de taille 70 cm · Robe 38 · Pointure 38.5"),
            ("Yeux", "Noisette"),
            ("Cheveux", "Noirs, Bouclés, Longs"),
            ("Langues", "Darija (Langue maternelle), Français (Courant), Anglais (Notions)"),
            ("Profils", "Rôle principal, Cascadeur, Mannequin"),
        ]
        labels = CompCardLabels(brand="Talento · CINEMA", scan="Scannez pour voir la page")

        def build(page_format: str) -> bytes:
            return build_comp_card(
                view,
                facts=facts,
                url="https://talento.ma/cinema/p/MAOUZ0042F",
                labels=labels,
                primary=primary,
                more=more,
                page_format=page_format,
            )

        build("a5")
        results["first_call_ms_with_imports"] = round((time.perf_counter() - started) * 1000, 1)
        for page_format in ("a5", "a4"):
            samples, size = [], 0
            for _ in range(RUNS):
                start = time.perf_counter()
                size = len(build(page_format))
                samples.append((time.perf_counter() - start) * 1000)
            results[f"comp_card_{page_format}_median_ms"] = round(statistics.median(samples), 1)
            results[f"comp_card_{page_format}_max_ms"] = round(max(samples), 1)
            results[f"comp_card_{page_format}_bytes"] = size
    print(json.dumps({"casting_card": results}, indent=2))


if __name__ == "__main__":
    main()
