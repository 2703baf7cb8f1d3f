"""Pillow scenes for the demo photos: each image is seeded by its key, so every run draws
the same picture. Nothing here is a real place, flag or person."""

import io
import random

from PIL import Image, ImageDraw

PALETTES = {
    # sky top, sky at the horizon, ground/sea near, ground/sea far, sun (or None)
    "dawn": ((62, 80, 122), (238, 176, 136), (52, 70, 96), (96, 112, 138), (255, 220, 170)),
    "day": ((82, 144, 212), (204, 226, 242), (64, 110, 70), (150, 170, 120), (255, 252, 230)),
    "dusk": ((38, 30, 78), (238, 122, 82), (30, 26, 48), (92, 70, 96), (255, 186, 120)),
    "night": ((8, 12, 32), (44, 54, 96), (8, 12, 26), (30, 38, 70), (232, 232, 214)),
    "overcast": ((118, 128, 140), (196, 200, 204), (58, 68, 76), (120, 130, 138), None),
    "steppe": ((104, 156, 208), (228, 220, 196), (150, 120, 78), (200, 176, 126), None),
    "snow": ((148, 172, 204), (226, 230, 238), (214, 218, 228), (238, 240, 246), None),
    "tropic": ((56, 138, 220), (192, 226, 246), (12, 112, 152), (48, 192, 204), (255, 255, 236)),
    "studio": ((24, 42, 84), (64, 100, 150), (20, 30, 52), (40, 60, 96), None),
    "warm": ((92, 54, 40), (176, 122, 82), (64, 38, 28), (120, 80, 56), None),
    "chart": ((18, 44, 74), (30, 70, 110), (18, 44, 74), (30, 70, 110), None),
}
FLAG_COLOURS = [
    (200, 16, 46),
    (0, 56, 147),
    (255, 255, 255),
    (255, 205, 0),
    (0, 122, 61),
    (30, 30, 30),
    (0, 114, 198),
]


def draw_scene(key, spec) -> bytes:
    rng = random.Random(key)
    size = spec.get("size", (1600, 1000))
    palette = [jitter(rng, colour) if colour else None for colour in PALETTES[spec["palette"]]]
    image = SCENES[spec["scene"]](rng, size, palette, **spec.get("drawing", {}))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def jitter(rng, colour, amount=14):
    return tuple(max(0, min(255, value + rng.randint(-amount, amount))) for value in colour)


def shade(colour, factor):
    return tuple(max(0, min(255, int(value * factor))) for value in colour)


def gradient(size, top, bottom):
    mask = Image.linear_gradient("L").resize(size)
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)


def landscape(rng, size, palette, *, horizon=None):
    """Sky, sun and ground or sea: the base of the outdoor scenes."""
    width, height = size
    sky_top, sky_low, near, far, sun = palette
    horizon = horizon or int(height * rng.uniform(0.48, 0.6))
    image = gradient(size, sky_top, sky_low)
    draw = ImageDraw.Draw(image)
    if sun:
        x, radius = rng.randint(width // 5, width * 4 // 5), rng.randint(40, 70)
        y = horizon - rng.randint(radius, radius * 4)
        draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=sun)
    image.paste(gradient((width, height - horizon), far, near), (0, horizon))
    return image, ImageDraw.Draw(image), horizon


def ship(draw, x, y, length, colour, rng):
    hull = length * 0.11
    draw.polygon(
        [(x, y), (x + length, y), (x + length * 0.95, y + hull), (x + length * 0.04, y + hull)],
        fill=colour,
    )
    draw.rectangle([x + length * 0.04, y - length * 0.13, x + length * 0.17, y], fill=colour)
    draw.rectangle([x + length * 0.08, y - length * 0.2, x + length * 0.11, y], fill=colour)
    line = max(2, int(length * 0.012))
    for number in range(rng.randint(2, 4)):
        mast = x + length * (0.32 + 0.16 * number)
        draw.line([(mast, y), (mast, y - length * 0.1)], fill=colour, width=line)
        draw.line(
            [(mast, y - length * 0.1), (mast + length * 0.07, y - length * 0.03)],
            fill=colour,
            width=line,
        )


def sea(rng, size, palette):
    image, draw, horizon = landscape(rng, size, palette)
    width, height = size
    highlight = shade(palette[3], 1.25)
    for row in range(40):
        y = horizon + int((row / 40) ** 1.6 * (height - horizon)) + 4
        x = rng.randint(-200, width)
        draw.line([(x, y), (x + rng.randint(80, 400), y)], fill=highlight, width=1 + row // 12)
    silhouette = shade(palette[2], 0.45)
    for number in range(rng.randint(2, 3)):
        length = rng.randint(180, 320) / (1 + number * 0.6)
        x = rng.randint(0, width - int(length))
        ship(draw, x, horizon + 8 + number * 3, length, silhouette, rng)
    return image


def city(rng, size, palette):
    width, height = size
    image, draw, horizon = landscape(rng, size, palette, horizon=int(height * 0.66))
    building = shade(palette[0], 0.5)
    lights = (255, 214, 140)
    x = 0
    while x < width:
        block_width, block_height = rng.randint(50, 140), rng.randint(80, 420)
        top = horizon - block_height
        draw.rectangle([x, top, x + block_width, horizon], fill=building)
        for window_y in range(top + 12, horizon - 10, 22):
            for window_x in range(x + 8, x + block_width - 10, 18):
                if rng.random() < 0.35:
                    draw.rectangle([window_x, window_y, window_x + 7, window_y + 10], fill=lights)
                    reflection = horizon + (horizon - window_y) // 3
                    draw.line(
                        [(window_x, reflection), (window_x + 7, reflection)],
                        fill=shade(lights, 0.6),
                    )
        x += block_width + rng.randint(0, 12)
    return image


def port(rng, size, palette):
    width, height = size
    image, draw, horizon = landscape(rng, size, palette, horizon=int(height * 0.62))
    for stack in range(0, width, 120):
        for level in range(rng.randint(2, 6)):
            colour = rng.choice([(176, 58, 46), (36, 86, 150), (70, 130, 80), (200, 150, 40)])
            top = horizon - (level + 1) * 42
            draw.rectangle([stack + 4, top, stack + 112, top + 38], fill=colour)
    steel = shade(palette[0], 0.4)
    for _ in range(rng.randint(3, 5)):
        x = rng.randint(80, width - 200)
        draw.line([(x, horizon), (x, horizon - 520)], fill=steel, width=14)
        draw.line([(x + 90, horizon), (x + 90, horizon - 520)], fill=steel, width=14)
        draw.line([(x - 160, horizon - 500), (x + 300, horizon - 500)], fill=steel, width=18)
    return image


def mountains(rng, size, palette):
    width, height = size
    image, draw, horizon = landscape(rng, size, palette, horizon=int(height * 0.7))
    for layer in range(3):
        colour = shade((96, 104, 120), 1 - layer * 0.18)
        base = horizon + layer * 20
        points, x = [(0, base)], 0
        while x < width:
            x += rng.randint(160, 320)
            peak = base - rng.randint(220, 480) + layer * 60
            points.append((x - rng.randint(60, 120), peak))
            if layer == 0:
                draw.polygon(
                    [(points[-1][0] - 50, peak + 60), points[-1], (points[-1][0] + 50, peak + 60)],
                    fill=(240, 242, 246),
                )
            points.append((x, base))
        draw.polygon([*points, (width, height), (0, height)], fill=colour)
    road = shade(palette[2], 0.6)
    draw.line(
        [(0, height - 80), (width // 2, horizon + 120), (width, horizon + 60)],
        fill=road,
        width=26,
    )
    for lorry in range(6):
        x = width // 2 + lorry * 110
        y = horizon + 120 - lorry * 11
        draw.rectangle([x, y - 34, x + 70, y - 4], fill=rng.choice(FLAG_COLOURS[:2]))
    return image


def camp(rng, size, palette):
    width, height = size
    image, draw, horizon = landscape(rng, size, palette, horizon=int(height * 0.5))
    draw.polygon(
        [(0, horizon), (width * 0.3, horizon - 80), (width * 0.7, horizon - 40), (width, horizon)],
        fill=shade(palette[3], 0.8),
    )
    for row in range(5):
        y = horizon + 40 + row * (row + 2) * 16
        scale = 0.5 + row * 0.35
        for column in range(-1, int(width / (150 * scale)) + 1):
            x = column * 150 * scale + rng.randint(0, 20)
            tent = [(x, y), (x + 60 * scale, y - 50 * scale), (x + 120 * scale, y)]
            draw.polygon(tent, fill=(236, 236, 230))
            draw.polygon([tent[1], tent[2], (x + 80 * scale, y)], fill=(196, 196, 188))
    return image


def checkpoint(rng, size, palette):
    width, height = size
    image, draw, horizon = landscape(rng, size, palette, horizon=int(height * 0.55))
    centre = width // 2
    draw.polygon(
        [
            (centre - 10, horizon),
            (centre + 10, horizon),
            (centre + 500, height),
            (centre - 500, height),
        ],
        fill=(96, 100, 108),
    )
    draw.rectangle([centre + 30, horizon - 60, centre + 140, horizon + 10], fill=(70, 76, 90))
    draw.rectangle([centre - 160, horizon - 75, centre + 160, horizon - 60], fill=(200, 40, 40))
    for lorry in reversed(range(8)):  # farthest first, so nearer lorries overlap them
        distance = 1 - lorry / 9
        y = horizon + int((height - horizon) * distance**2)
        scale = 0.15 + distance
        x = centre - 40 * scale - lorry * 4
        colour = rng.choice([(190, 60, 40), (40, 70, 140), (230, 230, 230), (60, 110, 70)])
        draw.rectangle([x - 150 * scale, y - 150 * scale, x + 20 * scale, y], fill=colour)
    return image


def pipeline(rng, size, palette):
    width, height = size
    image, draw, horizon = landscape(rng, size, palette)
    start, vanish = (-40, height * 0.8), (width * rng.uniform(0.55, 0.75), horizon)
    for step in range(16):
        distance = 1 - (1 - step / 16) ** 2
        x = start[0] + (vanish[0] - start[0]) * distance
        y = start[1] + (vanish[1] - start[1]) * distance
        post = 9 * (1 - distance) + 1
        draw.rectangle([x - post, y, x + post, y + 150 * (1 - distance) + 2], fill=(176, 174, 164))
    draw.polygon(
        [(start[0], start[1] - 36), vanish, (start[0], start[1] + 36)], fill=(116, 122, 120)
    )
    draw.polygon(
        [(start[0], start[1] - 36), vanish, (start[0], start[1] - 14)], fill=(170, 176, 172)
    )
    return image


def islands(rng, size, palette):
    width, height = size
    image, draw, horizon = landscape(rng, size, palette, horizon=int(height * 0.42))
    for _ in range(rng.randint(3, 5)):
        x, y = rng.randint(100, width - 300), rng.randint(horizon + 60, height - 180)
        island_width = rng.randint(160, 420) * (y / height)
        draw.ellipse([x - 18, y - 30, x + island_width + 18, y + 40], fill=(236, 226, 190))
        draw.ellipse([x, y - 70, x + island_width, y + 20], fill=(46, 130, 62))
    return image


def flags(rng, size, palette):
    """Invented flags: a plain field with a band or a disc, so no real country is implied."""
    width, height = size
    image, draw, horizon = landscape(rng, size, palette, horizon=int(height * 0.9))
    fields = [(22, 96, 110), (176, 122, 40), (98, 48, 90), (70, 86, 104), (96, 110, 52)]
    rng.shuffle(fields)
    for pole, field in enumerate(fields):
        x = 180 + pole * 300 + rng.randint(-20, 20)
        draw.line([(x, height), (x, 120)], fill=(40, 40, 44), width=10)
        wave = rng.randint(-14, 14)
        draw.polygon([(x, 130), (x + 240, 130 + wave), (x + 240, 280 + wave), (x, 280)], fill=field)
        emblem = (236, 230, 214)
        if pole % 2:
            draw.polygon(
                [(x, 190), (x + 240, 190 + wave), (x + 240, 220 + wave), (x, 220)], fill=emblem
            )
        else:
            draw.ellipse([x + 90, 175 + wave // 2, x + 150, 235 + wave // 2], fill=emblem)
    return image


def hall(rng, size, palette):
    width, height = size
    image = gradient(size, palette[0], palette[1])
    draw = ImageDraw.Draw(image)
    for x in range(width // 5, width, width // 5):
        draw.ellipse([x - 40, 60, x + 40, 120], fill=(255, 236, 180))
    draw.polygon(
        [
            (width * 0.42, height * 0.4),
            (width * 0.58, height * 0.4),
            (width * 0.9, height),
            (width * 0.1, height),
        ],
        fill=(74, 42, 26),
    )
    for number in range(3):
        draw.rectangle(
            [
                width * (0.44 + number * 0.04),
                height * 0.2,
                width * (0.47 + number * 0.04),
                height * 0.34,
            ],
            fill=rng.choice(FLAG_COLOURS),
        )
    for row in range(6):
        distance = row / 6
        y = height * (0.45 + distance * 0.5)
        radius = 14 + distance * 40
        for side in (-1, 1):
            x = width / 2 + side * (width * 0.1 + distance * width * 0.38)
            draw.ellipse(
                [x - radius, y - radius * 2.6, x + radius, y - radius * 0.6], fill=(70, 50, 40)
            )
            draw.rectangle(
                [x - radius * 1.6, y - radius * 0.8, x + radius * 1.6, y + radius * 2],
                fill=(28, 30, 40),
            )
    return image


def map_chart(rng, size, palette):
    width, height = size
    image = gradient(size, palette[0], palette[1])
    draw = ImageDraw.Draw(image)
    grid = shade(palette[1], 1.4)
    for x in range(0, width, 100):
        draw.line([(x, 0), (x, height)], fill=grid)
    for y in range(0, height, 100):
        draw.line([(0, y), (width, y)], fill=grid)
    land = (206, 190, 150)
    for side in (-1, 1):
        edge = width / 2 + side * 140
        points = [(edge if side < 0 else width, 0)]
        for step in range(11):
            y = step * height / 10
            points.append((edge + side * rng.randint(0, 120) - side * 90 * (step == 5), y))
        points.append((0 if side < 0 else width, height))
        points.append((0 if side < 0 else width, 0))
        draw.polygon(points, fill=land)
    lane = (250, 240, 200)
    for _ in range(6):
        start = (rng.randint(0, width), rng.choice([0, height]))
        end = (width / 2, height / 2)
        for step in range(0, 20, 2):
            a = step / 20
            b = (step + 1) / 20
            draw.line(
                [
                    (start[0] + (end[0] - start[0]) * a, start[1] + (end[1] - start[1]) * a),
                    (start[0] + (end[0] - start[0]) * b, start[1] + (end[1] - start[1]) * b),
                ],
                fill=lane,
                width=5,
            )
    draw.ellipse(
        [width / 2 - 24, height / 2 - 24, width / 2 + 24, height / 2 + 24],
        outline=(220, 60, 50),
        width=8,
    )
    return image


def person(draw, centre_x, bottom, scale, skin, clothes, hair):
    draw.ellipse(
        [
            centre_x - 260 * scale,
            bottom - 230 * scale,
            centre_x + 260 * scale,
            bottom + 230 * scale,
        ],
        fill=clothes,
    )
    draw.rectangle(
        [centre_x - 45 * scale, bottom - 300 * scale, centre_x + 45 * scale, bottom - 200 * scale],
        fill=shade(skin, 0.9),
    )
    draw.ellipse(
        [
            centre_x - 120 * scale,
            bottom - 560 * scale,
            centre_x + 120 * scale,
            bottom - 260 * scale,
        ],
        fill=skin,
    )
    draw.chord(
        [
            centre_x - 128 * scale,
            bottom - 580 * scale,
            centre_x + 128 * scale,
            bottom - 330 * scale,
        ],
        180,
        360,
        fill=hair,
    )


SKINS = [(241, 204, 170), (198, 142, 104), (141, 94, 64), (224, 178, 140), (96, 62, 44)]
HAIR = [(40, 30, 24), (120, 80, 40), (200, 170, 110), (70, 60, 56), (20, 18, 18)]


def portrait(rng, size, palette, *, skin=None):
    width, height = size
    image = gradient(size, palette[1], palette[0])
    draw = ImageDraw.Draw(image)
    person(
        draw,
        width / 2,
        height,
        width / 900,
        rng.choice(SKINS) if skin is None else SKINS[skin],
        jitter(rng, (60, 64, 80), 40),
        rng.choice(HAIR),
    )
    return image


def diptych(rng, size, palette):
    width, height = size
    image = Image.new("RGB", size)
    for half in range(2):
        part = portrait(rng, (width // 2, height), [jitter(rng, c, 40) for c in palette[:2]])
        image.paste(part, (half * width // 2, 0))
    ImageDraw.Draw(image).line([(width // 2, 0), (width // 2, height)], fill="white", width=8)
    return image


def screen(rng, size, palette):
    width, height = size
    image = gradient(size, palette[0], palette[1])
    draw = ImageDraw.Draw(image)
    for x in range(0, width, 90):
        draw.rectangle([x, rng.randint(250, 500), x + 70, height], fill=shade(palette[1], 1.2))
    person(
        draw, width * 0.42, height * 0.92, 1.1, rng.choice(SKINS), (40, 44, 60), rng.choice(HAIR)
    )
    draw.polygon(
        [
            (width * 0.3, height * 0.72),
            (width * 0.54, height * 0.72),
            (width * 0.52, height),
            (width * 0.32, height),
        ],
        fill=(150, 110, 70),
    )
    draw.rectangle([80, height - 240, width * 0.7, height - 160], fill=(245, 245, 245))
    draw.rectangle([80, height - 240, 110, height - 160], fill=(200, 30, 40))
    draw.rectangle([0, height - 100, width, height - 40], fill=(170, 20, 30))
    draw.rounded_rectangle([width - 240, 50, width - 60, 130], radius=14, fill=(255, 255, 255))
    return image


SCENES = {
    "sea": sea,
    "city": city,
    "port": port,
    "mountains": mountains,
    "camp": camp,
    "checkpoint": checkpoint,
    "pipeline": pipeline,
    "islands": islands,
    "flags": flags,
    "hall": hall,
    "map": map_chart,
    "portrait": portrait,
    "diptych": diptych,
    "screen": screen,
}
