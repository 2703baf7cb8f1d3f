"""The demo magazine's content, read by `articles.demo.loader` (`manage.py load_demo`).

Every person, quote, institute and web address here is invented; `.example`
domains never resolve. Bodies use a small plain-text notation that load_demo
turns into the HTML CKEditor 5 writes: paragraphs separated by blank lines,
"## " for a subheading, "> " for a quotation, and "[[figure:<photo>|<caption>]]"
for an image placed in the text. Inline HTML (links, emphasis) is written as is.
Photos are keyed by their alt text, so keep each one unique.
"""

SITE = {
    "name": "The Meridian",
    "tagline": "Foreign policy, read closely",
    "newsletter_blurb": (
        "Subscribe to The Meridian Weekly, our Friday round-up of the best analysis from "
        "our contributors, reporters and staff: the stories behind the week's foreign-policy "
        "news, in one email you can read over coffee. No spam, ever."
    ),
    "nav_topics": ["Trump transition", "Black Sea security"],
}

SOCIAL_LINKS = [
    ("Bluesky", "https://bsky.app/profile/themeridian.example"),
    ("Mastodon", "https://social.example/@themeridian"),
    ("YouTube", "https://video.example/@themeridian"),
    ("LinkedIn", "https://www.linkedin.com/company/the-meridian-example/"),
]

SECTIONS = [
    {
        "slug": "global-crises",
        "name": "Global Crises",
        "description": "Wars, ceasefires, sanctions and humanitarian emergencies, and the "
        "diplomacy that tries to contain them.",
    },
    {
        "slug": "europe",
        "name": "Europe",
        "description": "European security, enlargement and the EU's foreign policy machinery.",
    },
    {
        "slug": "asia-pacific",
        "name": "Asia-Pacific",
        "description": "Maritime disputes, alliances and the region's middle powers.",
    },
    {
        "slug": "qiosk",
        "name": "QiOSK",
        "description": "Short news from our desks, to read in a minute.",
    },
]

KINDS = [
    ("analysis", "Analysis"),
    ("news", "News"),
    ("opinion", "Opinion"),
    ("interview", "Interview"),
]

# Who made or supplied the images.
CREATORS = [
    {"slug": "lena-marsh", "name": "Lena Marsh", "kind": "person"},
    {"slug": "tomasz-wierzba", "name": "Tomasz Wierzba", "kind": "person"},
    # The staff photographer also writes (AUTHORS): one person, so the credit is linked.
    {"slug": "amara-osei", "name": "Amara Osei", "kind": "person", "author": "amara-osei"},
    {"slug": "kenji-arai", "name": "Kenji Arai", "kind": "person"},
    {"slug": "emil-rask", "name": "Emil Rask", "kind": "person"},
    {"slug": "hana-sato", "name": "Hana Sato", "kind": "person"},
    {
        "slug": "stockfoto-example",
        "name": "stockfoto.example",
        "kind": "organisation",
        "website": "https://stockfoto.example",
    },
    {
        "slug": "northlight-images",
        "name": "Northlight Images",
        "kind": "organisation",
        "website": "https://northlight-images.example",
    },
    {
        "slug": "danube-tv",
        "name": "Danube TV",
        "kind": "organisation",
        "website": "https://danube-tv.example",
    },
    {
        "slug": "video-example-straitwatch",
        "name": "video.example/@straitwatch",
        "kind": "organisation",
        "website": "https://video.example/@straitwatch",
    },
    {
        "slug": "council-of-ministers-press-office",
        "name": "Council of Ministers Press Office",
        "kind": "organisation",
        "website": "https://press.government.example",
    },
]

# Images, drawn by `drawing.py`: "scene" picks the drawing, "palette" its light.
# License_expires_in_days is counted from the day the photo is created; past licences
# withdraw the photo from public pages.
PHOTOS = {
    "convoy": {
        "scene": "sea",
        "palette": "dawn",
        "alt_text": "Two bulk carriers and a small grey patrol ship sailing in line on a calm "
        "sea at dawn, the sun low on the horizon",
        "creator": "lena-marsh",
        "source": "stockfoto-example",
        "license_url": "https://stockfoto.example/licences/editorial",
        "license_reference": "SF-1068582437",
        "license_page_url": "https://stockfoto.example/photos/SF-1068582437/license",
        "license_expires_in_days": 20,
    },
    "pilot_boat": {
        "scene": "sea",
        "palette": "overcast",
        "alt_text": "A small pilot boat heading out to sea under a low grey sky, with a "
        "cargo ship waiting offshore",
        "caption": "Pilot boats meet arriving ships outside the port.",
        "creator": "amara-osei",
        "may_redistribute": True,
    },
    "screenshot": {
        "scene": "screen",
        "palette": "studio",
        "alt_text": "Mirela Dobre speaking at a lectern in a television studio, with a news "
        "ticker running along the bottom of the frame",
        "source": "danube-tv",
        "credit_type": "screenshot",
        "credit_text": "Mirela Dobre (Danube TV screenshot)",
    },
    "video_still": {
        "scene": "sea",
        "palette": "dusk",
        "alt_text": "A coast guard patrol boat crossing a strait at dusk, seen from above, "
        "its wake trailing behind it",
        "source": "video-example-straitwatch",
        "credit_type": "video_still",
        "license_url": "https://video.example/@straitwatch/about",
    },
    "two_negotiators": {
        "scene": "diptych",
        "palette": "studio",
        "alt_text": "Ilse Vandermeer, left, and Rafael Ortiz, right, in two portraits "
        "placed side by side",
        "credit_text": "Ilse Vandermeer (stockfoto.example/Pieter Claes) and Rafael Ortiz "
        "(stockfoto.example/Nadia Haddad)",
        "license_url": "https://stockfoto.example/licences/editorial",
        "license_reference": "SF-2210448712, SF-2210451093",
    },
    "handout": {
        "scene": "hall",
        "palette": "warm",
        "alt_text": "Delegations seated on both sides of a long table beneath chandeliers, "
        "with flags at the far end of the hall",
        "source": "council-of-ministers-press-office",
        "credit_type": "handout",
        "license_url": "https://press.government.example/media/terms",
        "may_redistribute": True,
    },
    "file_photo": {
        "scene": "city",
        "palette": "night",
        "alt_text": "The lit skyline of a Baltic harbour city at night, reflected in the "
        "still water of the bay",
        "creator": "tomasz-wierzba",
        "source": "northlight-images",
        "credit_type": "file_photo",
        "license_url": "https://northlight-images.example/licensing",
        "license_reference": "NL-2291-0457",
        "license_page_url": "https://northlight-images.example/licensing/NL-2291-0457",
        "license_expires_in_days": 365,
    },
    "illustration": {
        "scene": "map",
        "palette": "chart",
        "alt_text": "Illustration: a stylised sea chart with dotted shipping lanes converging "
        "on a narrow strait between two coastlines",
        "creator": "hana-sato",
        "credit_type": "photo_illustration",
        "may_redistribute": True,
    },
    "flags": {
        "scene": "flags",
        "palette": "dusk",
        "alt_text": "A row of national flags on tall poles against an evening sky",
    },
    "camp": {
        "scene": "camp",
        "palette": "steppe",
        "alt_text": "Rows of white tents at a camp on a dusty plain, with hills behind",
        "caption": "Agencies say fuel for heating is the first item to run short.",
        "creator": "amara-osei",
        "may_redistribute": True,
    },
    "port": {
        "scene": "port",
        "palette": "overcast",
        "alt_text": "Gantry cranes above stacks of shipping containers at a port on an "
        "overcast day",
        "creator": "tomasz-wierzba",
        "source": "northlight-images",
        "license_url": "https://northlight-images.example/licensing",
        "license_reference": "NL-3307-1182",
        "license_page_url": "https://northlight-images.example/licensing/NL-3307-1182",
    },
    "pipeline": {
        "scene": "pipeline",
        "palette": "day",
        "alt_text": "A gas pipeline on concrete supports running straight across flat "
        "farmland towards the horizon",
        "creator": "lena-marsh",
        "source": "stockfoto-example",
        "license_url": "https://stockfoto.example/licences/editorial",
        "license_reference": "SF-1873306620",
        "license_page_url": "https://stockfoto.example/photos/SF-1873306620/license",
    },
    "parliament": {
        "scene": "city",
        "palette": "dusk",
        "alt_text": "Government buildings along a river at dusk, their windows lit",
        "creator": "amara-osei",
        "may_redistribute": True,
    },
    "skyline": {
        "scene": "city",
        "palette": "day",
        "alt_text": "A dense skyline of office towers seen across a wide river on a clear morning",
        "creator": "lena-marsh",
        "source": "stockfoto-example",
        "license_url": "https://stockfoto.example/licences/editorial",
        "license_reference": "SF-1990217345",
        "license_page_url": "https://stockfoto.example/photos/SF-1990217345/license",
    },
    "islands": {
        "scene": "islands",
        "palette": "tropic",
        "alt_text": "Small green islands fringed by white beaches in a turquoise sea",
        "creator": "kenji-arai",
        "source": "stockfoto-example",
        "license_url": "https://stockfoto.example/licences/editorial",
        "license_reference": "SF-1554038821",
        "license_page_url": "https://stockfoto.example/photos/SF-1554038821/license",
        "may_redistribute": True,
    },
    "border": {
        "scene": "checkpoint",
        "palette": "snow",
        "alt_text": "A queue of lorries on a straight road leading to a border checkpoint "
        "on a snowy plain",
        "creator": "emil-rask",
        "source": "northlight-images",
        "license_url": "https://northlight-images.example/licensing",
        "license_reference": "NL-3412-0096",
        "license_page_url": "https://northlight-images.example/licensing/NL-3412-0096",
    },
    "mountains": {
        "scene": "mountains",
        "palette": "day",
        "alt_text": "Lorries on a winding road below snow-capped mountains",
        "creator": "amara-osei",
        "may_redistribute": True,
        # Expired: the short news item it led shows no picture (Photo.is_withdrawn), and the
        # photo admin's "Licence expired" filter has something to show.
        "license_expires_in_days": -12,
    },
    "portrait_clara": {
        "scene": "portrait",
        "palette": "studio",
        "size": (900, 900),
        "drawing": {"skin": 0},
        "alt_text": "Portrait of Clara Weiss",
        "creator": "emil-rask",
    },
    "portrait_daniel": {
        "scene": "portrait",
        "palette": "warm",
        "size": (900, 900),
        "drawing": {"skin": 4},
        "alt_text": "Portrait of Daniel Okafor",
        "creator": "amara-osei",
    },
}

AUTHORS = [
    {
        "slug": "clara-weiss",
        "name": "Clara Weiss",
        "bio": "Europe editor, based in Berlin. She covers European security, enlargement and "
        "the EU's foreign policy machinery.",
        "photo": "portrait_clara",
        "links": [
            ("Bluesky", "https://bsky.app/profile/claraweiss.example"),
            ("Website", "https://claraweiss.example"),
        ],
    },
    {
        "slug": "daniel-okafor",
        "name": "Daniel Okafor",
        "bio": "Senior editor for global crises. He reported from East and West Africa for a "
        "decade before joining The Meridian.",
        "photo": "portrait_daniel",
        "links": [("Website", "https://danielokafor.example")],
    },
    {
        "slug": "mei-lin-tan",
        "name": "Mei Lin Tan",
        "bio": "Asia-Pacific correspondent in Singapore, writing on maritime disputes and the "
        "region's middle powers.",
        "links": [("Mastodon", "https://social.example/@meilintan")],
    },
    {
        "slug": "jonas-lindqvist",
        "name": "Jonas Lindqvist",
        "bio": "Nordic and Baltic reporter, and editor of QiOSK, our short-news desk.",
    },
    {
        "slug": "sofia-marchetti",
        "name": "Sofia Marchetti",
        "bio": "Contributing writer. A former diplomat, she served on mediation teams in "
        "Vienna and Geneva.",
        "links": [("Website", "https://sofiamarchetti.example")],
    },
    {
        "slug": "ruben-akopyan",
        "name": "Ruben Akopyan",
        "bio": "Reporter covering the South Caucasus and the Black Sea from Tbilisi.",
    },
    {
        "slug": "amara-osei",
        "name": "Amara Osei",
        "bio": "Staff photographer.",
        "links": [("Portfolio", "https://amaraosei.example")],
    },
]

# "age" is how long before the load the article was published, as
# (days, hours, minutes). Status is "published" unless given. A headline over 60
# characters has a shorter "seo_title" for search results (the checks ask for one).
ARTICLES = [
    {
        "slug": "can-europe-keep-black-sea-shipping-safe-without-washingtons-help",
        "headline": "Can Europe keep Black Sea shipping safe without Washington's help?",
        "seo_title": "Can Europe keep Black Sea shipping safe without the US?",
        "dek": "Navies, insurers and port authorities have stitched together a system that "
        "keeps grain ships moving. It rests on American eyes in the sky, and European "
        "capitals have not planned for the day those eyes look elsewhere.",
        "kind": "analysis",
        "section": "global-crises",
        "other_sections": ["europe"],
        "bylines": [("clara-weiss", "by"), ("ruben-akopyan", "by")],
        "lead_photo": "convoy",
        "tags": ["Black Sea security", "Trump transition"],
        "featured": True,
        "age": (0, 5, 10),
        "body": """
For most of the past two years, the bulk carriers leaving the western Black Sea have sailed on
a habit rather than a treaty. No single government guarantees their passage. A patchwork of
coastal patrols, war-risk insurance backed by public money and quiet coordination between port
authorities has kept grain moving through waters that remain, by any honest definition, a war
zone.

The patchwork has worked better than almost anyone predicted. Freight rates on the route have
drifted back toward their pre-war range, and calls at the region's grain terminals have
recovered to levels that traders once dismissed as optimistic. Yet the arrangement rests on an
assumption that European officials rarely say aloud: that the United States will keep
supplying the surveillance flights, the intelligence and the political cover that make the
rest possible.

As Washington reorders its priorities, that assumption deserves a harder look. The question is
not whether Europe <em>wants</em> to carry the load on its own. It is whether it
<em>can</em>, and how quickly.

## A corridor nobody designed

The route was never planned as a single project. It grew out of emergency measures:
mine-clearance divers from the coastal states' navies, a reinsurance facility set up when
private underwriters walked away, and a shared picture of traffic pieced together from
commercial satellite data and military radar. Each piece was improvised; together they became
infrastructure.

"It is less a corridor than a set of good habits," says Anca Petrescu, who studies maritime
security at the Institute for Littoral Studies in Constanța. "Every participant does slightly
more than it is obliged to. The habits hold as long as nobody stops."

That informality is both a strength and a weakness. It allowed the system to form without
months of negotiation, and it spares governments from signing commitments that would be hard
to defend at home. But it also means that no one is formally responsible when a link fails,
and the link most likely to fail is the one Europe does not control.

[[figure:pilot_boat|A pilot boat leaves harbour at first light. Port authorities now share
arrival schedules with neighbouring navies every morning.]]

## What Washington actually provides

American warships rarely enter the Black Sea, and the United States contributes little to the
corridor's visible machinery. Its role is quieter. Long-endurance drones and maritime patrol
aircraft flying from bases around the region produce much of the surveillance picture on which
insurers and navies rely.
<a href="https://research.example/black-sea-shipping-review">A review published this
autumn</a> by a consortium of European think tanks estimated that American sensors account for
<strong>more than half</strong> of the persistent coverage over the western Black Sea.

That picture matters to underwriters as much as to admirals. War-risk premiums are priced on
the probability of loss, and the probability of loss falls when someone is watching. "If the
coverage thins, premiums rise within a week," says a London-based marine insurance broker who
asked not to be named because his firm's clients include the state-backed facility. "Nobody
will announce that the corridor has become less safe. The price will say it for them."

## What Europe could replace, and what it could not

European governments are not starting from nothing. Several already fly maritime patrol
aircraft, and a handful operate drones capable of the long missions the task demands. The
European Union's own
<a href="https://maritime-surveillance.example/programme">maritime surveillance
programme</a> could, in principle, pool commercial satellite imagery at a scale no single
state can afford.

The gaps are elsewhere. The first is endurance: Europe has the aircraft, but not enough of them
to keep one on station around the clock without drawing down commitments in the Baltic and the
Mediterranean. The second is fusion, the unglamorous work of combining radar tracks, satellite
images and ships' transponder signals into a single picture that a naval officer and an
insurance underwriter both trust. The third is political. A European mission would need a
mandate, a lead nation and a budget line, and each of those invites exactly the kind of debate
the current arrangement was designed to avoid.

> "Europe owns the ports, the insurance and most of the ships. What it does not yet own is the
picture of the sea." Anca Petrescu, Institute for Littoral Studies

## The insurance question

If one decision would signal that Europe is serious, analysts say, it is the future of the
reinsurance facility. The scheme was set up as a temporary measure, and its renewal is
negotiated in short increments that leave shipowners guessing. Turning it into a multi-year
instrument, backed by several governments rather than one, would cost little compared with a
naval mission and would reassure the market more than any communiqué.

Some of that work has already begun, without fanfare. Two coastal states now share radar data
directly with each other's port authorities, and a group of shipowners has proposed paying for
extra commercial satellite passes through a small levy on each voyage. Neither step replaces an
aircraft on station, but both reduce how much the system depends on any single contributor.
"Redundancy is boring until the day you need it," Ms Petrescu says.

There is precedent. During earlier crises in the Gulf, European states underwrote shipping
risks that private markets would not touch, and the schemes were wound down once conditions
improved. The difference now is duration. "Temporary" has already lasted longer than many of
the ships' charters.

## Three things to watch

First, whether European defence ministers commit aircraft to a standing rotation rather than
to flights arranged week by week. Second, whether the reinsurance facility is renewed for years
rather than months. Third, and most telling, whether the coastal states ask Brussels to
coordinate the effort, or continue to prefer bilateral arrangements with Washington.

None of these would make headlines on its own. Together, they would tell shipowners whether
the corridor has a future that does not depend on decisions taken an ocean away. For now, the
ships keep sailing, and the people who insure them keep watching the sky.
""",
    },
    {
        "slug": "aid-agencies-warn-of-a-funding-cliff-as-winter-appeals-open",
        "headline": "Aid agencies warn of a funding cliff as winter appeals open",
        "dek": "Humanitarian budgets are shrinking just as needs peak. Agencies are already "
        "deciding which camps to supply first.",
        "kind": "news",
        "section": "global-crises",
        "bylines": [("daniel-okafor", "by"), ("amara-osei", "photos")],
        "lead_photo": "camp",
        "tags": ["Humanitarian aid"],
        "age": (2, 3, 40),
        "body": """
Humanitarian agencies opened their winter appeals this week with a warning that has become
familiar but no less stark: the money pledged so far covers <strong>less than a third</strong>
of what they say they need to keep existing programmes running until spring.

The shortfall is not evenly spread. Appeals for crises that stay in the news are close to their
targets, while long-running displacement crises receive a fraction of what they ask for. "We
are being asked to run a hospital on the budget of a clinic," said Grace Mwangi, who
coordinates logistics for a consortium of relief groups.

## Triage before the snow

Several agencies have begun what staff privately call pre-emptive triage: deciding now which
camps will receive fuel and winter kits first, so that supplies are not spread too thin to
matter. Others are shortening food rations to stretch stocks into the new year.

Donor governments point to pressures at home. Several have cut aid budgets to pay for higher
defence spending, a trade-off
<a href="https://aid-monitor.example/donor-tracker">tracked by independent monitors</a> since
last year.

> "Every winter we say this is the hardest one. This time the numbers agree with us."
Grace Mwangi

Agencies will publish updated figures at a donor conference next month. Until then, they say,
<em>the cheapest help is the help that arrives before the first frost</em>.
""",
    },
    {
        "slug": "the-ceasefire-industry-needs-fewer-summits-and-more-monitors",
        "headline": "The ceasefire industry needs fewer summits and more monitors",
        "dek": "Signing a truce has become the easy part of peacemaking. Verifying it is where "
        "agreements go to die, and where the money is thinnest.",
        "kind": "opinion",
        "section": "global-crises",
        "bylines": [("sofia-marchetti", "by")],
        "lead_photo": "handout",
        "tags": ["Ceasefire diplomacy"],
        "age": (14, 6, 15),
        "body": """
I have sat through enough signing ceremonies to know their choreography by heart: the long
table, the flags arranged by protocol, the photographs released by a government press office
before the ink is dry. What I rarely saw was a budget for what came next.

Ceasefires fail for many reasons, but the most common is also the most mundane. Nobody is paid
to watch them. A truce without monitors is a statement of intent; each side accuses the other
of violations, and with no neutral record, the accusations become the story.

## The unglamorous work

Monitoring missions are expensive, slow to deploy and politically awkward. They need people
who can read a crater, drones that can fly at night and a mandate that lets them go where the
fighting was. The <a href="https://peace-operations.example/monitoring">best of them</a>
publish daily reports that are dull to read and invaluable to anyone trying to keep a peace.

Governments prefer summits because summits produce pictures. I would propose a simple rule to
any foreign ministry hosting the next round of talks: <strong>for every euro spent on the
conference, commit ten to verification</strong>.

> A ceasefire is a promise made in public. Monitors are how the public finds out whether it
was kept.

It would make for fewer photographs. It might make for more ceasefires that last.
""",
    },
    {
        "slug": "sanctions-fatigue-is-real-evasion-is-the-bigger-problem",
        "headline": "Sanctions fatigue is real. Evasion is the bigger problem.",
        "dek": "Western governments keep adding names to their lists. The harder work of "
        "closing the routes around them gets far less attention.",
        "kind": "analysis",
        "section": "global-crises",
        "bylines": [("daniel-okafor", "by")],
        "lead_photo": "port",
        "tags": ["Sanctions"],
        "age": (6, 1, 5),
        "body": """
Each new package of sanctions arrives with a number attached: so many individuals, so many
companies, so many vessels added to the lists. The numbers are meant to show resolve.
Increasingly, they also show how much of the effort goes into naming rather than enforcing.

Trade data tell the story. Exports of dual-use goods from Europe to several neighbouring
countries have <a href="https://trade-observatory.example/dual-use-flows">risen sharply</a>
since the first restrictions took effect, in patterns that customs officials say are hard to
explain by local demand alone.

## Where goods slip through

The routes are rarely secret. Goods are sold to a trading company in a third country,
re-invoiced and shipped onward, often within weeks. Enforcement depends on customs officers
with the time and the mandate to ask where a shipment of machine parts is really going, and on
prosecutors willing to bring cases that take years.

"We have built a very good system for naming people," says Lukas Brenner, a former customs
investigator who now advises companies on compliance. "We have built a much weaker one for
stopping things."

Some governments are shifting their effort. Measures aimed at the intermediaries, rather than
the end users, have produced <em>measurable</em> drops in suspicious trade on some routes. But
they carry diplomatic costs with partners who resent being told whom they may trade with.

The next test comes when the lists are reviewed early next year. A shorter list, better
enforced, would be a harder sell in a press release. It might also be the more effective
policy.
""",
    },
    {
        "slug": "the-baltic-states-are-writing-their-own-security-manual",
        "headline": "The Baltic states are writing their own security manual",
        "dek": "Estonia, Latvia and Lithuania no longer wait for consensus in larger capitals. "
        "Their playbook, from undersea cables to civil defence, is being copied across the "
        "region.",
        "kind": "analysis",
        "section": "europe",
        "bylines": [("jonas-lindqvist", "by")],
        "lead_photo": "file_photo",
        "tags": ["Baltic Sea", "Trump transition"],
        "featured": True,
        "age": (5, 2, 30),
        "body": """
When a data cable on the Baltic seabed fails, the first calls now go not to Brussels but to a
small coordination cell that the three Baltic states run with their Nordic neighbours. Within
hours, patrol boats are checking the ships that passed over the cable's route; within days,
the findings are shared with allies.

That speed is the point. Officials in the region say they have stopped waiting for consensus in
larger capitals before acting, and have instead written their own manual for the threats they
face most often: <em>sabotage</em> of infrastructure, disinformation campaigns and pressure on
their borders.

## From cables to cellars

The manual is less a document than a set of practices. Lithuania sends a civil defence guide
to every household. Estonia trains volunteers to keep local power and water running during
outages. Latvia has tightened checks on vessels that loiter near pipelines and cables.
<a href="https://baltic-preparedness.example/review">A regional preparedness review</a> found
that all three now rehearse crisis scenarios together twice a year.

"We are small, so we cannot afford to be slow," says Kaarel Tamm, who advises the Estonian
government on resilience. "Our allies are big, so they can afford to be patient. That
difference used to frustrate us. Now we simply plan around it."

## Lessons for larger neighbours

Finland and Sweden have adopted several of the Baltic practices, and officials in Poland and
Germany have studied them closely. The shift matters as allies weigh how far they can rely on
Washington's attention in a period of transition. For the Baltic states, the answer has been to
rely first on themselves, and then on each other.

The approach has limits. The three navies are small, and watching the seabed is expensive. But
as a model of how smaller states can act without waiting for permission, the Baltic manual is
already being read <strong>well beyond the region</strong>.
""",
    },
    {
        "slug": "enlargement-talks-stall-over-a-single-chapter-on-the-rule-of-law",
        "headline": "Enlargement talks stall over a single chapter on the rule of law",
        "seo_title": "EU enlargement talks stall over the rule of law",
        "dek": "Negotiators had hoped to close three chapters before the end of the year. One "
        "dispute over judicial appointments has frozen all of them.",
        "kind": "news",
        "section": "europe",
        "bylines": [("clara-weiss", "by"), ("jonas-lindqvist", "reporting")],
        "lead_photo": "two_negotiators",
        "tags": ["EU enlargement"],
        "age": (1, 6, 20),
        "body": """
Talks on the next stage of the European Union's enlargement stalled on Tuesday after
negotiators failed to agree on the wording of a single chapter on judicial independence,
officials involved in the process said.

The dispute pits Ilse Vandermeer, who leads the talks for the European Commission, against
Rafael Ortiz, the European Parliament's rapporteur on the file, who argues that the draft text
leaves too much room for political appointments to senior courts.

## One chapter, three delays

No chapter can be closed until every member state agrees, and several governments have tied
their approval of other chapters to this one. Negotiators had hoped to close three chapters
before the end of the year; all three are now on hold.

"Nobody disputes the goal," Ms Vandermeer told reporters in Brussels. "We disagree on how to
write it down so that it still means something in ten years." Mr Ortiz said the Parliament
would <em>not sign off on a promise that can be quietly withdrawn</em>.

Diplomats expect the issue to return at a meeting of European affairs ministers next month. The
<a href="https://enlargement-tracker.example/chapters">public chapter tracker</a> kept by a
Brussels research group now lists the file as <strong>open, contested</strong>.
""",
    },
    {
        "slug": "we-plan-for-the-winter-we-fear-not-the-one-we-expect",
        "headline": "“We plan for the winter we fear, not the one we expect”",
        "dek": "Marta Nowicka, who oversees supply security for a Central European gas "
        "network, on storage, solidarity and why a mild forecast changes little.",
        "kind": "interview",
        "section": "europe",
        "bylines": [("clara-weiss", "by")],
        "lead_photo": "pipeline",
        "tags": ["Energy security"],
        "age": (8, 4, 0),
        "body": """
<em>Europe's gas storage sites entered the autumn close to full. Marta Nowicka, who oversees
supply security for a Central European network operator, explains why her team still rehearses
the worst case. The interview has been edited for length.</em>

<strong>Storage is nearly full and the forecast is mild. Why worry?</strong>

Because storage is a buffer, not a supply. Full tanks cover a normal winter. They do not cover
a cold February combined with an outage on a key pipeline, and that is the scenario we are paid
to plan for. We plan for the winter we fear, not the one we expect.

<strong>What has changed since the last crisis?</strong>

Mostly the plumbing. There are more connections between national networks, so gas can flow
east as well as west. And there are agreements that oblige neighbours to share in an
emergency. A few years ago those were
<a href="https://energy-solidarity.example/agreements">mostly on paper</a>. Now we test them.

## Solidarity, tested

<strong>Do those agreements hold under pressure?</strong>

They held during our last exercise, which simulated a two-week outage in mid-winter. The
difficult part was not the gas. It was the paperwork: who pays, at what price, and who decides
when the emergency is over.

<strong>What would you ask of governments?</strong>

Agree the prices in advance. In a crisis, every hour spent negotiating is an hour of pressure
lost in the pipes.
""",
    },
    {
        "slug": "europes-defence-spending-debate-is-stuck-on-the-wrong-number",
        "headline": "Europe's defence spending debate is stuck on the wrong number",
        "seo_title": "Europe's defence debate is stuck on the wrong number",
        "dek": "Arguing over percentages of GDP tells voters little about what their armed "
        "forces can do. Europe should budget for capabilities instead.",
        "kind": "opinion",
        "section": "europe",
        "bylines": [("sofia-marchetti", "by")],
        "lead_photo": "parliament",
        "tags": ["Defence spending", "Trump transition"],
        "age": (17, 2, 45),
        "body": """
Every European defence debate now begins and ends with a percentage. Two per cent of gross
domestic product, three per cent, three and a half: the number has become a test of loyalty to
allies, and above all to Washington.

It is the wrong test. A percentage tells you how much a country spends, not what it buys, and
even less what its forces can do on a bad day. Countries that meet the target can still lack
ammunition stocks, air defence or the transport aircraft to move troops where they are needed.

## Budget for what you need

A better approach would start from capabilities. Allies already agree, in detail, on what each
of them should be able to contribute. Publishing progress against those targets in plain
language would tell voters far more than a line in a communiqué.
<a href="https://defence-audit.example/readiness">Independent audits</a> of stockpiles and
readiness, already routine in a few countries, could become the norm.

This is harder politically. A percentage is easy to announce and easy to meet with creative
accounting. A capability target is <em>either met or not</em>. That is precisely why it would
be more credible, in Washington and elsewhere.

> Spending is an input. Security is an outcome. Europe keeps reporting the first and hoping for
the second.

The next summit will almost certainly produce a new number. Europe's leaders should at least
publish, next to it, what they intend to buy.
""",
    },
    {
        "slug": "why-the-taiwan-straits-quietest-year-still-worries-planners",
        "headline": "Why the Taiwan Strait's quietest year still worries planners",
        "dek": "Fewer incidents at sea do not mean less risk. Military planners read the calm as "
        "a period of preparation, on both sides.",
        "kind": "analysis",
        "section": "asia-pacific",
        "bylines": [("mei-lin-tan", "by")],
        "lead_photo": "video_still",
        "tags": ["Taiwan Strait", "Maritime security"],
        "age": (3, 0, 50),
        "body": """
By the usual measures, the year in the Taiwan Strait has been unusually quiet. Fewer aircraft
have crossed the median line, large exercises have been shorter, and coast guard crews have
avoided the close encounters that marked earlier years.

Planners in the region are not reassured. "Calm is not the same as stability," says Han
Min-seo, a retired colonel who now teaches at a defence college in Seoul. "A quiet year can be
a year of rehearsal."

## Reading the quiet

Analysts point to three trends behind the calm. Exercises have shifted from large, visible
drills to smaller ones that are harder to track. Coast guard vessels rather than warships now
carry out most patrols, a change that
<a href="https://strait-monitor.example/annual-review">one annual review</a> calls the
<em>civilianisation</em> of pressure. And both sides have invested heavily in logistics, the
least visible and most decisive part of military readiness.

Footage published by open-source monitoring channels shows patrol boats operating further from
shore, and for longer, than before. It rarely makes the news, precisely because nothing
happens in it.

> "The danger is not a single incident. It is that everyone gets used to a little more each
year." Han Min-seo

For governments in the region, the lesson is to watch the trend lines rather than the
headlines. A quiet strait is better than a noisy one. It is <strong>not a reason to stop
listening</strong>.
""",
    },
    {
        "slug": "pacific-island-states-sign-a-joint-maritime-patrol-pact",
        "headline": "Pacific island states sign a joint maritime patrol pact",
        "dek": "Five small island governments will pool patrol boats and surveillance data to "
        "police fishing grounds larger than Western Europe.",
        "kind": "news",
        "section": "asia-pacific",
        "bylines": [("mei-lin-tan", "by")],
        "lead_photo": "islands",
        "tags": ["Maritime security"],
        "age": (0, 20, 5),
        "body": """
Five Pacific island states signed an agreement on Thursday to pool patrol boats, flying hours
and satellite data to police their combined exclusive economic zones, an area of ocean larger
than Western Europe.

The pact, negotiated over eighteen months, allows officers from one signatory to board suspect
vessels in another's waters, provided a local officer is on board or on the radio. It also
creates a shared operations room fed by the
<a href="https://fisheries-agency.example/vessel-monitoring">regional vessel monitoring
system</a>.

## Small navies, vast waters

Illegal and unreported fishing costs the region hundreds of millions of dollars a year,
according to regional fisheries officials, and most signatories have fewer than five patrol
vessels each. "Alone, we watch a corner of our ocean," said Tevita Fonua, a senior fisheries
official. "Together, we can watch most of it."

Larger partners have offered training and surveillance flights. Officials were careful to
stress that the pact itself is <strong>run by the islands</strong>, not by their partners.

The first joint patrols are expected early next year.
""",
    },
    {
        "slug": "middle-powers-in-asia-hedge-as-washingtons-signals-blur",
        "headline": "Middle powers in Asia hedge as Washington's signals blur",
        "dek": "From Seoul to Jakarta, governments are deepening ties with each other while "
        "keeping their options open with the great powers.",
        "kind": "analysis",
        "section": "asia-pacific",
        "bylines": [("mei-lin-tan", "by"), ("daniel-okafor", "by")],
        "lead_photo": "skyline",
        "tags": ["Trump transition", "Middle powers"],
        "age": (10, 5, 25),
        "body": """
For decades, the foreign policies of Asia's middle powers could be summed up in a sentence:
security from Washington, prosperity from Beijing. That sentence no longer holds, and the
governments that relied on it are writing new ones.

The new approach is best described as hedging with a purpose. South Korea, Japan, Australia,
Indonesia and Vietnam are each deepening ties with one another, through defence agreements,
supply-chain deals and joint exercises, while avoiding choices that would lock them into either
camp.

## A web, not a wheel

Analysts used to describe America's Asian alliances as a hub and spokes: every partner tied to
Washington, few tied to each other.
<a href="https://asia-alliances.example/network-map">Maps of defence agreements</a> signed over
the past decade show how far that picture has changed. The spokes now connect.

"The region is buying insurance," says Rina Kusuma, a researcher at a foreign policy institute
in Jakarta. "Not against America, but against American unpredictability." Officials insist
that the new links <em>complement</em> their alliances rather than replace them.

## The limits of hedging

Hedging has costs. It demands diplomatic capacity that smaller states lack, and it can look
like indecision when clarity matters. A crisis in the Taiwan Strait or on the Korean peninsula
would force the choices that hedging postpones.

For now, the web keeps getting denser. Whoever sets American policy in the years ahead will
find a region that has learned to talk among itself.
""",
    },
    {
        "slug": "a-coast-guard-veteran-on-the-grey-zone-at-sea",
        "headline": "A coast guard veteran on the grey zone at sea",
        "dek": "Retired commander Aiko Shimizu spent thirty years at sea. She explains why the "
        "hardest confrontations involve fishing boats, not frigates.",
        "kind": "interview",
        "section": "asia-pacific",
        "bylines": [("mei-lin-tan", "by")],
        "lead_photo": "illustration",
        "tags": ["Maritime security", "Taiwan Strait"],
        "age": (20, 3, 10),
        "body": """
<em>Aiko Shimizu retired as a coast guard commander after three decades at sea, much of it in
contested waters. She spoke to The Meridian about the confrontations that never quite become
crises. The interview has been edited for length.</em>

<strong>What do people misunderstand about confrontations at sea?</strong>

They imagine warships. Most of what I dealt with involved fishing fleets, survey vessels and
coast guard cutters. The grey zone is crowded with civilians, which is exactly why it is used:
every move is deniable, and every response risks looking heavy-handed.

<strong>How do you respond without escalating?</strong>

Patience, and cameras. We documented everything, and more and more of that record is now
public. <a href="https://maritime-transparency.example/incidents">Open incident archives</a>
have done more to restrain behaviour than any protest note I ever saw delivered.

## Rules for crowded waters

<strong>Do the rules of the sea still work?</strong>

The rules every cadet learns about avoiding collisions still work, when both captains want
them to. The problem is the captain who has been told to come as close as possible without
touching.

<strong>What would you tell a young officer?</strong>

Write everything down, stay calm on the radio, and remember that <em>the other crew wants to
go home too</em>.
""",
    },
    {
        "slug": "grain-corridor-insurance-scheme-to-be-extended-deputy-minister-says",
        "headline": "Grain corridor insurance scheme to be extended, deputy minister says",
        "seo_title": "Grain corridor insurance scheme to be extended",
        "dek": "The state-backed facility was due to lapse at the end of the year.",
        "kind": "news",
        "section": "qiosk",
        "other_sections": ["global-crises"],
        "bylines": [("ruben-akopyan", "by")],
        "lead_photo": "screenshot",
        "tags": ["Black Sea security"],
        "age": (0, 2, 15),
        "teaser": """
The state-backed insurance facility that covers ships using the Black Sea grain corridor will
be extended for at least another year, deputy foreign minister Mirela Dobre said on Wednesday.

Speaking to Danube TV, Ms Dobre said partners had agreed in principle and that the details would
follow a meeting of finance ministers next month.

Shipowners have pressed for a longer commitment; the facility has so far been renewed in
six-month steps.
""",
        "body": """
The state-backed insurance facility that covers ships using the Black Sea grain corridor will be
extended for at least another year, deputy foreign minister Mirela Dobre said in a television
interview on Wednesday.

Speaking to Danube TV, Ms Dobre said the partner governments had agreed in principle and that
the details would follow a meeting of finance ministers next month. "The ships need to know
that the cover will still be there when they arrive," she said.

Shipowners and grain traders have pressed for a longer commitment. The facility has so far been
renewed in six-month steps, which brokers say adds to the cost of every charter.

For background, read our analysis of
<a href="/articles/can-europe-keep-black-sea-shipping-safe-without-washingtons-help/">what
keeps the corridor open</a>.
""",
    },
    {
        "slug": "foreign-ministers-set-a-date-for-the-next-round-of-black-sea-talks",
        "headline": "Foreign ministers set a date for the next round of Black Sea talks",
        "seo_title": "Ministers set a date for the next Black Sea talks",
        "dek": "The talks will focus on mine clearance and port safety.",
        "kind": "news",
        "section": "qiosk",
        "bylines": [("ruben-akopyan", "by"), ("jonas-lindqvist", "by")],
        "lead_photo": "flags",
        "tags": ["Black Sea security", "Ceasefire diplomacy"],
        "age": (1, 2, 0),
        "teaser": """
Foreign ministers of the Black Sea coastal states agreed on Monday to hold the next round of
talks on maritime safety in the second week of January.

The agenda covers mine clearance, port inspections and a hotline between the coast guards.
""",
        "body": """
Foreign ministers of the Black Sea coastal states agreed on Monday to hold the next round of
talks on maritime safety in the second week of January, according to a joint statement.

The agenda covers mine clearance in shipping lanes, common standards for port inspections and a
direct line between the coast guards for use in emergencies.

Diplomats described the meeting as <em>businesslike</em>. No venue has been announced.
""",
    },
    {
        "slug": "freight-traffic-resumes-at-a-northern-border-crossing",
        "headline": "Freight traffic resumes at a northern border crossing",
        "dek": "The crossing was closed for three days after a dispute over inspections.",
        "kind": "news",
        "section": "qiosk",
        "bylines": [("jonas-lindqvist", "by")],
        "lead_photo": "border",
        "tags": ["Baltic Sea"],
        "age": (4, 4, 35),
        "teaser": """
Lorries began crossing again on Friday morning after a three-day closure that left queues of
more than twenty kilometres on the approach road.
""",
        "body": """
Lorries began crossing again on Friday morning after a three-day closure that left queues of
more than twenty kilometres on the approach road, border officials said.

The crossing was closed after a dispute over new inspection rules for goods in transit. Officials
on both sides said the rules would now be phased in over a month.

Hauliers' associations have asked for compensation for drivers stuck in the queue, many of them
<strong>without heating</strong> in sub-zero temperatures.
""",
    },
    {
        "slug": "lorries-queue-at-a-caucasus-pass-as-new-customs-rules-take-effect",
        "headline": "Lorries queue at a Caucasus pass as new customs rules take effect",
        "seo_title": "Lorries queue at a Caucasus pass under new customs rules",
        "dek": "Drivers report waits of up to two days at the mountain crossing.",
        "kind": "news",
        "section": "qiosk",
        "bylines": [("ruben-akopyan", "by")],
        "lead_photo": "mountains",
        "tags": ["Sanctions"],
        "age": (12, 7, 20),
        "body": """
Lorries queued for up to two days at a mountain crossing in the South Caucasus this week as new
customs rules on goods in transit took effect, drivers and freight companies said.

The rules require electronic declarations for every consignment and spot checks against
sanctions lists. Customs officials said the checks would speed up once drivers were familiar
with the system.

Freight forwarders in Tbilisi said some clients were already
<a href="https://freight-news.example/caucasus-routes">rerouting cargo by sea</a>.

Snow is forecast for the pass next week.
""",
    },
    {
        "slug": "what-next-weeks-summit-must-settle-on-black-sea-security",
        "headline": "What next week's summit must settle on Black Sea security",
        "dek": "Leaders will arrive with a long agenda. Three decisions matter more than the rest.",
        "kind": "analysis",
        "section": "europe",
        "bylines": [("clara-weiss", "by")],
        "lead_photo": "handout",
        "tags": ["Black Sea security", "Trump transition"],
        "scheduled_in_days": 2,
        "body": """
Summits are judged by their communiqués, but the one that opens next week will be judged by
three quieter decisions on Black Sea security.

The first is money for surveillance flights. The second is a multi-year mandate for the
reinsurance facility. The third is who coordinates: Brussels, the coastal states, or no one.

## Why these three

Each of them turns an improvised arrangement into a commitment. Together, they would tell
shipowners that the corridor does not depend on any single capital's attention.
""",
    },
    {
        "slug": "the-case-for-a-standing-mediation-corps",
        "headline": "The case for a standing mediation corps",
        "dek": "Europe hires mediators when a war starts. It should keep them on staff.",
        "kind": "opinion",
        "section": "global-crises",
        "bylines": [("sofia-marchetti", "by")],
        "tags": ["Ceasefire diplomacy"],
        "status": "draft",
        "body": """
Every time a war breaks out, foreign ministries go looking for mediators as if for the first
time. [Sofia: add the example from Geneva here.]

A small standing corps, trained together and ready to deploy within days, would cost less than
a single peacekeeping battalion.

[Draft: conclusion to follow.]
""",
    },
]
