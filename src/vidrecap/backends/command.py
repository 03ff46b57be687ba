"""``vidrecap models``: every registered backend, what it needs and whether it is available here."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass

from ..registry import ROLES, BackendInfo, backends
from .profiles import PROFILES

COLUMNS = ("role", "name", "available", "needs", "summary")


@dataclass
class BackendRow:
    role: str
    name: str
    available: bool
    needs: str
    summary: str

    @classmethod
    def of(cls, info: BackendInfo) -> BackendRow:
        try:
            available = bool(info.available())
        except Exception:  # a broken optional dependency means "not here"
            available = False
        return cls(info.role, info.name, available, info.needs, info.summary)


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--role", choices=ROLES, help="only this role")
    p.add_argument("--profiles", action="store_true", help="list the named profiles instead")


def execute(args: argparse.Namespace) -> int:
    if args.profiles:
        profiles = {name: {"summary": p.summary, "backends": p.specs} for name, p in PROFILES.items()}
        print(json.dumps(profiles, indent=2) if args.json else _profile_text(), file=sys.stdout)
        return 0
    rows = [BackendRow.of(b) for b in backends() if args.role in (None, b.role)]
    if args.json:
        print(json.dumps([vars(r) for r in rows], indent=2))
    else:
        print(table(rows))
    return 0


def table(rows: list[BackendRow]) -> str:
    """A plain-text table, one backend per line."""
    cells = [[r.role, r.name, "yes" if r.available else "no", r.needs or "-", r.summary] for r in rows]
    header = [c.upper() for c in COLUMNS]
    widths = [max(len(x) for x in col) for col in zip(header, *cells, strict=False)]
    return "\n".join("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
                     for row in [header, *cells])


def _profile_text() -> str:
    out = []
    for name, profile in PROFILES.items():
        out.append(f"{name}: {profile.summary}")
        out += [f"  {role:<10} {spec}" for role, spec in profile.specs.items()]
    return "\n".join(out)
