"""Load the features of councils' areas from `councils/_features.yaml`: coastline, national parks, islands, ports.

A page that needs a feature (`requires: [coastline]`) has variants only for councils whose area has it.
Each feature says what it means, the sources it was drawn from, and every council whose area has it;
a council can also name features in its own council.yaml.
"""

from __future__ import annotations

import os
from pathlib import Path

from localgov.errors import Problems, describe
from localgov.load.fields import FieldReader, did_you_mean, read_yaml_file
from localgov.load.paths import relative
from localgov.load.yamlfile import YamlDoc
from localgov.model import Source

FEATURES_FILE = "_features.yaml"
FEATURE_FIELDS = frozenset({"means", "sources", "councils"})


def load_features(root: Path, councils: set[str], problems: Problems) -> dict[str, tuple[str, ...]]:
    """Return council slug -> the features `councils/_features.yaml` gives its area."""
    path = root / "councils" / FEATURES_FILE
    if not os.path.lexists(path):
        return {}
    rel = relative(path, root)
    doc = read_yaml_file(path, rel, problems, folder=root / "councils", root=root)
    if doc is None:
        return {}
    found: dict[str, list[str]] = {}
    for feature, value in doc.data.items():
        line = doc.line(feature)
        if not isinstance(value, dict):
            problems.error(rel, line, "wrong type", field=feature,
                           expected="a mapping with means, sources and councils", found=describe(value))
            continue
        for key in sorted(set(map(str, value)) - FEATURE_FIELDS):
            problems.error(rel, doc.line(f"{feature}.{key}"), f"unknown field{did_you_mean(key, FEATURE_FIELDS)}",
                           field=f"{feature}.{key}", expected="one of " + ", ".join(sorted(FEATURE_FIELDS)),
                           found=repr(key))
        if not isinstance(value.get("means"), str) or not value["means"].strip():
            problems.error(rel, line, "a feature must say what it means", field=f"{feature}.means",
                           expected="one sentence", found=describe(value.get("means")))
        sources = _sources(rel, doc, feature, problems)
        if not sources:
            problems.error(rel, line, "a feature needs the sources it was drawn from", field=f"{feature}.sources",
                           expected="a list of '- title: ..., url: https://...' entries")
        members = value.get("councils")
        if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
            problems.error(rel, line, "wrong type", field=f"{feature}.councils", expected="a list of council slugs",
                           found=describe(members))
            continue
        for number, slug in enumerate(members, start=1):
            if slug not in councils:
                problems.error(rel, doc.line(f"{feature}.councils[{number}]") or line,
                               f"not a council in councils/{did_you_mean(slug, councils)}",
                               field=f"{feature}.councils", expected="the slug of a council", found=repr(slug))
                continue
            found.setdefault(slug, []).append(str(feature))
    return {slug: tuple(features) for slug, features in found.items()}


def _sources(rel: str, doc: YamlDoc, feature: str, problems: Problems) -> tuple[Source, ...]:
    """Read one feature's sources, with their lines in the file."""
    return FieldReader(rel, doc.part(feature, doc.data[feature]), problems).sources("sources", cited_only=True)
