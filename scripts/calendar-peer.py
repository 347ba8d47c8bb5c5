#!/usr/bin/env python3
"""Compares the built-in working-day calendar with an independent one, day by day.

stdin: the output of `appeals calendar-days --from 2018 --to 2030` (one `YYYY-MM-DD W|O` line per
working Saturday/Sunday or non-working weekday). The peer is the `holidays` package's calendar of
Kazakhstan (holidays.KZ, `is_working_day`). Every date where the two disagree must be listed, with
its legal reason, in the exceptions table of docs/calendar.md (a row starting `| YYYY-MM-DD |`);
any other difference fails the run (exit 1).
"""
import datetime as dt
import re
import sys

import holidays

FIRST, LAST = 2018, 2030


def ours(lines):
    days = {}
    for line in lines:
        line = line.strip()
        if line:
            date, mark = line.split()
            days[dt.date.fromisoformat(date)] = mark == "W"
    return days


def main():
    exceptions_doc = sys.argv[1] if len(sys.argv) > 1 else "docs/calendar.md"
    listed = set()
    in_table = False
    for line in open(exceptions_doc, encoding="utf-8"):
        if line.startswith("## Exceptions"):
            in_table = True
        elif line.startswith("## "):
            in_table = False
        m = re.match(r"\|\s*(\d{4}-\d{2}-\d{2})\s*\|", line)
        if in_table and m:
            listed.add(dt.date.fromisoformat(m.group(1)))
    special = ours(sys.stdin)
    peer = holidays.KZ(years=range(FIRST, LAST + 1))
    differences = []
    day = dt.date(FIRST, 1, 1)
    while day.year <= LAST:
        weekend = day.weekday() >= 5
        our_working = special.get(day, not weekend)
        peer_working = peer.is_working_day(day)
        if our_working != peer_working and day not in listed:
            name = peer.get(day) or ""
            differences.append(
                f"{day} ours: {'working' if our_working else 'day off'}, "
                f"holidays {holidays.__version__}: {'working' if peer_working else 'day off'} {name}"
            )
        day += dt.timedelta(days=1)
    print(
        f"calendar peer check {FIRST}–{LAST} against holidays {holidays.__version__}: "
        f"{len(differences)} unlisted difference(s), {len(listed)} listed exception(s)"
    )
    for d in differences:
        print("  " + d)
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
