"""Fill the database fast with a realistic archive for benchmarks and load tests."""

import datetime
import hashlib
import io
import json
import random

from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageDraw
from taggit.models import Tag, TaggedItem

from articles.body import opening_paragraphs
from articles.models import Article, Byline, Kind
from publication.models import Author, Creator, Photo, Section, SiteSettings

SECTIONS = ["Europe", "Americas", "Asia", "Middle East", "Africa", "Economics", "Security"]
KINDS = ["Analysis", "News", "Opinion", "Interview", "Review"]


def words(text: str) -> list[str]:
    return text.split()


FIRST = words("Anna Ben Clara David Elif Farid Greta Hugo Ines Jonas Kemal Lena Marta Nadia Omar")
LAST = words("Adler Bauer Costa Duarte Engel Fischer Garcia Haas Ivanova Jensen Klein Lopez Moreau")
PLACES = words(
    "Brussels Kyiv Warsaw Ankara Beijing Taipei Delhi Tehran Cairo Nairobi Lagos Brasília "
    "Caracas Ottawa Canberra Seoul Tokyo Manila Jakarta Riyadh Doha Berlin Paris Rome"
)
THEMES = words(
    "sanctions trade alliance election ceasefire pipeline summit border refugees drones "
    "tariffs debt climate grain nuclear deterrence coalition referendum coup treaty "
    "chips shipping energy aid inflation migration"
)
WORDS = words(
    "the government said its allies would not accept a deal that leaves the question of "
    "security open while diplomats in several capitals argued over how far the new policy "
    "should go and what it would cost voters who already face higher prices for energy and "
    "food after two years of war the opposition called the plan a surrender officials "
    "privately conceded that the numbers did not add up but insisted that time was running "
    "out for a negotiated settlement analysts noted that markets reacted calmly"
)
HEADLINES = [
    "Can {place} hold the {theme} coalition together?",
    "Why {place} is betting on {theme}",
    "The quiet {theme} deal that changed {place}",
    "What the {theme} vote means for {place}",
    "{place} and the limits of {theme}",
    "Inside {place}'s {theme} gamble",
]


class Command(BaseCommand):
    help = (
        "Add a realistic archive for benchmarks: N articles (~1,000-word bodies, 1-3 "
        "bylines, 2-3 topics, lead photos, publish times over years), with bulk inserts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, required=True)
        parser.add_argument("--authors", type=int, default=150)
        parser.add_argument("--topics", type=int, default=300)
        parser.add_argument("--photos", type=int, default=120)
        parser.add_argument(
            "--subscribers",
            type=int,
            default=0,
            help="Also add N newsletter subscribers (the seed_subscribers command).",
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed: same data each run.")

    def handle(self, *args, articles, authors, topics, photos, subscribers, seed, **options):
        for name, value in {"articles": articles, "authors": authors, "topics": topics}.items():
            if value < 1:
                raise CommandError(f"--{name} must be at least 1.")
        # Articles know nothing of the newsletter: subscribers come from its own command.
        if subscribers and "seed_subscribers" not in get_commands():
            raise CommandError("--subscribers needs the newsletter app's seed_subscribers.")
        self.random = random.Random(seed)
        self.now = timezone.now()
        self.new_files = []
        try:
            with transaction.atomic():
                self.seed(articles, authors, topics, max(photos, 1))
        except BaseException:
            for name in self.new_files:
                default_storage.delete(name)
            raise
        # COPY skips Article.save(), which keeps the search vector.
        call_command("reindex_search", verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        if subscribers:
            call_command("seed_subscribers", subscribers, verbosity=options["verbosity"])
        if options["verbosity"]:
            self.stdout.write(f"Added {articles} articles, {authors} authors, {topics} topics.")

    def seed(self, article_count, author_count, topic_count, photo_count):
        SiteSettings.load()
        sections = [self.get_or_create(Section, name, order=i) for i, name in enumerate(SECTIONS)]
        kinds = [self.get_or_create(Kind, name, order=i) for i, name in enumerate(KINDS)]
        run = hashlib.sha1(str(self.now.timestamp()).encode()).hexdigest()[:6]
        creators = self.make_creators(run)
        photos = self.make_photos(run, photo_count, creators)
        authors = Author.objects.bulk_create(
            Author(
                name=f"{self.random.choice(FIRST)} {self.random.choice(LAST)}",
                slug=f"author-{run}-{number}",  # names repeat; slugs may not
                bio=self.sentence(20),
            )
            for number in range(author_count)
        )
        taken = set(Tag.objects.values_list("name", flat=True))
        pairs = [(theme, place) for theme in THEMES for place in PLACES]
        self.random.shuffle(pairs)
        names = [
            f"{theme.title()} in {place}" + (f" ({n // len(pairs) + 1})" if n >= len(pairs) else "")
            for n, (theme, place) in ((n, pairs[n % len(pairs)]) for n in range(topic_count * 2))
        ]
        names = [name for name in names if name not in taken][:topic_count]
        tags = Tag.objects.bulk_create(
            Tag(name=name, slug=f"{slugify(name)}-{run}") for name in names
        )
        self.sentences = [self.sentence(self.random.randint(10, 24)) for _ in range(3000)]
        for start in range(0, article_count, 1000):
            self.make_articles(
                range(start, min(start + 1000, article_count)),
                run,
                sections=sections,
                kinds=kinds,
                photos=photos,
                authors=authors,
                tags=tags,
            )

    def get_or_create(self, model, name, **fields):
        return model.objects.get_or_create(slug=slugify(name), defaults={"name": name, **fields})[0]

    def sentence(self, words: int) -> str:
        text = " ".join(self.random.choices(WORDS, k=words))
        return text[0].upper() + text[1:] + "."

    def make_creators(self, run):
        people = [f"{first} {last}" for first in FIRST[:6] for last in LAST[:4]]
        agencies = ["Agence Nord", "Pacific Wire", "Channel 9", "Meridian Archive"]
        return Creator.objects.bulk_create(
            [
                Creator(name=f"{name} ({run})", slug=slugify(f"{name}-{run}"), kind=kind)
                for names, kind in (
                    (people, Creator.Kind.PERSON),
                    (agencies, Creator.Kind.ORGANISATION),
                )
                for name in names
            ]
        )

    def make_photos(self, run, count, creators):
        people = [c for c in creators if c.kind == Creator.Kind.PERSON]
        agencies = [c for c in creators if c.kind == Creator.Kind.ORGANISATION]
        photos = []
        # Images differ from run to run: the library refuses the same image twice.
        pixels = random.Random(run)
        for number in range(count):
            colour = tuple(pixels.randrange(40, 220) for _ in range(3))
            image = Image.new("RGB", (1200, 800), colour)
            draw = ImageDraw.Draw(image)
            for _ in range(12):
                box = sorted(pixels.randrange(1200) for _ in range(2))
                ys = sorted(pixels.randrange(800) for _ in range(2))
                fill = tuple(pixels.randrange(256) for _ in range(3))
                draw.rectangle([box[0], ys[0], box[1], ys[1]], fill=fill)
            buffer = io.BytesIO()
            image.save(buffer, "JPEG", quality=80)
            data = buffer.getvalue()
            name = default_storage.save(f"photos/bench/{run}-{number}.jpg", io.BytesIO(data))
            self.new_files.append(name)
            photos.append(
                Photo(
                    image=name,
                    width=1200,
                    height=800,
                    image_bytes=len(data),
                    # Most may go into feeds, so feeds carry enclosures as they do live.
                    may_redistribute=number % 4 != 0,
                    alt_text=f"A street in {self.random.choice(PLACES)} during protests",
                    caption=self.sentence(14) if number % 3 else "",
                    creator=self.random.choice(people) if number % 5 else None,
                    source=self.random.choice(agencies) if number % 2 else None,
                    credit_text="" if number % 7 else "Pool photo (handout)",
                    checksum=hashlib.sha256(data).hexdigest(),
                    license_expires_on=(
                        self.now.date() - datetime.timedelta(days=10) if number % 23 == 0 else None
                    ),
                )
            )
        return Photo.objects.bulk_create(photos)

    def make_articles(self, numbers, run, *, sections, kinds, photos, authors, tags):
        rng = self.random
        span = 6 * 365 * 24 * 3600
        rows = []
        body_photos = {}
        for number in numbers:
            headline = rng.choice(HEADLINES).format(
                place=rng.choice(PLACES), theme=rng.choice(THEMES)
            )
            paragraphs = [" ".join(rng.sample(self.sentences, 6)) for _ in range(10)]
            blocks = [f"<p>{text}</p>" for text in paragraphs]
            blocks.insert(4, f"<h2>{self.sentence(5)[:-1]}</h2>")
            blocks.insert(7, f"<blockquote><p>{rng.choice(self.sentences)}</p></blockquote>")
            if number % 6 == 0:
                photo = rng.choice(photos)
                body_photos[number] = photo
                blocks.insert(
                    3,
                    f'<figure class="image"><img src="{photo.image.url}" alt="{photo.alt_text}">'
                    f"<figcaption>{self.sentence(8)}</figcaption></figure>",
                )
            body = "".join(blocks)
            roll = rng.random()
            status = Article.Status.DRAFT if roll < 0.02 else Article.Status.PUBLISHED
            if roll > 0.995:  # a few scheduled in the coming days
                published_at = self.now + datetime.timedelta(hours=rng.randint(1, 96))
            else:
                published_at = self.now - datetime.timedelta(seconds=rng.randrange(60, span))
            rows.append(
                Article(
                    headline=headline,
                    slug=f"{slugify(headline)[:200]}-{run}-{number}",
                    dek=rng.choice(self.sentences),
                    kind=rng.choice(kinds),
                    section=rng.choice(sections),
                    lead_photo=rng.choice(photos) if number % 10 else None,
                    body=body,
                    teaser_paragraphs=opening_paragraphs(body),
                    status=status,
                    published_at=published_at,
                    featured=rng.random() < 0.01,
                )
            )
        created = copy_articles(rows)
        by_number = dict(zip(numbers, created, strict=True))
        Byline.objects.bulk_create(
            Byline(article=article, author=author, role=role, order=order)
            for article in created
            for order, (author, role) in enumerate(self.byline_choices(authors))
        )
        content_type = ContentType.objects.get_for_model(Article)
        TaggedItem.objects.bulk_create(
            TaggedItem(content_type=content_type, object_id=article.pk, tag=tag)
            for article in created
            for tag in rng.sample(tags, min(len(tags), rng.randint(2, 3)))
        )
        Article.body_photos.through.objects.bulk_create(
            Article.body_photos.through(article=by_number[number], photo=photo)
            for number, photo in body_photos.items()
        )
        Article.other_sections.through.objects.bulk_create(
            Article.other_sections.through(article=article, section=rng.choice(sections))
            for article in created
            if rng.random() < 0.05
        )

    def byline_choices(self, authors):
        count = self.random.choices([1, 2, 3], weights=[70, 22, 8])[0]
        chosen = self.random.sample(authors, min(count, len(authors)))
        roles = [Byline.Role.BY] * len(chosen)
        if len(chosen) == 3:
            roles[-1] = Byline.Role.PHOTOS
        return zip(chosen, roles, strict=True)


COPY_FIELDS = [
    "id",
    "headline",
    "slug",
    "dek",
    "kind_id",
    "section_id",
    "lead_photo_id",
    "body",
    "teaser",
    "teaser_paragraphs",
    "status",
    "published_at",
    "featured",
    "created_at",
    "updated_at",
]


def copy_articles(rows: list[Article]) -> list[Article]:
    """Insert with COPY: several times faster than bulk_create for ~7 KB bodies."""
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('articles_article', 'id')) "
            "FROM generate_series(1, %s)",
            [len(rows)],
        )
        for article, (pk,) in zip(rows, cursor.fetchall(), strict=True):
            article.pk = pk
            article.created_at = article.updated_at = now
        columns = ", ".join(COPY_FIELDS)
        with cursor.cursor.copy(f"COPY articles_article ({columns}) FROM STDIN") as copy:
            for article in rows:
                copy.write_row(
                    [
                        json.dumps(article.teaser_paragraphs)
                        if name == "teaser_paragraphs"
                        else getattr(article, name)
                        for name in COPY_FIELDS
                    ]
                )
    for article in rows:
        article._state.adding = False
    return rows
