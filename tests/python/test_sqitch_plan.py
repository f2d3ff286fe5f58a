"""The Sqitch plan's own rules, read from the files (no database): every change lists all its
direct dependencies, and its three scripts exist. A dependency is direct when the deploy script
names an object another change creates (schema-qualified, or a function called by its bare name
under a search_path), a role, a schema or an extension's functions.

`python tests/python/test_sqitch_plan.py` prints what each change refers to, for writing a plan line.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ("tsi", "diary", "auth", "analytics", "audit", "api")
ROLES = ("tsdb_owner", "authenticator", "web_anon", "web_user", "collector", "analyst")
# Schemas and roles made by a change of their own rather than core/schemas and core/roles.
OWN_SCHEMAS = {"ops": "ops/schema"}
OWN_ROLES = {"tsdb_monitor": "ops/monitor_role"}
# Objects of the extensions that core/extensions creates.
EXTENSION_USE = re.compile(
    r"\b(ST_\w+|geography|geometry|cron\.\w+|pgr_\w+|crypt|gen_salt|hmac|digest|gen_random_bytes|"
    r"gin_trgm_ops|gist_trgm_ops|similarity|EXCLUDE USING gist|SCHEMA cron)\b", re.I)
CREATES = re.compile(
    r"\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:UNLOGGED\s+)?"
    r"(TABLE|VIEW|MATERIALIZED\s+VIEW|FUNCTION|PROCEDURE|TYPE|SEQUENCE|DOMAIN|AGGREGATE)\s+"
    r"(?:IF\s+NOT\s+EXISTS\s+)?(\w+)\.(\w+)", re.I)


def plan_lines() -> list[tuple[str, list[str]]]:
    """(change, dependencies) of every change line in plan order; a reworked change appears again
    after the tag, depending on its released self (name@tag)."""
    lines = []
    for line in (ROOT / "sqitch.plan").read_text().splitlines():
        m = re.match(r"^([a-z_]+/[a-z_]+)(?:\s+\[([^\]]*)\])?\s", line)
        if m:
            lines.append((m.group(1), (m.group(2) or "").split()))
    return lines


def plan() -> list[tuple[str, list[str]]]:
    """(change, dependencies) of the newest entry of each change, in plan order."""
    entries: dict[str, list[str]] = {}
    for change, deps in plan_lines():
        entries.pop(change, None)
        entries[change] = deps
    return list(entries.items())


def code(change: str) -> str:
    """The deploy script without comments and COMMENT ON statements (prose names other objects)."""
    text = (ROOT / "deploy" / f"{change}.sql").read_text()
    text = re.sub(r"--[^\n]*", "", text)
    text = re.sub(r"\b(?:HINT|MESSAGE|DETAIL)\s*=\s*'(?:[^']|'')*'", "", text, flags=re.I)
    return re.sub(r"\bCOMMENT ON\b.*?';\s*$", "", text, flags=re.S | re.M | re.I)


def references() -> dict[str, set[str]]:
    changes = [c for c, _ in plan()]
    # A name can be a type of one change and a function of another (tsi.window_features).
    creator: dict[tuple[str, str], set[str]] = {}
    for c in changes:
        for _, schema, name in CREATES.findall(code(c)):
            creator.setdefault((schema.lower(), name.lower()), set()).add(c)
    refs: dict[str, set[str]] = {}
    for c in changes:
        text = code(c)
        # Functions with SET search_path name that schema's objects unqualified.
        on_path = {s for p in re.findall(r"SET\s+search_path\s*=\s*([\w\s,]+)", text, re.I)
                   for s in re.split(r"[\s,]+", p.lower()) if s}
        found: set[str] = set()
        earlier = set(changes[:changes.index(c)])
        for (schema, name), owners in creator.items():
            owners = owners & earlier  # a name a later change reuses is this change's own
            if not owners:
                continue
            if re.search(rf"\b{schema}\.{name}\b", text, re.I) or (
                    schema in on_path and re.search(rf"(?<![.\w'\"]){name}\b(?!\s*=>)", text, re.I)):
                found |= owners
        if any(re.search(rf"\b{s}\.", text) for s in SCHEMAS) or re.search(r"\bSCHEMA\s+(tsi|diary|auth|analytics|audit|api)\b", text, re.I):
            found.add("core/schemas")
        if any(re.search(rf"\b{r}\b", text) for r in ROLES):
            found.add("core/roles")
        found |= {c for s, c in OWN_SCHEMAS.items() if re.search(rf"\b{s}\.|\bSCHEMA\s+{s}\b", text, re.I)}
        found |= {c for r, c in OWN_ROLES.items() if re.search(rf"\b{r}\b", text)}
        if EXTENSION_USE.search(text):
            found.add("core/extensions")
        found.discard(c)
        refs[c] = found
    return refs


def test_every_change_lists_its_direct_dependencies() -> None:
    refs = references()
    missing = {c: sorted(refs[c] - set(deps)) for c, deps in plan() if refs[c] - set(deps)}
    assert not missing, f"changes that use objects of changes they do not list: {missing}"


def test_dependencies_come_earlier_in_the_plan() -> None:
    seen: set[str] = set()
    for change, deps in plan_lines():
        named = {d.split("@")[0] for d in deps}
        assert named <= seen, f"{change} depends on a later change: {sorted(named - seen)}"
        seen.add(change)


def test_every_change_has_deploy_revert_verify() -> None:
    missing = [f"{d}/{c}.sql" for c, _ in plan() for d in ("deploy", "revert", "verify")
               if not (ROOT / d / f"{c}.sql").is_file()]
    assert not missing


if __name__ == "__main__":
    order = {c: i for i, (c, _) in enumerate(plan())}
    for change, found in references().items():
        print(change, sorted(found, key=lambda c: order.get(c, -1)), file=sys.stdout)
