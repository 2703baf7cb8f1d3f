"""Fill the database fast with a realistic archive for benchmarks and load tests."""

import collections
import dataclasses
import datetime
import hashlib
import io
import json
import random
from concurrent.futures import ThreadPoolExecutor

import psycopg
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageDraw
from taggit.models import Tag, TaggedItem

from articles import search
from articles.body import opening_paragraphs
from articles.models import Article, BodyPhoto, Byline, Kind
from publication.models import Author, Creator, Photo, Section, SiteSettings
from publication.page_cache import bump_content_version

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
        bump_content_version()
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
        ids = next_ids(Article, article_count)
        topic_type = ContentType.objects.get_for_model(Article).pk
        with ArticleWriter(connection) as writer:
            for start in range(0, article_count, BATCH):
                writer.send(
                    self.make_articles(
                        range(start, min(start + BATCH, article_count)),
                        ids,
                        run,
                        topic_type=topic_type,
                        sections=sections,
                        kinds=kinds,
                        photos=photos,
                        authors=authors,
                        tags=tags,
                    )
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

    def make_articles(
        self, numbers, ids, run, *, topic_type, sections, kinds, photos, authors, tags
    ):
        """One batch of articles and their rows, as Batch columns; nothing is written yet."""
        rng = self.random
        span = 6 * 365 * 24 * 3600
        batch = Batch()
        for number in numbers:
            pk = ids[number]
            headline = rng.choice(HEADLINES).format(
                place=rng.choice(PLACES), theme=rng.choice(THEMES)
            )
            chosen = rng.choices(self.sentences, k=60)
            blocks = [f"<p>{' '.join(chosen[i : i + 6])}</p>" for i in range(0, 60, 6)]
            blocks.insert(4, f"<h2>{self.sentence(5)[:-1]}</h2>")
            blocks.insert(7, f"<blockquote><p>{rng.choice(self.sentences)}</p></blockquote>")
            if number % 6 == 0:
                photo = rng.choice(photos)
                batch.body_photos.append((pk, photo.pk))
                blocks.insert(
                    3,
                    f'<figure class="image"><img src="{photo.image.url}" alt="{photo.alt_text}">'
                    f"<figcaption>{self.sentence(8)}</figcaption></figure>",
                )
            body = "".join(blocks)
            dek = rng.choice(self.sentences)
            roll = rng.random()
            status = Article.Status.DRAFT if roll < 0.02 else Article.Status.PUBLISHED
            if roll > 0.995:  # a few scheduled in the coming days
                published_at = self.now + datetime.timedelta(hours=rng.randint(1, 96))
            else:
                published_at = self.now - datetime.timedelta(seconds=rng.randrange(60, span))
            byline = list(self.byline_choices(authors))
            batch.bylines += [
                (pk, author.pk, role, order) for order, (author, role) in enumerate(byline)
            ]
            batch.topics += [
                (topic_type, pk, tag.pk)
                for tag in rng.sample(tags, min(len(tags), rng.randint(2, 3)))
            ]
            if rng.random() < 0.05:
                batch.other_sections.append((pk, rng.choice(sections).pk))
            batch.add_article(
                id=pk,
                headline=headline,
                slug=f"{slugify(headline)[:200]}-{run}-{number}",
                dek=dek,
                kind=rng.choice(kinds).pk,
                section=rng.choice(sections).pk,
                lead_photo=rng.choice(photos).pk if number % 10 else None,
                body=body,
                teaser="",
                teaser_paragraphs=json.dumps(opening_paragraphs(body)),
                status=status,
                published_at=published_at,
                featured=rng.random() < 0.01,
                created_at=self.now,
                updated_at=self.now,
                # What save() indexes; PostgreSQL makes the vectors from it in the insert.
                texts=search.weighted_texts(
                    headline=headline,
                    dek=dek,
                    author_names=[author.name for author, _ in byline],
                    body=body,
                ),
            )
        return batch

    def byline_choices(self, authors):
        count = self.random.choices([1, 2, 3], weights=[70, 22, 8])[0]
        chosen = self.random.sample(authors, min(count, len(authors)))
        roles = [Byline.Role.BY] * len(chosen)
        if len(chosen) == 3:
            roles[-1] = Byline.Role.PHOTOS
        return zip(chosen, roles, strict=True)


BATCH = 1000  # articles per INSERT

# The article columns the seeder fills (ids reserved first, so bylines can point to them);
# the rest keep their defaults, and the search vectors are made in the insert.
ARTICLE_FIELDS = [
    "id",
    "headline",
    "slug",
    "dek",
    "kind",
    "section",
    "lead_photo",
    "body",
    "teaser",
    "teaser_paragraphs",
    "status",
    "published_at",
    "featured",
    "created_at",
    "updated_at",
]


def next_ids(model, count: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


@dataclasses.dataclass
class Batch:
    """Some articles as columns (one list per article field), the three texts each one's
    search vectors weigh, and their related rows as tuples."""

    articles: dict = dataclasses.field(
        default_factory=lambda: {name: [] for name in ARTICLE_FIELDS}
    )
    texts: tuple = dataclasses.field(default_factory=lambda: ([], [], [], []))
    bylines: list = dataclasses.field(default_factory=list)
    topics: list = dataclasses.field(default_factory=list)
    body_photos: list = dataclasses.field(default_factory=list)
    other_sections: list = dataclasses.field(default_factory=list)

    def add_article(self, *, texts, **fields):
        for column, text in zip(self.texts, texts, strict=True):
            column.append(text)
        for name, value in fields.items():
            self.articles[name].append(value)


class ArticleWriter:
    """Writes batches of articles in a pipeline, while Python builds the next batch.

    Each batch's search vectors are made by search.vectors_sql() on a second connection
    (no tables, outside the seed's transaction), then the seed's connection writes the
    related rows with COPY and the articles in one INSERT from arrays, the vectors passed
    back in their text form, which casts to the same tsvector.
    to_tsvector on ~1,000-word bodies is most of PostgreSQL's work (~1 ms an article);
    with two backends and Python, the three stages share both cores.

    Before, rows went in first and their vectors in a second UPDATE, which wrote every row
    and index entry twice: seeding 20,000 articles took 78 s, most of it in that UPDATE.
    """

    def __init__(self, connection):
        # The raw psycopg connections, usable from the threads: the seed's transaction, and
        # the settings for a second one.
        self.db = connection.connection
        self.params = connection.get_connection_params()
        quote = connection.ops.quote_name
        self.copies = {
            "bylines": copy_sql(Byline, ["article", "author", "role", "order"], quote),
            "topics": copy_sql(TaggedItem, ["content_type", "object_id", "tag"], quote),
            "body_photos": copy_sql(BodyPhoto, ["article", "photo"], quote),
            "other_sections": copy_sql(
                Article.other_sections.through, ["article", "section"], quote
            ),
        }
        head, vector = search.vectors_sql("a", "b", "c", "d")
        self.make_vectors_sql = (
            f"SELECT {head}, {vector} FROM unnest(%b::text[], %b::text[], %b::text[], %b::text[]) "
            "WITH ORDINALITY AS texts (a, b, c, d, n) ORDER BY n"
        )
        fields = [Article._meta.get_field(name) for name in ARTICLE_FIELDS]
        columns = ", ".join(quote(field.column) for field in fields)
        arrays = ", ".join(f"%b::{field.db_type(connection)}[]" for field in fields)
        self.insert_sql = (
            f"INSERT INTO {quote(Article._meta.db_table)} ({columns}, search_head, search_vector) "
            f"SELECT {columns}, head::tsvector, vector::tsvector "
            f"FROM unnest({arrays}, %b::text[], %b::text[]) AS new ({columns}, head, vector)"
        )

    def __enter__(self):
        self.vectors_db = psycopg.connect(**self.params, autocommit=True)
        self.vector_thread = ThreadPoolExecutor(max_workers=1)
        self.insert_thread = ThreadPoolExecutor(max_workers=1)
        self.inserts = collections.deque()
        return self

    def send(self, batch: Batch) -> None:
        vectors = self.vector_thread.submit(self.make_vectors, batch)
        self.inserts.append(self.insert_thread.submit(self.insert, batch, vectors))
        if len(self.inserts) > 2:  # at most three batches in memory
            self.inserts.popleft().result()

    def __exit__(self, error_type, error, traceback):
        try:
            while self.inserts and error_type is None:
                self.inserts.popleft().result()
        finally:
            for thread in (self.vector_thread, self.insert_thread):
                thread.shutdown(cancel_futures=True)
            self.vectors_db.close()

    def make_vectors(self, batch: Batch) -> list[tuple[str, str]]:
        # Server-side binding cursors: each column goes as one binary array, unescaped.
        with psycopg.Cursor(self.vectors_db) as cursor:
            cursor.execute(self.make_vectors_sql, batch.texts)
            return cursor.fetchall()

    def insert(self, batch: Batch, vectors) -> None:
        vectors = vectors.result()
        heads, full = [head for head, _ in vectors], [vector for _, vector in vectors]
        with psycopg.Cursor(self.db) as cursor:
            for name, sql in self.copies.items():
                with cursor.copy(sql) as copy:
                    for row in getattr(batch, name):
                        copy.write_row(row)
            cursor.execute(self.insert_sql, [*batch.articles.values(), heads, full])


def copy_sql(model, names: list[str], quote) -> str:
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in names)
    return f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
