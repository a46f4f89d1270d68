"""Build the project's Vietnamese catalogues for the Wagtail admin.

Inputs
    * the English catalogues shipped with the installed Wagtail / wagtail-modeladmin packages
      (``<package>/locale/en/LC_MESSAGES/{django,djangojs}.po``): they give the msgids, plural
      forms, format flags and source references;
    * the translation tables ``locale/vi/source/{django,djangojs}.tsv`` (UTF-8, tab separated,
      columns ``msgctxt  msgid  msgid_plural  msgstr``; ``\\n``, ``\\t`` and ``\\\\`` are escaped).
      Entries of a table that no English catalogue has (strings Wagtail forgot to extract) are
      kept as well.

Outputs
    ``locale/vi/LC_MESSAGES/{django,djangojs}.po`` and the compiled ``.mo`` files, which are
    committed: the deployment does not run ``compilemessages``.

Every msgstr must keep the msgid's placeholders (``%(name)s``, ``%s``, ``{name}``); the build
stops on the first table with a mismatch. When GNU ``msgfmt`` is installed it compiles with
``--check-format`` as a second opinion, otherwise polib writes the ``.mo`` files.

Needs ``polib`` (tooling only, not a project dependency)::

    .venv/bin/pip install polib
    .venv/bin/python locale/tools/build_vi.py            # build + check
    .venv/bin/python locale/tools/build_vi.py --missing  # list untranslated msgids
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "locale"
SOURCE = LOCALE / "vi" / "source"
OUT = LOCALE / "vi" / "LC_MESSAGES"

# Order matters only for the first occurrence of a msgid shared by several apps.
PACKAGES = [
    "wagtail/admin",
    "wagtail",
    "wagtail/users",
    "wagtail/images",
    "wagtail/documents",
    "wagtail/snippets",
    "wagtail_modeladmin",
    "taggit",
    "wagtail/contrib/settings",
    "wagtail/contrib/forms",
    "wagtail/contrib/redirects",
    "wagtail/contrib/search_promotions",
    "wagtail/sites",
    "wagtail/locales",
    "wagtail/embeds",
    "wagtail/search",
    "wagtail/contrib/table_block",
    "wagtail/contrib/typed_table_block",
    "wagtail/contrib/simple_translation",
    "wagtail/contrib/styleguide",
]

# Django's own strings that reach the admin (time since, form and password validation, ...):
# only those Django's Vietnamese catalogue leaves untranslated are taken over.
DJANGO_PACKAGES = [
    "django/conf",
    "django/contrib/auth",
    "django/contrib/humanize",
    "django/contrib/contenttypes",
]

HEADER = {
    "Project-Id-Version": "TTCS Wagtail admin (vi)",
    "Report-Msgid-Bugs-To": "",
    "PO-Revision-Date": "2026-11-26 09:00+0700",
    "Last-Translator": "TTCS localisation <ttcs@localhost>",
    "Language-Team": "TTCS <ttcs@localhost>",
    "Language": "vi",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    "Plural-Forms": "nplurals=1; plural=0;",
}

PERCENT = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[sdifrxXeEgGcou%]")
BRACE = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}|\{\d*\}")


def placeholders(text: str) -> tuple[list[str], list[str]]:
    return sorted(PERCENT.findall(text)), sorted(BRACE.findall(text))


def placeholder_problem(msgid: str, msgid_plural: str, msgstr: str) -> str | None:
    """Why ``msgstr`` cannot stand in for ``msgid`` (``None`` if it can)."""
    got = placeholders(msgstr)
    wanted = [placeholders(msgid)]
    if msgid_plural:
        # Vietnamese has a single plural form: it must work like either English form.
        wanted.append(placeholders(msgid_plural))
    if got in wanted:
        return None
    return f"placeholders {got} != {wanted[-1]}"


def unescape(field: str) -> str:
    return re.sub(
        r"\\(.)", lambda m: {"n": "\n", "t": "\t", "\\": "\\"}.get(m.group(1), m.group(0)), field
    )


def escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def load_table(domain: str) -> dict[tuple[str, str], tuple[str, str]]:
    table = {}
    path = SOURCE / f"{domain}.tsv"
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if lineno == 1 or not line.strip():
            continue  # header
        fields = line.split("\t")
        if len(fields) != 4:
            raise SystemExit(
                f"{path}:{lineno}: expected 4 tab-separated columns, got {len(fields)}"
            )
        ctx, msgid, plural, msgstr = (unescape(f) for f in fields)
        table[(ctx, msgid)] = (plural, msgstr)
    return table


def save_table(domain: str, table: dict[tuple[str, str], tuple[str, str]]) -> None:
    lines = ["msgctxt\tmsgid\tmsgid_plural\tmsgstr"]
    for (ctx, msgid), (plural, msgstr) in table.items():
        lines.append("\t".join(escape(f) for f in (ctx, msgid, plural, msgstr)))
    (SOURCE / f"{domain}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def english_entries(domain: str) -> dict[tuple[str, str], polib.POEntry]:
    site = Path(sysconfig.get_paths()["purelib"])
    entries: dict[tuple[str, str], polib.POEntry] = {}
    for package in PACKAGES + DJANGO_PACKAGES:
        path = site / package / "locale" / "en" / "LC_MESSAGES" / f"{domain}.po"
        if not path.exists():
            continue
        covered = set()
        if package in DJANGO_PACKAGES:
            vi_path = site / package / "locale" / "vi" / "LC_MESSAGES" / f"{domain}.po"
            if vi_path.exists():
                covered = {
                    (e.msgctxt or "", e.msgid) for e in polib.pofile(str(vi_path)) if e.translated()
                }
        for entry in polib.pofile(str(path)):
            if entry.obsolete:
                continue
            key = (entry.msgctxt or "", entry.msgid)
            if key in covered:
                continue
            refs = [(f"{package}/{file}", line) for file, line in entry.occurrences]
            if key in entries:
                entries[key].occurrences.extend(refs)
                for flag in entry.flags:
                    if flag not in entries[key].flags:
                        entries[key].flags.append(flag)
                continue
            entries[key] = polib.POEntry(
                msgctxt=entry.msgctxt,
                msgid=entry.msgid,
                msgid_plural=entry.msgid_plural,
                occurrences=refs,
                flags=[f for f in entry.flags if f != "fuzzy"],
            )
    return entries


def build(domain: str, list_missing: bool = False) -> tuple[int, int, list[str]]:
    english = english_entries(domain)
    table = load_table(domain)
    po = polib.POFile(wrapwidth=0)
    po.metadata = dict(HEADER)
    po.header = (
        "Vietnamese translation of the Wagtail admin for TTCS.\n"
        "GENERATED by locale/tools/build_vi.py from locale/vi/source/"
        + domain
        + ".tsv: edit the table, not this file."
    )
    problems, missing = [], []
    keys = list(english) + [k for k in table if k not in english]
    for key in keys:
        entry = english.get(key)
        plural, msgstr = table.get(key, ("", ""))
        if entry is None:
            entry = polib.POEntry(
                msgctxt=key[0] or None, msgid=key[1], msgid_plural=plural, comment="project extra"
            )
            if PERCENT.search(key[1]) and "python-format" not in entry.flags:
                entry.flags.append("python-format")
        entry.occurrences = entry.occurrences[:4]
        if not msgstr:
            missing.append(key[1])
        elif (problem := placeholder_problem(entry.msgid, entry.msgid_plural, msgstr)) is not None:
            problems.append(f"{domain}: {entry.msgid!r}: {problem}")
        if entry.msgid_plural:
            entry.msgstr_plural = {0: msgstr}
        else:
            entry.msgstr = msgstr
        po.append(entry)
    if problems:
        raise SystemExit("\n".join(problems))
    OUT.mkdir(parents=True, exist_ok=True)
    po_path, mo_path = OUT / f"{domain}.po", OUT / f"{domain}.mo"
    po.save(str(po_path))
    msgfmt = shutil.which("msgfmt")
    if msgfmt:
        subprocess.run(
            [msgfmt, "--check-format", "--check-header", "-o", str(mo_path), str(po_path)],
            check=True,
        )
    else:
        po.save_as_mofile(str(mo_path))
    if list_missing:
        for msgid in missing:
            print(f"  untranslated [{domain}]: {msgid!r}")
    return len(keys) - len(missing), len(keys), missing


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--missing", action="store_true", help="list untranslated msgids")
    args = parser.parse_args()
    for domain in ("django", "djangojs"):
        done, total, _ = build(domain, args.missing)
        print(f"{domain}: {done}/{total} translated")


if __name__ == "__main__":
    sys.exit(main())
