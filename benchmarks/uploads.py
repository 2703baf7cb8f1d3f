"""Uploaded images: peak extra memory and time to accept or refuse each kind of file.

    .venv/bin/python benchmarks/uploads.py

Each case runs in a fresh process, so the peak resident size (VmHWM) measured
around publication.images.sanitize_image is that upload's alone: the figure is the
growth of the process beyond what it held with the file's bytes already in memory.
The largest images the default limits accept (40 megapixels, in each format) and the
junk bodies from the outside test (a valid header and megabytes of zeros) are made here.
"""

import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "publication.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")

SIDE = 6320  # 6320 × 6320 ≈ 39.9 megapixels, just under the default limit
JUNK = 12 * 1024 * 1024


def make_cases(folder: Path) -> dict[str, Path]:
    from PIL import Image

    def save(name, image, image_format, **options):
        path = folder / name
        image.save(path, image_format, **options)
        return path

    def raw(name, data):
        path = folder / name
        path.write_bytes(data)
        return path

    gradient = Image.linear_gradient("L").resize((SIDE, SIDE))
    rgb = Image.merge("RGB", [gradient, gradient.transpose(Image.Transpose.ROTATE_90), gradient])
    rgba = rgb.copy()
    rgba.putalpha(gradient)
    buffer = io.BytesIO()
    Image.new("RGB", (4000, 3000), "teal").save(buffer, "JPEG")
    jpeg = buffer.getvalue()
    scan = jpeg.index(b"\xff\xda")
    scan_end = scan + 2 + int.from_bytes(jpeg[scan + 2 : scan + 4], "big")
    return {
        "JPEG 40 MP": save("big.jpg", rgb, "JPEG", quality=90),
        "PNG 40 MP RGBA": save("big.png", rgba, "PNG"),
        "PNG 49 MP (7000², refused)": save("bomb.png", Image.new("RGB", (7000, 7000)), "PNG"),
        "GIF 40 MP": save("big.gif", rgb.convert("P"), "GIF"),
        "WebP 6 MP RGBA": save("big.webp", rgba.resize((3000, 2000)), "WEBP", quality=80),
        "WebP 40 MP RGBA (refused)": save("huge.webp", rgba, "WEBP", quality=80),
        "JPEG header + 12 MB of zeros": raw("junk1.jpg", jpeg[:200] + bytes(JUNK)),
        "JPEG scan of 12 MB of zeros + end marker": raw(
            "junk2.jpg", jpeg[:scan_end] + bytes(JUNK) + b"\xff\xd9"
        ),
        "GIF header + 12 MB of zeros": raw("junk.gif", b"GIF89a" + bytes(7) + bytes(JUNK)),
        "PNG header + 12 MB of zeros": raw("junk.png", b"\x89PNG\r\n\x1a\n" + bytes(JUNK)),
        "12 MB of random bytes": raw("random.jpg", os.urandom(JUNK)),
    }


def peak_rss_kb() -> int:
    # VmHWM, unlike ru_maxrss, is not inherited from the parent across exec.
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("Linux only: no VmHWM in /proc/self/status")


def measure(path: str) -> None:
    """In a child process: print seconds, peak extra MB and the outcome for one file."""
    import django

    django.setup()
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from publication.images import sanitize_image

    upload = SimpleUploadedFile(Path(path).name, Path(path).read_bytes())
    Path("/proc/self/clear_refs").write_text("5")  # restart the peak from the current size
    before = peak_rss_kb()
    start = time.perf_counter()
    try:
        cleaned = sanitize_image(upload)
        outcome = f"accepted ({cleaned.size // 1024} KB stored)"
    except ValidationError as error:
        outcome = f"refused: {error.messages[0]}"
    seconds = time.perf_counter() - start
    extra = (peak_rss_kb() - before) / 1024
    print(f"{seconds:.2f}\t{extra:.0f}\t{outcome}")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        cases = make_cases(Path(folder))
        print(f"{'case':<44} {'size':>8} {'seconds':>8} {'peak MB':>8}  outcome")
        for name, path in cases.items():
            result = subprocess.run(
                [sys.executable, __file__, "--measure", str(path)],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            )
            seconds, extra, outcome = result.stdout.strip().split("\t")
            size = f"{path.stat().st_size / 1024 / 1024:.1f} MB"
            print(f"{name:<44} {size:>8} {seconds:>8} {extra:>8}  {outcome}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        measure(sys.argv[2])
    else:
        main()
