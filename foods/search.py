"""Food search that stays fast at hundreds of thousands of foods, on both databases.

What a query finds: every food whose words start with each word typed ("almo" finds almonds; "black
bean burrito" needs all three), case and accents ignored, plurals folded by an English stemmer
("beans" finds "bean"). On PostgreSQL, a query that finds nothing is tried again for typos with
trigram word similarity ("amlonds" finds almonds).

What a query finds also: an everyday food by the name people call it ("coffee" finds "Beverages,
coffee, brewed, prepared with tap water"; ``foods.everyday``). A name is searched by its own words
first: an SR name's leading food group ("Beverages, …", "Cereals, …") counts last (``food_words``).

How results are ordered, best first:
1. the user's own foods and recipes, and the foods the user logged recently;
2. a miss last: a name that negates a word the query asks for ("Pizza, no cheese" for "cheese pizza",
   "fat free" for "fat"), unless the query itself says "no", "without" or "free";
3. the everyday food called exactly what was typed ("coffee", "eggs" for "egg"), then one whose
   everyday name ends with it ("french fries" for "fries"), then the other everyday foods and those logged at least ``POPULAR_USES`` times on this server (``FoodUse``,
   counted per food as entries are logged, never per person), then the rest;
4. curated foods, then whole and generic foods (USDA survey, SR Legacy, Foundation), then laboratory
   samples, then branded products (``Food.search_tier``);
5. a food with a household portion before one that can only be logged by grams (among whole foods:
   a branded product's serving comes with its label);
6. how the name meets the query: the name itself, then a name that starts with it as its head word
   ("milk, whole" for "milk"), then one that starts with it ("milk chocolate"), then one that starts
   with its first or last word ("Pizza, cheese" for "cheese pizza"), then the rest;
7. the foods logged most on this server, then shorter names, then alphabetical.

Then one row per food as a person sees it: foods of the same name and brand from several sources are
one result (the best ranked) with the others as its ``other_sources``.

How it stays fast:
- Indexes: PostgreSQL has GIN indexes over ``to_tsvector('english', search_text)`` and trigram GIN
  indexes over ``search_text``, each split in two partial indexes (branded products apart), created
  by the migration ``foods/0003``. SQLite has an FTS5 table kept in step with ``foods_food`` by
  triggers (``ensure_sqlite_fts``).
- A search is two parts: the user's own and recent foods that match (a small query), and the shared
  catalogue's ranking, the same for every user, cached per catalogue version.
- On PostgreSQL, branded products are searched only when the other tiers do not fill the page, and
  ranked among at most ``BRANDED_CANDIDATES`` matches, so that a common word ("milk" in 400,000
  products) cannot make a search rank them all.
"""

from django.db import connection, transaction

from foods.catalogue_cache import cached_catalogue
from foods.models import SearchTier
from foods.text import fold, search_words

BRANDED_CANDIDATES = 1000
# word_similarity above which a typed word is taken for a misspelt one ("amlonds" ~ "almonds": 0.375)
TYPO_SIMILARITY = 0.3
MAX_RESULTS = 1000  # deepest position a search pages to
_FILLER_WORDS = {"a", "an", "and", "made", "of", "or", "the", "with", "without", "in", "on"}
_NEGATORS = {"no", "non", "without", "free"}
MAX_NEGATIONS = 7 * 4  # patterns for up to four words of a query
POPULAR_USES = 3  # logged this often on this server: ranked with the everyday foods
MAX_ALTERNATES = 5  # other sources of one food shown with it
FALLBACK_PER_WORD = 200  # best matches of each word weighed when no food has every word (SQLite)
FALLBACK_CANDIDATES = 2000  # foods holding any word weighed when none has every word (PostgreSQL)
SHARED_PAGE = 60  # the shared ranking is cached in steps of this many results

_GENERIC = f"search_tier <= {SearchTier.SAMPLES}"
_BRANDED = f"search_tier >= {SearchTier.BRANDED}"


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _order_by(params: dict, first: str = "", alias: str = "ranked") -> str:
    """The ranking, in SQL both databases run (after ``first``, when given). ``alias`` names the
    subquery whose rows are ranked (its columns: id, name, search_text, search_tier, owner_id,
    common_name, recent, and uses: joined from ``foods_fooduse`` with ``_WITH_USES``)."""
    # a scalar subquery with LIMIT, not EXISTS: PostgreSQL may turn an EXISTS into a hash of the whole
    # portions table (400,000 rows, 120 ms) where one index probe per ranked food is enough
    household = f"(SELECT p.id FROM foods_portion AS p WHERE p.food_id = {alias}.id LIMIT 1) IS NOT NULL"
    return f"""
        ORDER BY {first}
          CASE WHEN owner_id = %(user)s OR recent = 1 THEN 0 ELSE 1 END,
          CASE WHEN {_negated_sql(params)} THEN 1 ELSE 0 END,
          CASE
            WHEN common_name IN (%(q)s, %(q_one)s) THEN 0
            WHEN common_name LIKE %(q_tail)s ESCAPE '\\' OR common_name LIKE %(q_one_tail)s ESCAPE '\\' THEN 1
            WHEN search_tier < {SearchTier.BRANDED} AND (common_name <> '' OR uses >= {POPULAR_USES}) THEN 2
            ELSE 3
          END,
          search_tier,
          CASE WHEN search_tier >= {SearchTier.BRANDED} OR {household} THEN 0 ELSE 1 END,
          CASE
            WHEN search_text = %(q)s THEN 0
            WHEN search_text LIKE %(q_head)s ESCAPE '\\' THEN 1
            WHEN search_text LIKE %(q_start)s ESCAPE '\\' THEN 2
            WHEN search_text LIKE %(first_start)s OR search_text LIKE %(last_start)s THEN 3
            ELSE 4
          END,
          uses DESC,
          LENGTH(name), name, id
    """


# The use counts of the candidates, joined once (a lookup per candidate in the ORDER BY cost twice).
def _with_uses(candidates: str) -> str:
    return f"""SELECT c.*, COALESCE(u.uses, 0) AS uses FROM ({candidates}) AS c
        LEFT JOIN foods_fooduse AS u ON u.food_id = c.id"""


_NEGATING = " OR ".join(
    f"search_text LIKE '{text}'" for text in ("%%no %%", "%%without %%", "%%free%%", "%%non%%")
)


def _negated_sql(params: dict) -> str:
    """One LIKE per pattern of ``negations`` (each a parameter), or false when the query has none."""
    count = sum(1 for key in params if key.startswith("neg"))
    if not count:
        return "1 = 0"
    patterns = " OR ".join(f"search_text LIKE %(neg{i})s" for i in range(count))
    # few names negate anything: four cheap tests first, the patterns only for those that might
    return f"(({_NEGATING}) AND ({patterns}))"


def negations(words: list[str]) -> list[str]:
    """LIKE patterns of a name that negates a word the query asks for ("Pizza, no cheese" for "cheese
    pizza"; "Yogurt, fat free" for "fat yogurt"): such a name is a miss, ranked after every other
    match. A query that itself says "no", "without" or "free" negates nothing."""
    if any(word in _NEGATORS for word in words):
        return []
    patterns = []
    for word in words:
        if word in _FILLER_WORDS or len(word) < 3:
            continue
        patterns += [
            f"% no {word}%",
            f"no {word}%",
            f"% without {word}%",
            f"% no added {word}%",
            f"%{word} free%",
            f"%{word}-free%",
            f"%non{word}%",
        ]
    return patterns


def _recent(recent) -> str:
    """The user's recent foods as SQL: a subquery (``recent`` is its SQL, run with the user's id as
    ``%(user)s``, so that no round trip fetches them first) or a list of ids."""
    if isinstance(recent, str) and recent:
        return f"({recent})"
    return "(" + ",".join(str(int(pk)) for pk in recent or [-1]) + ")"


def _recent_rows(recent) -> str:
    """The user's recent foods as a table of one column, food_id, to join from."""
    if isinstance(recent, str) and recent:
        return f"({recent}) AS r(food_id)"
    values = ",".join(f"({int(pk)})" for pk in recent or [-1])
    return f"(VALUES {values}) AS r(food_id)"


def _params(query: str, user_id) -> dict:
    folded = fold(query)
    escaped = _like_escape(folded)
    words = search_words(query) or [""]
    params = {
        "user": user_id if user_id is not None else -1,
        "q": folded,
        "q_one": folded[:-1] if folded.endswith("s") else folded,  # "eggs" is the everyday "egg"
        # an everyday name that ends with the query ("french fries" for "fries")
        "q_tail": "% " + escaped,
        "q_one_tail": "% " + _like_escape(folded[:-1] if folded.endswith("s") else folded),
        "q_head": escaped + ",%",
        "q_start": escaped + "%",
        # a name headed by one of the words ("Pizza, cheese" for "cheese pizza"); words are [0-9a-z]+
        "first_start": words[0] + "%",
        "last_start": words[-1] + "%",
    }
    for i, pattern in enumerate(negations(words)[:MAX_NEGATIONS]):
        params[f"neg{i}"] = pattern
    return params


def search_food_ids(**kwargs) -> list[int]:
    """The ids of one page of ``search_foods``: each food as a person sees it, once."""
    return [pk for pk, _ in search_foods(**kwargs)]


def search_foods(
    *,
    query: str,
    user_id: int | None,
    recent_sql: str = "",
    category: str | None = None,
    limit: int,
    offset: int = 0,
) -> list[tuple[int, list[int]]]:
    """One page of the foods ``user_id`` may see that match ``query`` (and ``category``), best first,
    each as (id, ids of the same food from other sources). The user's own and recent foods that match
    come first (a small query), then the shared catalogue's ranking, which is the same for everyone
    and cached per catalogue version (an edit or an import moves the version on, so a cached ranking
    never outlives the catalogue it ranked).

    One row per food as a person sees it: foods of the same name (and brand) from several sources
    ("Spinach, raw": curated, SR Legacy, survey) are one result, the best ranked, with the others
    (``MAX_ALTERNATES`` at most) reached from it."""
    words = search_words(query)
    if not words or offset >= MAX_RESULTS:
        return []
    limit = min(limit, MAX_RESULTS - offset)
    base = _postgres if connection.vendor == "postgresql" else _sqlite
    personal = []
    if user_id is not None:
        personal = base(words, query, user_id, recent_sql, MAX_RESULTS, 0, category, personal=True)
    depth = offset + limit + len(personal)
    while True:
        bucket = min(-(-depth // SHARED_PAGE) * SHARED_PAGE, MAX_RESULTS + SHARED_PAGE)
        key = f"search-rows:{connection.vendor}:{category or ''}:{bucket}:{fold(query)}"
        shared = cached_catalogue(
            key, lambda bucket=bucket: _ranked(words, query, None, (), category, bucket, base)
        )
        groups = _grouped(personal + shared)
        # folding sources into one row shortens the list: rank deeper while a page is not full
        if len(groups) >= offset + limit or len(shared) < bucket or bucket > MAX_RESULTS:
            return groups[offset : offset + limit]
        depth = bucket * 2


def _found(cursor) -> list[tuple[int, str]]:
    """The rows a ranking query returned (id, name, brand), each as its id and the key of the food as
    a person sees it (its name and brand, folded): foods of one key are one result."""
    return [(pk, f"{fold(name)}|{fold(brand)}") for pk, name, brand in cursor.fetchall()]


def _grouped(ranked: list[tuple[int, str]]) -> list[tuple[int, list[int]]]:
    """(id, key) pairs, best first, as one (id, other ids) per key."""
    groups: dict[str, tuple[int, list[int]]] = {}
    for pk, key in ranked:
        group = groups.get(key)
        if group is None:
            groups[key] = (pk, [])
        elif pk != group[0] and pk not in group[1] and len(group[1]) < MAX_ALTERNATES:
            group[1].append(pk)
    return list(groups.values())


def _ranked(words, query, user_id, recent_ids, category, limit, base) -> list[tuple[int, str]]:
    """Every word; else the most words; else (PostgreSQL) close spellings."""

    def search(words, query, user_id, recent_ids, limit, offset):
        return base(words, query, user_id, recent_ids, limit, offset, category)

    ids = search(words, query, user_id, recent_ids, limit, 0)
    if not ids and len(words) > 1:
        if base is _postgres:
            ids = _postgres_most_words(words, query, user_id, limit, category)
        else:
            ids = _most_words(words, query, user_id, recent_ids, limit, search)
    if not ids and base is _postgres:
        ids = _postgres_typos(query, user_id, limit, category)
    return ids


def _most_words(words, query, user_id, recent_ids, limit, search) -> list[tuple[int, str]]:
    """No food has every word ("oatmeal made with milk"): the foods that have the most of them, each
    word's matches ranked as above."""
    hits: dict[tuple[int, str], list] = {}
    for position, word in enumerate(words):
        if word in _FILLER_WORDS:
            continue
        for rank, pk in enumerate(search([word], word, user_id, recent_ids, FALLBACK_PER_WORD, 0)):
            entry = hits.setdefault(pk, [0, position, rank])
            entry[0] += 1
    ordered = sorted(hits.items(), key=lambda item: (-item[1][0], item[1][1], item[1][2]))
    return [pk for pk, (count, _, _) in ordered if count > 1 or len(words) == 1][:limit] or [
        pk for pk, _ in ordered[:limit]
    ]


# --- PostgreSQL ----------------------------------------------------------------------------------------

_PG_VECTOR = "to_tsvector('english'::regconfig, search_text)"


def _visible(params: dict, category: str | None, prefix: str = "") -> str:
    """Not retired, shared or the user's own, and in the category when one is asked. Written so that no
    index serves it: "owner_id IS NULL" matched the whole catalogue through the owner index, which the
    planner took instead of the search indexes (the user's own foods are read by their own query)."""
    clause = f"NOT {prefix}retired AND COALESCE({prefix}owner_id, 0) IN (0, %(user)s)"
    if category:
        params["category"] = category
        clause += f" AND {prefix}category = %(category)s"
    return clause


def _postgres(
    words, query, user_id, recent_ids, limit, offset, category=None, personal=False
) -> list[tuple[int, str]]:
    """Two steps: the user's recent foods and every non-branded tier, ranked; then, only when they do
    not fill the page, branded products (which rank after them). In the branded step the words before
    the last must be whole words (stemmed: "beans" is "bean"), the last one may be a prefix: a prefix
    of every word made the index scan of 400,000 products several times slower."""
    params = _params(query, user_id)
    params["all_prefixes"] = " & ".join(f"{word}:*" for word in words)
    params["last_prefix"] = " & ".join([*words[:-1], f"{words[-1]}:*"])
    depth = offset + limit
    params["depth"] = depth
    visible = _visible(params, category)
    columns = "id, name, brand, search_text, search_tier, owner_id, common_name"
    recent = _recent(recent_ids)
    ranked = f"CASE WHEN id IN {recent} THEN 1 ELSE 0 END AS recent"
    generic = f"{_PG_VECTOR} @@ to_tsquery('english'::regconfig, %(all_prefixes)s)"
    branded = f"{_PG_VECTOR} @@ to_tsquery('english'::regconfig, %(last_prefix)s)"
    matches = f"""
          SELECT {columns}, {ranked} FROM (
            (SELECT {columns} FROM foods_food WHERE id IN {recent} AND {visible} AND {generic})
            UNION
            (SELECT {columns} FROM foods_food WHERE {_GENERIC} AND {visible} AND {generic})
          ) AS found"""
    candidates = f"""
          SELECT {columns}, 0 AS recent FROM foods_food WHERE {_BRANDED} AND {visible} AND {branded}
          LIMIT {BRANDED_CANDIDATES}"""
    first = f"""
        SELECT id, name, brand FROM ({_with_uses(matches)}) AS ranked
        {_order_by(params)}
        LIMIT %(depth)s
    """
    second = f"""
        SELECT id, name, brand FROM ({_with_uses(candidates)}) AS ranked
        {_order_by(params)}
        LIMIT %(depth)s
    """
    if personal:
        # Only the user's own foods and recent ones, read from those two small sets: each recent food
        # by its id (a lateral join cannot turn into a walk of the catalogue, whatever the words and
        # whatever the planner guesses), own foods by the owner index.
        lateral_columns = ", ".join(f"f.{column.strip()}" for column in columns.split(","))
        matches = f"""
          SELECT {columns}, {ranked} FROM (
            (SELECT {lateral_columns}
               FROM (SELECT DISTINCT r.food_id FROM {_recent_rows(recent_ids)}) AS mine
               CROSS JOIN LATERAL (
                 SELECT * FROM foods_food AS f WHERE f.id = mine.food_id
               ) AS f
              WHERE {_visible(params, category, "f.")} AND {generic.replace("search_text", "f.search_text")})
            UNION
            (SELECT {columns} FROM foods_food WHERE owner_id = %(user)s AND {visible} AND {generic})
          ) AS found"""
        first = f"""
        SELECT id, name, brand FROM ({_with_uses(matches)}) AS ranked
        {_order_by(params)}
        LIMIT %(depth)s
    """
    with connection.cursor() as cursor:
        cursor.execute(first, params)
        ids = _found(cursor)
        if len(ids) < depth and not personal:
            cursor.execute(second, params)
            seen = {pk for pk, _ in ids}
            ids += [row for row in _found(cursor) if row[0] not in seen]
    return ids[offset:depth]


def _postgres_most_words(words, query, user_id, limit, category=None) -> list[tuple[int, str]]:
    """No food has every word: among the foods holding any of them (whole foods first, branded ones
    only when no whole food holds one), those holding the most, then the usual ranking."""
    params = _params(query, user_id)
    params["limit"] = limit
    visible = _visible(params, category)
    words = [word for word in words if word not in _FILLER_WORDS] or words
    params["any"] = " | ".join(f"{word}:*" for word in words)
    hits = []
    for position, word in enumerate(words):
        params[f"word{position}"] = f"{word}:*"
        hits.append(f"({_PG_VECTOR} @@ to_tsquery('english'::regconfig, %(word{position})s))::int")
    columns = "id, name, brand, search_text, search_tier, owner_id, common_name"

    def _most_words_candidates(tier: str) -> str:
        return f"""
                  SELECT {columns}, 0 AS recent, {" + ".join(hits)} AS hits FROM foods_food
                  WHERE {tier} AND {visible} AND {_PG_VECTOR} @@ to_tsquery('english'::regconfig, %(any)s)
                  LIMIT {FALLBACK_CANDIDATES}"""

    with connection.cursor() as cursor:
        return _whole_foods_first(
            cursor,
            lambda tier: (
                f"""SELECT id, name, brand FROM ({_with_uses(_most_words_candidates(tier))}) AS found
                {_order_by(params, "hits DESC,", alias="found")}
                LIMIT %(limit)s"""
            ),
            params,
        )


def _whole_foods_first(cursor, sql_for_tier, params) -> list[tuple[int, str]]:
    """The foods the query finds among whole foods, or among branded products when no whole food
    matches."""
    for tier in (_GENERIC, _BRANDED):
        cursor.execute(sql_for_tier(tier), params)
        ids = _found(cursor)
        if ids:
            return ids
    return []


def _postgres_typos(query, user_id, limit, category=None) -> list[tuple[int, str]]:
    """Foods whose names hold a word close to the query's: whole foods first, branded ones only when
    no whole food is close."""
    params = _params(query, user_id)
    params["limit"] = limit
    visible = _visible(params, category)
    # The trigram index, always: on a small catalogue the planner prefers to read every name (23,000
    # rows, 40 ms, for each new misspelling, which no cache holds), and the reads must stay bounded
    # whatever the size. Set for this transaction only, and put back.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true), "
            "set_config('enable_seqscan', 'off', true)",
            [str(TYPO_SIMILARITY)],
        )
        try:
            return _typo_rows(cursor, visible, params)
        finally:
            cursor.execute("SELECT set_config('enable_seqscan', 'on', true)")


def _typo_rows(cursor, visible, params) -> list[tuple[int, str]]:
    return _whole_foods_first(
        cursor,
        lambda tier: (
            f"""SELECT id, name, brand FROM foods_food
                WHERE {tier} AND {visible} AND %(q)s <%% search_text
                ORDER BY word_similarity(%(q)s, search_text) DESC, search_tier, LENGTH(name), id
                LIMIT %(limit)s"""
        ),
        params,
    )


POSTGRES_INDEXES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX IF NOT EXISTS food_fts_generic ON foods_food USING gin ({_PG_VECTOR}) WHERE {_GENERIC}",
    f"CREATE INDEX IF NOT EXISTS food_fts_branded ON foods_food USING gin ({_PG_VECTOR}) WHERE {_BRANDED}",
    "CREATE INDEX IF NOT EXISTS food_trgm_generic ON foods_food "
    f"USING gin (search_text gin_trgm_ops) WHERE {_GENERIC}",
    "CREATE INDEX IF NOT EXISTS food_trgm_branded ON foods_food "
    f"USING gin (search_text gin_trgm_ops) WHERE {_BRANDED}",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS food_fts_generic",
    "DROP INDEX IF EXISTS food_fts_branded",
    "DROP INDEX IF EXISTS food_trgm_generic",
    "DROP INDEX IF EXISTS food_trgm_branded",
]


# --- SQLite (the embedded default) ---------------------------------------------------------------------

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS foods_food_fts USING fts5("
    "search_text, content='foods_food', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS foods_food_fts_insert AFTER INSERT ON foods_food BEGIN "
    "INSERT INTO foods_food_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS foods_food_fts_delete AFTER DELETE ON foods_food BEGIN "
    "INSERT INTO foods_food_fts(foods_food_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS foods_food_fts_update AFTER UPDATE OF search_text ON foods_food BEGIN "
    "INSERT INTO foods_food_fts(foods_food_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO foods_food_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
]


def ensure_sqlite_fts(conn) -> None:
    """Create the FTS5 table and its triggers when missing, and rebuild the index when a table
    rebuild dropped the triggers (its rows then no longer match the food table)."""
    if conn.vendor != "sqlite":
        return
    with conn.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'foods_food'")
        if cursor.fetchone() is None:
            return
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'foods_food_fts_%'"
        )
        complete = cursor.fetchone()[0] == 3
        for statement in SQLITE_FTS:
            cursor.execute(statement)
        if not complete:
            cursor.execute("INSERT INTO foods_food_fts(foods_food_fts) VALUES ('rebuild')")


def _sqlite(
    words, query, user_id, recent_ids, limit, offset, category=None, personal=False
) -> list[tuple[int, str]]:
    params = _params(query, user_id)
    visible = _visible(params, category, prefix="f.")
    recent = _recent(recent_ids)
    if personal:
        visible += f" AND (f.owner_id = %(user)s OR f.id IN {recent})"
    match = " ".join(f'"{word}"*' for word in words)  # words are [0-9a-z]+ only
    params.update({"match": match, "limit": limit, "offset": offset})
    sql = f"""
        SELECT id, name, brand FROM (
          SELECT f.id, f.name, f.brand, f.search_text, f.search_tier, f.owner_id, f.common_name,
                 CASE WHEN f.id IN {recent} THEN 1 ELSE 0 END AS recent, COALESCE(u.uses, 0) AS uses
          FROM foods_food_fts JOIN foods_food AS f ON f.id = foods_food_fts.rowid
          LEFT JOIN foods_fooduse AS u ON u.food_id = f.id
          WHERE foods_food_fts MATCH %(match)s AND {visible}
        ) AS ranked
        {_order_by(params)}
        LIMIT %(limit)s OFFSET %(offset)s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return _found(cursor)


# --- What this server logs most --------------------------------------------------------------------------


def count_uses_sql(food_ids: str) -> str:
    """The statement that counts one more use of each shared food id (a column named ``id``) the query
    ``food_ids`` gives."""
    return (
        f"INSERT INTO foods_fooduse (food_id, uses) SELECT id, 1 FROM ({food_ids}) AS logged WHERE true "
        "ON CONFLICT (food_id) DO UPDATE SET uses = foods_fooduse.uses + 1"  # WHERE: SQLite's parser
    )


def count_logged(food_id: int) -> None:
    """One more entry of this shared food on this server (``FoodUse``; never per person). Runs after
    the entry's transaction commits, in a statement of its own, so that it never holds a lock inside a
    batch (two batches counting the same foods in another order would otherwise deadlock)."""

    def count():
        with connection.cursor() as cursor:
            cursor.execute(count_uses_sql("SELECT id FROM foods_food WHERE id = %s"), [food_id])

    transaction.on_commit(count, robust=True)  # a food deleted meanwhile is no error
