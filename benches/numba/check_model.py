#!/usr/bin/env python3
"""Checks of allocsim_numba.py's pieces (run from anywhere; needs scipy):

    target/numba-venv/bin/python benches/numba/check_model.py

- each Beta sampler (strips, Cheng BB, Cheng BC), the ziggurat normal and the triangular /
  uniform draws against the exact CDF (Kolmogorov-Smirnov, 10^6 draws per shape, independent keyed streams);
- the copula tables (cubic Hermite on 2,049 points) against F^-1(Phi(z)) computed directly;
- the proportional rule against MODEL.md's worked table and against exact fractions;
- the baseline's copula orders through the kernel: pairwise Spearman rank correlation
  (target dependence.orders = 0.25) and each firm's marginal against its PERT.
Prints the results; a p-value below ~1e-3, a table error near one unit, or any mismatch of
the rule is a bug.
"""
import math
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import allocsim_numba as A
from numba import njit
from scipy import stats

@njit
def sample(d, strips, n, key):
    out = np.empty(n)
    for i in range(n):
        _, out[i] = A.draw(d, strips, A.mix64(key ^ A.mix64(np.uint64(i))))
    return out

n = 10**6
print("KS tests, 10^6 draws each (p-value; fails below ~1e-3)")
for al, be in [(8, 2), (2.6667, 3.3333), (3.4, 1.6), (1, 5), (1, 1), (5, 1), (1.02, 30), (0.5, 2), (2.5, 0.7), (0.3, 0.3)]:
    for use in (True, False):
        st = A.StripTables()
        d = A.Dist({"dist": "beta", "alpha": al, "beta": be}, "x").row(st, use)
        algo = {0: "cheng-BB", 1: "cheng-BC", 2: "strips"}[int(d[4])]
        if not use and algo == "strips":
            continue
        x = sample(d, st.array(), n, np.uint64(987654321))
        ks = stats.kstest(x, stats.beta(al, be).cdf)
        print(f"  Beta({al}, {be}) {algo:9s} KS D={ks.statistic:.5f} p={ks.pvalue:.3f}  mean {x.mean():.5f} vs {al/(al+be):.5f}")
        if use and algo != "strips":
            break

# normals (ziggurat), used by the copula
@njit
def normals(n, key):
    out = np.empty(n)
    for i in range(n):
        _, out[i] = A.normal(A.mix64(key ^ A.mix64(np.uint64(i))))
    return out
@njit
def tail_counts(n, key, cuts):
    c = np.zeros(cuts.shape[0], np.int64)
    for i in range(n):
        _, x = A.normal(A.mix64(key ^ A.mix64(np.uint64(i))))
        for k in range(cuts.shape[0]):
            c[k] += abs(x) > cuts[k]
    return c
x = normals(n, np.uint64(424242))
ks = stats.kstest(x, "norm")
cuts = np.array([1.0, 2.0, 3.0, A.ZIG_R, 4.0, 4.5, 5.0])
m = 4 * 10**7
obs = tail_counts(m, np.uint64(4242), cuts)
exp_ = 2 * stats.norm.sf(cuts) * m
zt = (obs - exp_) / np.sqrt(exp_ * (1 - exp_ / m))
print(f"  normal (ziggurat) KS D={ks.statistic:.5f} p={ks.pvalue:.3f}; tails P(|x| > 1, 2, 3, r, 4, 4.5, 5) "
      f"over 4*10^7 draws, z = {', '.join(f'{v:.2f}' for v in zt)}")
# triangular / uniform
st = A.StripTables()
for spec, ref in [({"dist": "triangular", "min": 1, "mode": 2, "max": 5}, stats.triang(0.25, loc=1, scale=4)),
                  ({"dist": "uniform", "min": -1, "max": 3}, stats.uniform(-1, 4))]:
    d = A.Dist(spec, "x").row(st)
    x = sample(d, st.array(), n, np.uint64(5 + len(spec)))
    ks = stats.kstest(x, ref.cdf)
    print(f"  {spec['dist']:10s} KS D={ks.statistic:.5f} p={ks.pvalue:.3f}")

print("copula tables: max |cubic Hermite - exact F^-1(Phi(z))| over 2*10^5 z in [-8.3, 8.3], in units")
@njit
def lookup(tab, zs, lo, hi):
    out = np.empty(zs.shape[0])
    zh = 2.0 * A.ZMAX / A.ZGRID
    for i in range(zs.shape[0]):
        out[i] = A.table_lookup(tab, zs[i], A.ZMAX, zh, 1.0 / zh, lo, hi)
    return out
sc = A.Scenario(os.path.join(HERE, '..', '..', 'scenarios', 'baseline.toml'))
zgrid = np.linspace(-A.ZMAX, A.ZMAX, A.ZGRID + 1)
zs = np.random.default_rng(3).uniform(-A.ZMAX, A.ZMAX, 200000)
for name, d in zip(sc.names, sc.orders):
    tab = np.stack(d.quantile_of_normal(zgrid))
    approx = lookup(tab, zs, *d.bounds())
    exact = d.quantile_of_normal(zs)[0]
    bulk = np.abs(zs) < 4
    print(f"  {name:18s} max err {np.abs(approx - exact).max():.2e} (|z| < 4: {np.abs(approx - exact)[bulk].max():.2e}); rounded units differ in {np.mean(np.floor(approx + .5) != np.floor(exact + .5)) * 100:.4f}% of z")

print("proportional rule, claims 100, 200, 300 (MODEL.md: 17,33,50 / 33,67,100 / 50,100,150 / 100,200,300)")
c = np.array([100, 200, 300], np.int64); out = np.empty(3, np.int64); rem = np.empty(3, np.int64)
for E in (100, 200, 300, 600):
    A.proportional(np.int64(E), c, out, rem); print(f"  E={E}: {[int(x) for x in out]}")
# against exact fractions on random claims
from fractions import Fraction
rng = np.random.default_rng(11); bad = 0
for trial in range(20000):
    N = int(rng.integers(1, 8)); c = rng.integers(0, 2000, N).astype(np.int64)
    if rng.random() < 0.3: c[rng.integers(0, N)] = 0
    E = int(rng.integers(0, int(c.sum()) + 50))
    out = np.empty(N, np.int64); rem = np.empty(N, np.int64)
    A.proportional(np.int64(E), c, out, rem)
    C = int(c.sum())
    if E >= C: ref = list(c)
    else:
        x = [Fraction(E * int(ci), C) for ci in c]; fl = [math.floor(xi) for xi in x]
        miss = E - sum(fl); order = sorted(range(N), key=lambda i: (-(x[i] - fl[i]), i))
        ref = fl[:]
        for i in order[:miss]: ref[i] += 1
    bad += list(out) != [int(v) for v in ref]
print(f"  random claim vectors (20,000, 1-7 firms, with zeros): {bad} mismatches against exact fractions")

print("copula orders through the kernel (200,000 trials of baseline.toml): Spearman rho of each pair (target 0.25), KS of each firm's orders against its PERT")
orders = A.run(sc, 200000, sc.seed, lambda name: None)[0]
rs = stats.spearmanr(orders.T).statistic
iu = np.triu_indices(sc.N, 1)
print(f"  pairwise Spearman: min {rs[iu].min():.4f}, mean {rs[iu].mean():.4f}, max {rs[iu].max():.4f} (se about {1/math.sqrt(200000):.4f})")
for i, d in enumerate(sc.orders):
    lo, span, al, be = d.shape()
    ks = stats.kstest((orders[i] - lo) / span, stats.beta(al, be).cdf)
    print(f"  {sc.names[i]:18s} KS D={ks.statistic:.5f} p={ks.pvalue:.3f} (rounding to units moves D by < {1/span:.1e})")
