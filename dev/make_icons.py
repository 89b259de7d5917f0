"""Draw Talento's favicon and app icons into talento/static/icons/ (`make icons`).

Run once when the design changes; the PNG and ICO files are committed (a few KB). Drawn with
rectangles, no font, so every run gives the same pixels: a white « T » on the site's
terracotta (#9b2c1f), in a rounded square (a full square for apple-touch-icon, which iOS
rounds itself).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "talento" / "static" / "icons"
TERRACOTTA = (155, 44, 31, 255)
WHITE = (255, 255, 255, 255)
SUPERSAMPLE = 8


def draw(size: int, rounded: bool = True) -> Image.Image:
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    radius = big // 5 if rounded else 0
    pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=radius, fill=TERRACOTTA)
    bar = round(big * 0.16)  # stroke width of the T
    top, left, right = round(big * 0.22), round(big * 0.22), round(big * 0.78)
    pen.rectangle((left, top, right, top + bar), fill=WHITE)
    middle = big // 2
    pen.rectangle((middle - bar // 2, top, middle + bar // 2, round(big * 0.80)), fill=WHITE)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (32, 192, 512):
        draw(size).save(OUT / f"icon-{size}.png", optimize=True)
    draw(180, rounded=False).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)
    draw(48).save(OUT / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])
    for path in sorted(OUT.iterdir()):
        print(f"{path.relative_to(OUT.parent.parent.parent)}  {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
