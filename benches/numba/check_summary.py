#!/usr/bin/env python3
"""Compare two summary.csv files (allocsim's and allocsim_numba.py's) metric by metric.

    python check_summary.py ALLOCSIM/summary.csv NUMBA/summary.csv

The two runs use different random streams, so they agree in distribution only: for each
(firm, metric) mean, z = (mean1 - mean2) / sqrt(se1^2 + se2^2); for p5, p50 and p95 the
relative difference. Prints every row sorted by |z|, then the worst |z| and percentile gaps.
Columns other than firm,metric,stat,value (allocsim's ci_low, ci_high) are ignored.
"""
import csv
import math
import sys


def load(path):
    out = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            out[(row["firm"], row["metric"], row["stat"])] = float(row["value"])
    return out


def main(a_path, b_path):
    a, b = load(a_path), load(b_path)
    keys = sorted({(f, m) for f, m, s in a if s == "mean"} & {(f, m) for f, m, s in b if s == "mean"},
                  key=lambda k: (k[0] != "total", k))
    rows = []
    for f, m in keys:
        d = a[(f, m, "mean")] - b[(f, m, "mean")]
        se = math.hypot(a[(f, m, "se")], b[(f, m, "se")])
        z = d / se if se > 0 else (0.0 if d == 0 else math.inf)
        rel = {}
        for p in ("p5", "p50", "p95"):
            x, y = a[(f, m, p)], b[(f, m, p)]
            rel[p] = (y - x) / abs(x) if x != 0 else (0.0 if y == 0 else math.inf)
        rows.append((f, m, a[(f, m, "mean")], b[(f, m, "mean")], z, rel))
    print(f"{'firm':18s} {'metric':16s} {'mean A':>14s} {'mean B':>14s} {'z':>6s} "
          f"{'p5 rel':>8s} {'p50 rel':>8s} {'p95 rel':>8s}")
    for f, m, ma, mb, z, rel in sorted(rows, key=lambda r: -abs(r[4])):
        print(f"{f:18s} {m:16s} {ma:14.6g} {mb:14.6g} {z:6.2f} "
              + " ".join(f"{100 * rel[p]:7.2f}%" for p in ("p5", "p50", "p95")))
    zs = [abs(r[4]) for r in rows]
    print(f"\n{len(rows)} means compared: max |z| = {max(zs):.2f}, "
          f"{sum(z > 2 for z in zs)} with |z| > 2, {sum(z > 3 for z in zs)} with |z| > 3")
    for p in ("p5", "p50", "p95"):
        tot = max(abs(r[5][p]) for r in rows if r[0] == "total")
        per = max(abs(r[5][p]) for r in rows)
        print(f"{p}: largest relative gap {100 * per:.2f}% (totals: {100 * tot:.2f}%)")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
