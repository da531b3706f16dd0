#!/usr/bin/env python3
"""allocsim_numba.py - the allocation model of MODEL.md (version 2) as a tuned Numba kernel.

A speed baseline for allocsim: the implementation a strong Numba user would write for the same
model. One `@njit(parallel=True, cache=True, fastmath=False)` kernel loops over blocks of
trials with `prange`; each trial is plain scalar code on per-block scratch arrays (no per-trial
Python, no per-trial allocation). Its outcomes go into preallocated per-(firm, trial) int32
arrays, and a second parallel kernel reduces each (firm, metric) column to mean, sd, se, min,
max and exact percentiles (np.percentile's linear interpolation, from a two-level histogram and
a quickselect in the few bins that hold the wanted ranks). Beta and PERT draws by rejection
from a strip envelope (the scheme allocsim uses), normals by the ziggurat.

Random numbers come from keyed streams: every input of trial t is drawn from a counter-based
SplitMix64 stream keyed by (seed, t, purpose), the purposes named as in MODEL.md's
"Randomness" table (firm, event and round names hashed), so the results do not depend on the
thread count or on which draws a policy makes unnecessary. They agree with allocsim in
distribution only (allocsim's streams are its own).

Supported (what scenarios/baseline.toml uses, and a little more; anything else is an error
naming the key, exit status 2):
  allocation.rule = "proportional" (largest-remainder rounding, exact in int64)
  distributions fixed (or a plain number), uniform, triangular, pert, beta
  events halt, hold, scale; [[approval.round]] overrides; [[domestic.round]] overrides;
  plain eligible_from; round_cap; carry_over; domestic ratio (a number) / supply / equivalence;
  [dependence] orders = q (one-factor Gaussian copula, Spearman q in [0, 1]).

Usage:
  python allocsim_numba.py SCENARIO.toml [--trials N] [--seed S] [--out summary.csv]
                           [--profile]
Writes summary.csv (firm,metric,stat,value; the metrics and stats of allocsim's summary.csv,
the columns of benches/numpy/allocsim_numpy.py) and rounds.csv beside it, i.e. the same
end-to-end work as `allocsim run --no-charts --quiet`. The thread count is Numba's
(NUMBA_NUM_THREADS; default: every core).
"""
import argparse
import math
import os
import sys
import time
import tomllib

import numpy as np

T_START = time.perf_counter()
import numba  # noqa: E402
from numba import njit, prange  # noqa: E402

TOL = 1e-9
STATS = ["mean", "sd", "se", "min", "p5", "p25", "p50", "p75", "p95", "p99", "max"]
PCTS = [5, 25, 50, 75, 95, 99]
METRICS = ["delivered", "unmet", "domestic", "effective_unmet", "fill_rate", "orders"]
BLOCK = 4096            # trials per prange work item (scratch arrays are per block)
ZMAX = 8.3              # copula tables cover z in [-ZMAX, ZMAX] (|z| > 8.3: P < 1e-16)
ZGRID = 2048            # copula table intervals (spacing 0.0081; cubic Hermite)
INT32_MAX = 2**31 - 1


class Unsupported(Exception):
    pass


# --------------------------------------------------------------------------- scenario


def _check_keys(table, allowed, where):
    extra = set(table) - set(allowed)
    if extra:
        raise Unsupported(f"{where}: unknown or unsupported key(s) {sorted(extra)}")


def _req(table, key, where):
    if key not in table:
        raise Unsupported(f"{where}: missing required key '{key}'")
    return table[key]


def _num(v, where):
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise Unsupported(f"{where}: expected a number, got {v!r}")
    return float(v)


# Distribution rows for the kernel: float64[12]
#  0 kind (0 fixed, 1 uniform, 2 triangular, 3 scaled beta: lo + span * Beta(alpha, beta))
#  1 lo (the value, for fixed)   2 span   3 triangular: (mode - lo) / span; Cheng BC: k1
#  4 beta algorithm: 0 Cheng BB, 1 Cheng BC, 2 strips (both shapes >= 1)
#  Cheng: 5 a = min(alpha, beta), 6 b = max(alpha, beta), 7 swapped (alpha > beta),
#         8 a + b, 9 Cheng's beta, 10 BB: gamma / BC: delta, 11 BC: k2
#  strips: 8 index into the strip tables, 9 alpha - 1, 10 beta - 1, 11 log g at the mode
DROW = 12
K_FIXED, K_UNIFORM, K_TRI, K_BETA = 0, 1, 2, 3
STRIPS = 256            # strips of a Beta envelope (a power of two: the pick uses top bits)


class StripTables:
    """Envelopes for exact Beta rejection sampling when both shapes are >= 1 (the density is
    then bounded and unimodal): [0, 1] in STRIPS equal strips, on each the density's maximum
    (the envelope) and minimum (a squeeze that accepts without evaluating the density); a
    strip is picked with probability proportional to its maximum by Walker's alias method
    (Walker 1977, ACM TOMS 3(3); Vose's construction, 1991). The same scheme as allocsim's
    src/dist/strips.rs, so the two compare as implementations, not as algorithms."""

    def __init__(self):
        self.tabs = []

    def add(self, al, be):
        K = STRIPS
        mode = (al - 1) / (al + be - 2) if al + be > 2 else 0.5
        ca, cb = al - 1.0, be - 1.0

        def logg(x):
            x = np.asarray(x, np.float64)
            with np.errstate(divide="ignore", invalid="ignore"):
                t1 = np.where(ca == 0, 0.0, ca * np.log(x))
                t2 = np.where(cb == 0, 0.0, cb * np.log1p(-x))
            return t1 + t2

        lnorm = float(logg(mode))
        edges = np.linspace(0.0, 1.0, K + 1)
        ge = np.exp(logg(edges) - lnorm)
        gmax = np.maximum(ge[:-1], ge[1:])
        inside = (edges[:-1] <= mode) & (mode <= edges[1:])
        gmax[inside] = 1.0
        gmax *= 1 + 1e-12                      # a bound, whatever the last bit of exp
        gmin = np.minimum(ge[:-1], ge[1:]) * (1 - 1e-12)
        prob, alias = np.ones(K), np.arange(K, dtype=np.float64)
        w = gmax * K / gmax.sum()
        small = [k for k in range(K) if w[k] < 1]
        large = [k for k in range(K) if w[k] >= 1]
        while small and large:
            s_, l_ = small.pop(), large.pop()
            prob[s_], alias[s_] = w[s_], l_
            w[l_] -= 1 - w[s_]
            (small if w[l_] < 1 else large).append(l_)
        self.tabs.append(np.stack([prob, alias, gmax, gmin]))
        return len(self.tabs) - 1, ca, cb, lnorm

    def array(self):
        if not self.tabs:
            return np.zeros((1, 4, STRIPS))
        return np.array(self.tabs)


class Dist:
    KEYS = {
        "fixed": ("value",),
        "uniform": ("min", "max"),
        "triangular": ("min", "mode", "max"),
        "pert": ("min", "mode", "max"),
        "beta": ("alpha", "beta"),
    }

    def __init__(self, spec, where):
        if isinstance(spec, (int, float)) and not isinstance(spec, bool):
            spec = {"dist": "fixed", "value": spec}
        if not isinstance(spec, dict) or "dist" not in spec:
            raise Unsupported(f"{where}: expected a number or an inline table with 'dist'")
        kind = spec["dist"]
        if kind not in self.KEYS:
            raise Unsupported(f"{where}.dist = '{kind}' is not supported by this Numba baseline "
                              f"(supported: {', '.join(self.KEYS)})")
        _check_keys(spec, ("dist",) + self.KEYS[kind], where)
        p = {k: _num(_req(spec, k, where), f"{where}.{k}") for k in self.KEYS[kind]}
        self.kind, self.p, self.where = kind, p, where
        if kind in ("triangular", "pert") and not p["min"] <= p["mode"] <= p["max"]:
            raise Unsupported(f"{where}: need min <= mode <= max")
        if kind == "uniform" and not p["min"] <= p["max"]:
            raise Unsupported(f"{where}: need min <= max")
        if kind == "beta" and not (p["alpha"] > 0 and p["beta"] > 0):
            raise Unsupported(f"{where}: alpha and beta must be > 0")

    def bounds(self):
        p = self.p
        if self.kind == "fixed":
            return p["value"], p["value"]
        if self.kind == "beta":
            return 0.0, 1.0
        return p["min"], p["max"]

    def shape(self):
        """(lo, span, alpha, beta) of a scaled beta, or None."""
        p = self.p
        if self.kind == "beta":
            return 0.0, 1.0, p["alpha"], p["beta"]
        if self.kind == "pert" and p["max"] > p["min"]:
            lo, mo, hi = p["min"], p["mode"], p["max"]
            return lo, hi - lo, 1 + 4 * (mo - lo) / (hi - lo), 1 + 4 * (hi - mo) / (hi - lo)
        return None

    def row(self, strips, use_strips=True):
        r = np.zeros(DROW)
        p = self.p
        lo, hi = self.bounds()
        if self.kind == "fixed" or hi == lo:
            r[0], r[1] = K_FIXED, lo
            return r
        if self.kind == "uniform":
            r[0], r[1], r[2] = K_UNIFORM, lo, hi - lo
            return r
        if self.kind == "triangular":
            r[0], r[1], r[2], r[3] = K_TRI, lo, hi - lo, (p["mode"] - lo) / (hi - lo)
            return r
        lo, span, al, be = self.shape()
        a, b = min(al, be), max(al, be)
        r[0], r[1], r[2] = K_BETA, lo, span
        r[5], r[6], r[7] = a, b, float(al > be)
        alpha = a + b
        if a >= 1.0 and use_strips:   # both shapes >= 1: rejection from a strip envelope
            idx, ca, cb, lnorm = strips.add(al, be)
            r[4], r[8], r[9], r[10], r[11] = 2, idx, ca, cb, lnorm
        elif a > 1.0:  # Cheng (1978) algorithm BB (--beta cheng)
            beta = math.sqrt((alpha - 2) / (2 * a * b - alpha))
            r[4], r[8], r[9], r[10] = 0, alpha, beta, a + 1 / beta
        else:         # Cheng (1978) algorithm BC
            beta = 1 / a
            delta = 1 + b - a
            r[4], r[8], r[9], r[10] = 1, alpha, beta, delta
            k1 = delta * (0.0138889 + 0.0416667 * a) / (b * beta - 0.777778)
            k2 = 0.25 + (0.5 + 0.25 / delta) * a
            r[3], r[11] = k1, k2
        return r

    def quantile_of_normal(self, z):
        """(x, dx/dz) on an array z for x = F^-1(Phi(z)), the copula's map: each half from
        its own tail (ndtr(8.3) rounds to 1), the slope phi(z) / f(x)."""
        from scipy.special import betainccinv, betaincinv, betaln, ndtr
        lo, hi = self.bounds()
        phi = np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
        if self.kind == "fixed" or hi == lo:
            return np.full(z.shape, lo), np.zeros(z.shape)
        span = hi - lo
        low = z <= 0
        pl = ndtr(np.where(low, z, 0.0))          # lower tail probability (z <= 0)
        pu = ndtr(np.where(low, 0.0, -z))         # upper tail probability (z > 0)
        if self.kind == "uniform":
            x = np.where(low, lo + span * pl, hi - span * pu)
            return x, phi * span
        if self.kind == "triangular":
            c = (self.p["mode"] - lo) / span
            below = np.where(low, pl < c, 1 - pu < c)
            u = np.where(below, np.sqrt(np.where(low, pl, 1 - pu) * c),
                         1 - np.sqrt(np.where(low, 1 - pl, pu) * (1 - c)))
            dens = np.where(below, 2 * u / np.where(c > 0, c, 1), 2 * (1 - u) / (1 - c or 1))
            with np.errstate(divide="ignore", invalid="ignore"):
                slope = np.where(dens > 0, phi * span / dens, 0.0)
            return lo + span * u, slope
        lo, span, al, be = self.shape()
        u = np.empty(z.shape)
        u[low] = betaincinv(al, be, pl[low])
        u[~low] = betainccinv(al, be, pu[~low])   # P(X > u) = pu
        um = np.empty(z.shape)                    # 1 - u, accurate in the upper tail:
        um[low] = 1 - u[low]                      # 1 - X ~ Beta(beta, alpha)
        um[~low] = betaincinv(be, al, pu[~low])
        with np.errstate(divide="ignore", invalid="ignore"):
            logf = (al - 1) * np.log(u) + (be - 1) * np.log(um) - betaln(al, be)
            slope = span * np.exp(np.log(phi) - logf)
        slope = np.where(np.isfinite(slope) & (u > 0) & (um > 0), slope, 0.0)
        return lo + span * u, slope

    def within_unit(self):
        lo, hi = self.bounds()
        return 0 <= lo and hi <= 1


def fnv1a64(s):
    h = 0xCBF29CE484222325
    for byte in s.encode():
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def mix64_py(z):
    m = 0xFFFFFFFFFFFFFFFF
    z &= m
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & m
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & m
    return z ^ (z >> 31)


def purpose(*parts):
    """A stream's purpose key, from MODEL.md's group and the scenario's names / round."""
    return mix64_py(fnv1a64("/".join(str(p) for p in parts)))


class Scenario:
    def __init__(self, path):
        with open(path, "rb") as f:
            t = tomllib.load(f)
        _check_keys(t, ("name", "description", "trials", "seed", "rounds", "carry_over",
                        "allocation", "approval", "domestic", "firm", "event", "dependence"),
                    "top level")
        path = "top level"
        self.name = _req(t, "name", path)
        self.trials = int(t.get("trials", 100000))
        self.seed = int(t.get("seed", 0))
        self.R = R = int(_req(t, "rounds", path))
        if R < 1:
            raise Unsupported(f"{path}: rounds must be >= 1")
        self.carry = bool(t.get("carry_over", True))

        alloc = _req(t, "allocation", path)
        _check_keys(alloc, ("rule",), "allocation")
        self.rule = _req(alloc, "rule", "allocation")
        if self.rule != "proportional":
            raise Unsupported(f"allocation.rule = '{self.rule}' is not supported by this Numba "
                              "baseline (only 'proportional', the rule of scenarios/baseline.toml)")

        ap = _req(t, "approval", path)
        _check_keys(ap, ("probability", "batch", "conversion", "round"), "approval")
        p = _num(_req(ap, "probability", "approval"), "approval.probability")
        batch = Dist(_req(ap, "batch", "approval"), "approval.batch")
        self.prob = [p] * R                 # index r - 1
        self.batch = [batch] * R
        for j, ov in enumerate(ap.get("round", [])):
            where = f"approval.round[{j}]"
            _check_keys(ov, ("round", "probability", "batch"), where)
            r = int(_req(ov, "round", where))
            if not 1 <= r <= R:
                raise Unsupported(f"{where}.round: {r} outside 1..{R}")
            if "probability" in ov:
                self.prob[r - 1] = _num(ov["probability"], f"{where}.probability")
            if "batch" in ov:
                self.batch[r - 1] = Dist(ov["batch"], f"{where}.batch")
        for r, q in enumerate(self.prob):
            if not 0 <= q <= 1:
                raise Unsupported(f"approval probability of round {r + 1} outside [0, 1]")
        self.conv = Dist(ap.get("conversion", 1), "approval.conversion")
        if not self.conv.within_unit():
            raise Unsupported("approval.conversion must lie within [0, 1]")

        dom = t.get("domestic", {})
        _check_keys(dom, ("ratio", "supply", "equivalence", "round"), "domestic")
        if isinstance(dom.get("ratio", 0), dict):
            raise Unsupported("domestic.ratio: a distribution is not supported by this Numba "
                              "baseline (a number only)")
        self.rho = _num(dom.get("ratio", 0), "domestic.ratio")
        supply = Dist(dom.get("supply", 0), "domestic.supply")
        self.dsupply = [supply] * R
        for j, ov in enumerate(dom.get("round", [])):
            where = f"domestic.round[{j}]"
            _check_keys(ov, ("round", "supply"), where)
            r = int(_req(ov, "round", where))
            if not 1 <= r <= R:
                raise Unsupported(f"{where}.round: {r} outside 1..{R}")
            self.dsupply[r - 1] = Dist(_req(ov, "supply", where), f"{where}.supply")
        self.equiv = _num(dom.get("equivalence", 0), "domestic.equivalence")
        if self.rho < 0 or self.equiv < 0:
            raise Unsupported("domestic.ratio and domestic.equivalence must be >= 0")

        firms = _req(t, "firm", path)
        self.names, self.orders, self.elig, self.cap = [], [], [], []
        for j, f in enumerate(firms):
            where = f"firm[{j}]"
            _check_keys(f, ("name", "orders", "eligible_from", "round_cap", "priority", "weight"),
                        where)
            self.names.append(str(_req(f, "name", where)))
            self.orders.append(Dist(_req(f, "orders", where), f"{where}.orders"))
            e = f.get("eligible_from", 1)
            if isinstance(e, bool) or not isinstance(e, int):
                raise Unsupported(f"{where}.eligible_from: only a whole number >= 1 is supported "
                                  "by this Numba baseline (not a distribution)")
            if e < 1:
                raise Unsupported(f"{where}.eligible_from: must be >= 1")
            self.elig.append(e)
            if "round_cap" in f:
                c = f["round_cap"]
                if isinstance(c, bool) or not isinstance(c, int) or c < 0:
                    raise Unsupported(f"{where}.round_cap: must be a whole number >= 0")
            self.cap.append(int(f["round_cap"]) if "round_cap" in f else None)
        if len(set(self.names)) != len(self.names):
            raise Unsupported("firm names must be unique")
        self.N = len(self.names)
        top = sum(max(0.0, d.bounds()[1]) for d in self.orders)
        if top >= INT32_MAX:
            raise Unsupported("firm orders: the sum of the largest orders must stay below 2^31 "
                              "(this baseline stores outcomes as int32)")

        self.events = []
        for j, e in enumerate(t.get("event", [])):
            where = f"event[{j}]"
            _check_keys(e, ("name", "effect", "probability", "from_round", "to_round", "factor"),
                        where)
            eff = _req(e, "effect", where)
            if eff not in ("halt", "hold", "scale"):
                raise Unsupported(f"{where}.effect = '{eff}' (halt | hold | scale)")
            if (eff == "scale") != ("factor" in e):
                raise Unsupported(f"{where}: 'factor' is required for scale and only for scale")
            pe = _num(_req(e, "probability", where), f"{where}.probability")
            if not 0 <= pe <= 1:
                raise Unsupported(f"{where}.probability: outside [0, 1]")
            self.events.append(dict(
                name=str(_req(e, "name", where)), effect=("halt", "hold", "scale").index(eff),
                p=pe, lo=max(1, int(e.get("from_round", 1))),
                hi=min(int(e.get("to_round", R)), R),
                factor=_num(e.get("factor", 1.0), f"{where}.factor")))

        self.dep_orders = None
        dep = t.get("dependence", {})
        for key in dep:
            if key != "orders":
                raise Unsupported(f"dependence.{key}: not supported by this Numba baseline "
                                  "(only dependence.orders)")
        if "orders" in dep:
            q = dep["orders"]
            if isinstance(q, list):
                raise Unsupported("dependence.orders: a matrix is not supported by this Numba "
                                  "baseline (a single rank correlation only)")
            q = _num(q, "dependence.orders")
            if not 0 <= q <= 1:
                raise Unsupported("dependence.orders: must lie in [0, 1]")
            self.dep_orders = q


# --------------------------------------------------------------------------- kernel pieces

GAMMA = np.uint64(0x9E3779B97F4A7C15)
M1 = np.uint64(0xBF58476D1CE4E5B9)
M2 = np.uint64(0x94D049BB133111EB)
U30, U27, U31, U11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
TWO_M53 = 1.0 / 9007199254740992.0


@njit(inline="always", cache=True)
def mix64(z):
    """SplitMix64's finaliser (Steele, Lea and Flood 2014): a bijection of 64-bit words."""
    z = (z ^ (z >> U30)) * M1
    z = (z ^ (z >> U27)) * M2
    return z ^ (z >> U31)


@njit(inline="always", cache=True)
def unif(s):
    """Next draw of a SplitMix64 stream with state s: (new state, u in (0, 1))."""
    s = s + GAMMA
    x = mix64(s)
    return s, (np.float64(x >> U11) + 0.5) * TWO_M53


def _ziggurat_tables(n=128, r=3.442619855899, v=9.91256303526217e-3):
    """Layer edges x[0..n] and f(x) = exp(-x^2 / 2) of the 128-layer normal ziggurat
    (Marsaglia and Tsang 2000, J. Stat. Software 5(8); layout of Doornik 2005, "An improved
    ziggurat method", whose x[0] = v / f(r) is the base layer's virtual width)."""
    x = np.empty(n + 1)
    x[0] = v / math.exp(-0.5 * r * r)
    x[1] = r
    for i in range(2, n):
        x[i] = math.sqrt(-2.0 * math.log(v / x[i - 1] + math.exp(-0.5 * x[i - 1] ** 2)))
    x[n] = 0.0
    return x, np.exp(-0.5 * x * x), r


ZIG_X, ZIG_F, ZIG_R = _ziggurat_tables()
ZIG_RATIO = ZIG_X[1:] / ZIG_X[:-1]
U7 = np.uint64(127)


@njit(inline="always", cache=True)
def normal(s):
    """A standard normal by the ziggurat (Doornik's ZIGNOR, exact): each word's low 7 bits
    pick the layer, its top 53 bits the abscissa (independent bits, Doornik's fix); the
    base layer's overhang is the tail beyond r, drawn by Marsaglia's (1964) method."""
    while True:
        s = s + GAMMA
        w = mix64(s)
        i = np.int64(w & U7)
        u = 2.0 * ((np.float64(w >> U11) + 0.5) * TWO_M53) - 1.0
        if abs(u) < ZIG_RATIO[i]:
            return s, u * ZIG_X[i]
        if i == 0:
            while True:
                s, u1 = unif(s)
                s, u2 = unif(s)
                xt = -math.log(u1) / ZIG_R
                yt = -math.log(u2)
                if yt + yt > xt * xt:
                    return s, (ZIG_R + xt) if u > 0 else -(ZIG_R + xt)
        xx = u * ZIG_X[i]
        s, u3 = unif(s)
        if ZIG_F[i + 1] + u3 * (ZIG_F[i] - ZIG_F[i + 1]) < math.exp(-0.5 * xx * xx):
            return s, xx


EXPMAX = 709.782712893384   # log(DBL_MAX)
DBL_MAX = 1.7976931348623157e308


@njit(inline="always", cache=True)
def _vw(u1, beta, aa):
    v = beta * math.log(u1 / (1.0 - u1))
    if v <= EXPMAX:
        w = aa * math.exp(v)
        if math.isinf(w):
            w = DBL_MAX
    else:
        w = DBL_MAX
    return v, w


@njit(cache=True)
def beta_draw(d, s):
    """Beta(alpha, beta) by Cheng (1978), "Generating beta variates with nonintegral shape
    parameters", CACM 21(4): algorithm BB when min(alpha, beta) > 1, BC otherwise; written
    after R's nmath/rbeta.c. d is a distribution row (see Dist.row)."""
    a, b, alpha, beta = d[5], d[6], d[8], d[9]
    if d[4] == 0.0:                        # BB
        gamma = d[10]
        while True:
            s, u1 = unif(s)
            s, u2 = unif(s)
            v, w = _vw(u1, beta, a)
            z = u1 * u1 * u2
            r = gamma * v - 1.3862944
            t = a + r - w
            if t + 2.609438 >= 5.0 * z:
                break
            lz = math.log(z)
            if t > lz:
                break
            if r + alpha * math.log(alpha / (b + w)) >= lz:
                break
        if d[7] != 0.0:
            return s, b / (b + w)
        return s, w / (b + w)
    k1, k2 = d[3], d[11]                   # BC (d[10] holds delta, used only to build k1, k2)
    while True:
        s, u1 = unif(s)
        s, u2 = unif(s)
        if u1 < 0.5:
            y = u1 * u2
            z = u1 * y
            if 0.25 * u2 + z - y >= k1:
                continue
        else:
            z = u1 * u1 * u2
            if z <= 0.25:
                v, w = _vw(u1, beta, b)
                break
            if z >= k2:
                continue
        v, w = _vw(u1, beta, b)
        if alpha * (math.log(alpha / (a + w)) + v) - 1.3862944 >= math.log(z):
            break
    if d[7] == 0.0:
        return s, a / (a + w)
    return s, w / (a + w)


MASK53 = np.uint64((1 << 53) - 1)
U56 = np.uint64(64 - 8)          # log2(STRIPS) = 8 top bits pick a strip


@njit(inline="always", cache=True)
def strips_draw(d, strips, s):
    """Beta(alpha, beta), both >= 1, by rejection from the strip envelope of StripTables:
    one word picks a strip (top 8 bits) and settles the alias coin (low 53 bits); x is
    uniform in the strip and y uniform under its maximum; y below the strip's minimum accepts
    at once, else y is compared with the density (up to its constant; 1 at the mode)."""
    tab = strips[int(d[8])]
    ca, cb, lnorm = d[9], d[10], d[11]
    while True:
        s = s + GAMMA
        w = mix64(s)
        j = np.int64(w >> U56)
        if np.float64(w & MASK53) * TWO_M53 >= tab[0, j]:
            j = np.int64(tab[1, j])
        s, u = unif(s)
        s, v = unif(s)
        x = (j + u) * (1.0 / STRIPS)
        y = v * tab[2, j]
        if y <= tab[3, j]:
            return s, x
        lg = -lnorm
        if ca != 0.0:
            lg += ca * math.log(x)
        if cb != 0.0:
            lg += cb * math.log1p(-x)
        if y <= math.exp(lg):
            return s, x


@njit(inline="always", cache=True)
def draw(d, strips, s):
    """One draw of the distribution row d from the stream with state s."""
    k = d[0]
    if k == 3.0:
        if d[4] == 2.0:
            s, x = strips_draw(d, strips, s)
        else:
            s, x = beta_draw(d, s)
        return s, d[1] + d[2] * x
    if k == 0.0:
        return s, d[1]
    s, u = unif(s)
    if k == 1.0:
        return s, d[1] + d[2] * u
    c = d[3]
    if u < c:
        return s, d[1] + d[2] * math.sqrt(u * c)
    return s, d[1] + d[2] * (1.0 - math.sqrt((1.0 - u) * (1.0 - c)))


@njit(inline="always", cache=True)
def round_units(x):
    """Nearest integer, halves away from zero, clamped at 0 (MODEL.md "Units")."""
    if x <= 0.0:
        return np.int64(0)
    return np.int64(math.floor(x + 0.5))


@njit(inline="always", cache=True)
def tfloor(x):
    """floor with MODEL.md's tolerance, for x >= 0: floor(x + 1e-9 * max(1, x))."""
    return np.int64(math.floor(x + 1e-9 * max(1.0, x)))


@njit(inline="always", cache=True)
def tceil(x):
    """ceil with MODEL.md's tolerance, for x >= 0: ceil(x - 1e-9 * max(1, x))."""
    return np.int64(math.ceil(x - 1e-9 * max(1.0, x)))


@njit(cache=True)
def proportional(E, c, out, rem):
    """out = the proportional rule's split of E among claims c, rounded by largest remainder
    (ties to the lower firm index), exact in int64: x_i = E c_i / C as num / den. Returns
    sum(out) = min(E, sum c). rem is scratch of len(c)."""
    n = c.shape[0]
    C = np.int64(0)
    for i in range(n):
        C += c[i]
    if E >= C:
        for i in range(n):
            out[i] = c[i]
        return C
    given = np.int64(0)
    inv = 1.0 / C
    for i in range(n):
        num = E * c[i]                 # exact: both below 2^31, so num < 2^62
        f = np.int64(num * inv)        # the quotient up to one unit (num < 2^53 here) ...
        r = num - f * C
        if r < 0:                      # ... corrected exactly: no integer division
            f -= 1
            r += C
        elif r >= C:
            f += 1
            r -= C
        out[i] = f
        rem[i] = r
        given += f
    missing = E - given            # 0 <= missing < number of positive remainders
    for _ in range(missing):       # the missing units to the largest remainders, ties to
        best = 0                   # the lower index (strict >)
        bv = rem[0]
        for i in range(1, n):
            if rem[i] > bv:
                bv = rem[i]
                best = i
        out[best] += 1
        rem[best] = -1
    return E


@njit(inline="always", cache=True)
def table_lookup(tab, z, zmax, h, inv_h, lo, hi):
    """Cubic Hermite interpolation of a copula table: tab[0] the values and tab[1] the slopes
    of F^-1(Phi(z)) at z = -zmax + k h; clamped to the support [lo, hi]."""
    g = (z + zmax) * inv_h
    m = tab.shape[1] - 1
    if g <= 0.0:
        return tab[0, 0]
    if g >= m:
        return tab[0, m]
    k = int(g)
    f = g - k
    f1 = 1.0 - f
    x = (f1 * f1 * ((1.0 + 2.0 * f) * tab[0, k] + f * h * tab[1, k])
         + f * f * ((3.0 - 2.0 * f) * tab[0, k + 1] - f1 * h * tab[1, k + 1]))
    return min(max(x, lo), hi)


@njit(parallel=True, cache=True, fastmath=False)
def simulate(n, seed_key, R, carry, rho, strips,
             elig, cap, order_rows, order_lo, order_hi, order_keys, tables, use_copula,
             sq_r, sq_1r, factor_key,
             conv_row, conv_keys, prob, batch_rows, approval_keys, batch_keys,
             supply_rows, domestic_keys,
             ev_effect, ev_p, ev_lo, ev_hi, ev_factor, ev_keys,
             orders_out, delivered_out, domestic_out, cum_out, approved_blocks, halt_blocks):
    """Simulate trials 0..n-1; outcomes into the *_out arrays (firm-major), per block the
    number of trials approved in round r (approved_blocks[block, r]) and halted first in
    round r (halt_blocks[block, r])."""
    N = elig.shape[0]
    E = ev_effect.shape[0]
    nblocks = (n + BLOCK - 1) // BLOCK
    zmax = ZMAX
    zh = 2.0 * ZMAX / ZGRID
    inv_h = ZGRID / (2.0 * ZMAX)
    for blk in prange(nblocks):
        outstanding = np.empty(N, np.int64)
        delivered = np.empty(N, np.int64)
        domestic = np.empty(N, np.int64)
        orders = np.empty(N, np.int64)
        c = np.empty(N, np.int64)
        a = np.empty(N, np.int64)
        tk = np.empty(N, np.int64)
        q = np.empty(N, np.int64)
        d = np.empty(N, np.int64)
        rem = np.empty(N, np.int64)
        t0 = blk * BLOCK
        t1 = min(n, t0 + BLOCK)
        for t in range(t0, t1):
            base = mix64(seed_key + np.uint64(t) * GAMMA)
            # orders (through the copula when [dependence] orders is set)
            if use_copula:
                _, f = normal(mix64(base ^ factor_key))
                for i in range(N):
                    _, e = normal(mix64(base ^ order_keys[i]))
                    x = table_lookup(tables[i], sq_r * f + sq_1r * e, zmax, zh, inv_h,
                                     order_lo[i], order_hi[i])
                    orders[i] = round_units(x)
            else:
                for i in range(N):
                    _, x = draw(order_rows[i], strips, mix64(base ^ order_keys[i]))
                    orders[i] = round_units(x)
            for i in range(N):
                outstanding[i] = orders[i]
                delivered[i] = 0
                domestic[i] = 0
            pool = np.int64(0)
            halted = False
            halt_round = 0
            total_delivered = np.int64(0)
            for r in range(R):
                # 1. shocks
                held = False
                scale = 1.0
                for j in range(E):
                    if ev_lo[j] <= r + 1 <= ev_hi[j]:
                        _, u = unif(mix64(base ^ ev_keys[j, r]))
                        if u < ev_p[j]:
                            eff = ev_effect[j]
                            if eff == 0:
                                if not halted:
                                    halt_round = r + 1
                                halted = True
                            elif eff == 1:
                                held = True
                            else:
                                scale *= ev_factor[j]
                if halted:
                    pool = 0               # a halt loses the carried pool
                if halted or held:         # no supply; a hold keeps the pool whole
                    cum_out[r, t] = total_delivered
                    continue
                # 2. approval and batch
                B = np.int64(0)
                p = prob[r]
                approved = p >= 1.0
                if not approved and p > 0.0:
                    _, u = unif(mix64(base ^ approval_keys[r]))
                    approved = u < p
                if approved:
                    approved_blocks[blk, r] += 1
                    _, x = draw(batch_rows[r], strips, mix64(base ^ batch_keys[r]))
                    B = round_units(x * scale)
                # 3. supply, 4. claims
                S = B + pool
                for i in range(N):
                    ci = outstanding[i] if elig[i] <= r + 1 else 0
                    c[i] = min(ci, cap[i])
                # 5. allocation
                proportional(S, c, a, rem)
                # 6. conversion
                tsum = np.int64(0)
                for i in range(N):
                    if a[i] > 0:
                        _, k = draw(conv_row, strips, mix64(base ^ conv_keys[i, r]))
                        tk[i] = tfloor(k * a[i])
                    else:
                        tk[i] = 0
                    tsum += tk[i]
                # 7. domestic bundling, 8. delivery
                hsum = np.int64(0)
                if rho > 0.0 and tsum > 0:
                    qsum = np.int64(0)
                    for i in range(N):
                        q[i] = tceil(rho * tk[i])
                        qsum += q[i]
                    _, x = draw(supply_rows[r], strips, mix64(base ^ domestic_keys[r]))
                    Q = round_units(x)
                    if qsum <= Q:
                        for i in range(N):
                            delivered[i] += tk[i]
                            outstanding[i] -= tk[i]
                            domestic[i] += q[i]
                        hsum = tsum
                    else:
                        proportional(Q, q, d, rem)
                        for i in range(N):
                            h = min(tk[i], tfloor(d[i] / rho))
                            delivered[i] += h
                            outstanding[i] -= h
                            domestic[i] += d[i]
                            hsum += h
                else:
                    for i in range(N):
                        delivered[i] += tk[i]
                        outstanding[i] -= tk[i]
                    hsum = tsum
                # 9. carry-over
                pool = S - hsum if carry else 0
                total_delivered += hsum
                cum_out[r, t] = total_delivered
            for i in range(N):
                orders_out[i, t] = orders[i]
                delivered_out[i, t] = delivered[i]
                domestic_out[i, t] = domestic[i]
            if halt_round > 0:
                halt_blocks[blk, halt_round - 1] += 1


# --------------------------------------------------------------------------- statistics


@njit(inline="always", cache=True)
def _lerp(a, b, t):
    """np.percentile's linear interpolation (numpy's _lerp, exact at both ends)."""
    diff = b - a
    if t >= 0.5:
        return b - diff * (1.0 - t)
    return a + diff * t


@njit(cache=True)
def _select(x, lo, hi, k):
    """Quickselect (Hoare partition, median-of-three pivot): afterwards x[k] is the k-th
    smallest of x[lo..hi], everything left of it <= it, everything right >= it."""
    while hi > lo:
        mid = (lo + hi) >> 1
        a, b, c = x[lo], x[mid], x[hi]
        if a > b:
            a, b = b, a
        if b > c:
            b = c
            if a > b:
                b = a
        pivot = b
        i, j = lo, hi
        while i <= j:
            while x[i] < pivot:
                i += 1
            while x[j] > pivot:
                j -= 1
            if i <= j:
                x[i], x[j] = x[j], x[i]
                i += 1
                j -= 1
        if k <= j:
            hi = j
        elif k >= i:
            lo = i
        else:
            return


NBINS = 1 << 14


@njit(cache=True)
def column_stats(v, fracs, row):
    """row = mean, sd, se, min, the percentiles at fracs (np.percentile's default 'linear'
    method, exact), max of the values v. Percentiles by a two-level histogram: a pass counts
    the values in NBINS equal bins over [min, max] (a monotone map, so the k-th smallest
    value lies in the bin where the cumulative count passes k), a second gathers the values
    of the few bins holding the wanted ranks, and a quickselect in each finds them."""
    n = v.shape[0]
    mn = v[0]
    mx = v[0]
    s = 0.0
    for i in range(n):
        x = v[i]
        s += x
        if x < mn:
            mn = x
        if x > mx:
            mx = x
    mean = s / n
    ss = 0.0
    for i in range(n):
        dx = v[i] - mean
        ss += dx * dx
    sd = math.sqrt(ss / (n - 1)) if n > 1 else 0.0
    m = fracs.shape[0]
    row[0] = mean
    row[1] = sd
    row[2] = sd / math.sqrt(n)
    row[3] = mn
    row[4 + m] = mx
    if mx == mn:
        for j in range(m):
            row[4 + j] = mn
        return
    scale = NBINS / (mx - mn)
    counts = np.zeros(NBINS, np.int64)
    for i in range(n):
        counts[min(int((v[i] - mn) * scale), NBINS - 1)] += 1
    # wanted ranks (k and k + 1 of each percentile), their bins and ranks within the bin
    ranks = np.empty(2 * m, np.int64)
    for j in range(m):
        k = int(math.floor(fracs[j] * (n - 1)))
        ranks[2 * j] = k
        ranks[2 * j + 1] = min(k + 1, n - 1)
    rbin = np.empty(2 * m, np.int64)
    rin = np.empty(2 * m, np.int64)
    starts = np.empty(NBINS, np.int64)
    acc = np.int64(0)
    for b in range(NBINS):
        starts[b] = acc
        acc += counts[b]
    for q in range(2 * m):
        lo_b, hi_b = 0, NBINS - 1            # the last bin whose start <= rank
        while lo_b < hi_b:
            mid = (lo_b + hi_b + 1) >> 1
            if starts[mid] <= ranks[q]:
                lo_b = mid
            else:
                hi_b = mid - 1
        rbin[q] = lo_b
        rin[q] = ranks[q] - starts[lo_b]
    slot = np.full(NBINS, -1, np.int64)
    nslots = 0
    for q in range(2 * m):
        if slot[rbin[q]] < 0:
            slot[rbin[q]] = nslots
            nslots += 1
    offs = np.zeros(nslots + 1, np.int64)
    for b in range(NBINS):
        if slot[b] >= 0:
            offs[slot[b] + 1] = counts[b]
    for j in range(nslots):
        offs[j + 1] += offs[j]
    buf = np.empty(offs[nslots], np.float64)
    fill = offs[:nslots].copy()
    for i in range(n):
        x = v[i]
        sl = slot[min(int((x - mn) * scale), NBINS - 1)]
        if sl >= 0:
            buf[fill[sl]] = x
            fill[sl] += 1
    vals = np.empty(2 * m, np.float64)
    for q in range(2 * m):
        sl = slot[rbin[q]]
        lo_i = offs[sl]
        hi_i = offs[sl + 1] - 1
        _select(buf, lo_i, hi_i, lo_i + rin[q])
        vals[q] = buf[lo_i + rin[q]]
    for j in range(m):
        h = fracs[j] * (n - 1)
        row[4 + j] = _lerp(vals[2 * j], vals[2 * j + 1], h - math.floor(h))


@njit(parallel=True, cache=True)
def summarize(orders, delivered, domestic, equiv, fracs, out, cum, round_out, workers):
    """out[metric, firm, stat] for METRICS x (firms + total) x STATS (metric index:
    0 delivered, 1 unmet, 2 domestic, 3 effective_unmet, 4 fill_rate, 5 orders; firm index N
    is the total); round_out[r] the same stats of the cumulative total delivered after round
    r. Work item w of `workers` takes columns w, w + workers, ... with buffers of its own
    (allocated once: a fresh 8n-byte array per column costs its page faults every time)."""
    N, n = orders.shape
    M = N + 1
    R = cum.shape[0]
    ncols = 6 * M + R
    for w in prange(workers):
        v = np.empty(n, np.float64)
        den = np.empty(n, np.float64)
        for col in range(w, ncols, workers):
            column(orders, delivered, domestic, equiv, fracs, out, cum, round_out, col, v, den)


@njit(cache=True)
def column(orders, delivered, domestic, equiv, fracs, out, cum, round_out, col, v, den):
    """Fill the buffer v with column col's per-trial values, and its stats into out."""
    N, n = orders.shape
    M = N + 1
    if col >= 6 * M:
        r = col - 6 * M
        for t in range(n):
            v[t] = cum[r, t]
        column_stats(v, fracs, round_out[r])
        return
    m = col // M
    j = col % M
    lo_f = j if j < N else 0           # the firms summed into this column
    hi_f = j + 1 if j < N else N
    for t in range(n):
        v[t] = 0.0
    if m == 4:                         # fill rate: delivered / orders (1 without orders)
        for t in range(n):
            den[t] = 0.0
        for i in range(lo_f, hi_f):
            for t in range(n):
                v[t] += delivered[i, t]
                den[t] += orders[i, t]
        for t in range(n):
            v[t] = v[t] / den[t] if den[t] > 0 else 1.0
    else:
        for i in range(lo_f, hi_f):
            if m == 0:
                for t in range(n):
                    v[t] += delivered[i, t]
            elif m == 1:
                for t in range(n):
                    v[t] += np.int64(orders[i, t]) - np.int64(delivered[i, t])
            elif m == 2:
                for t in range(n):
                    v[t] += domestic[i, t]
            elif m == 3:               # a total's effective unmet sums the firms'
                for t in range(n):
                    v[t] += max(np.int64(0), np.int64(orders[i, t])
                                - np.int64(delivered[i, t])
                                - tfloor(equiv * domestic[i, t]))
            else:
                for t in range(n):
                    v[t] += orders[i, t]
    column_stats(v, fracs, out[m, j])


# --------------------------------------------------------------------------- driver


def build_inputs(sc, seed, use_strips=True):
    """The kernel's parameter arrays: distribution rows, stream purposes, copula tables."""
    N, R = sc.N, sc.R
    u64 = np.uint64
    inp = {}
    strips = StripTables()
    inp["seed_key"] = u64(mix64_py(seed & 0xFFFFFFFFFFFFFFFF))
    inp["elig"] = np.array(sc.elig, np.int64)
    inp["cap"] = np.array([c if c is not None else np.iinfo(np.int64).max for c in sc.cap],
                          np.int64)
    inp["order_rows"] = np.array([d.row(strips, use_strips) for d in sc.orders])
    inp["order_keys"] = np.array([purpose("orders", nm) for nm in sc.names], u64)
    inp["factor_key"] = u64(purpose("orders", "#factor"))
    if sc.dep_orders is not None:
        r = 2 * math.sin(math.pi * sc.dep_orders / 6)   # Spearman -> Pearson (MODEL.md)
        z = np.linspace(-ZMAX, ZMAX, ZGRID + 1)
        inp["tables"] = np.array([np.stack(d.quantile_of_normal(z)) for d in sc.orders])
        inp["use_copula"], inp["sq_r"], inp["sq_1r"] = True, math.sqrt(r), math.sqrt(1 - r)
    else:
        inp["tables"] = np.zeros((N, 2, 2))
        inp["use_copula"], inp["sq_r"], inp["sq_1r"] = False, 0.0, 1.0
    inp["order_lo"] = np.array([d.bounds()[0] for d in sc.orders])
    inp["order_hi"] = np.array([d.bounds()[1] for d in sc.orders])
    inp["conv_row"] = sc.conv.row(strips, use_strips)
    inp["conv_keys"] = np.array([[purpose("conversion", nm, r) for r in range(1, R + 1)]
                                 for nm in sc.names], u64).reshape(N, R)
    inp["prob"] = np.array(sc.prob, np.float64)
    inp["batch_rows"] = np.array([d.row(strips, use_strips) for d in sc.batch])
    inp["approval_keys"] = np.array([purpose("approval", r) for r in range(1, R + 1)], u64)
    inp["batch_keys"] = np.array([purpose("batch", r) for r in range(1, R + 1)], u64)
    inp["supply_rows"] = np.array([d.row(strips, use_strips) for d in sc.dsupply])
    inp["domestic_keys"] = np.array([purpose("domestic", r) for r in range(1, R + 1)], u64)
    ev = sc.events
    inp["ev_effect"] = np.array([e["effect"] for e in ev], np.int64)
    inp["ev_p"] = np.array([e["p"] for e in ev], np.float64)
    inp["ev_lo"] = np.array([e["lo"] for e in ev], np.int64)
    inp["ev_hi"] = np.array([e["hi"] for e in ev], np.int64)
    inp["ev_factor"] = np.array([e["factor"] for e in ev], np.float64)
    inp["ev_keys"] = np.array([[purpose("shock", e["name"], r) for r in range(1, R + 1)]
                               for e in ev], u64).reshape(len(ev), R)
    inp["strips"] = strips.array()
    return inp


def run(sc, n, seed, timer, use_strips=True):
    N, R = sc.N, sc.R
    inp = build_inputs(sc, seed, use_strips)
    timer("parameters+copula tables")
    orders = np.empty((N, n), np.int32)
    delivered = np.empty((N, n), np.int32)
    domestic = np.empty((N, n), np.int32)
    cum = np.empty((R, n), np.int32)
    halt_blocks = np.zeros(((n + BLOCK - 1) // BLOCK, R), np.int64)
    approved_blocks = np.zeros(((n + BLOCK - 1) // BLOCK, R), np.int64)
    simulate(n, inp["seed_key"], R, sc.carry, sc.rho, inp["strips"],
             inp["elig"], inp["cap"], inp["order_rows"], inp["order_lo"], inp["order_hi"],
             inp["order_keys"], inp["tables"],
             inp["use_copula"], inp["sq_r"], inp["sq_1r"], inp["factor_key"],
             inp["conv_row"], inp["conv_keys"], inp["prob"], inp["batch_rows"],
             inp["approval_keys"], inp["batch_keys"], inp["supply_rows"], inp["domestic_keys"],
             inp["ev_effect"], inp["ev_p"], inp["ev_lo"], inp["ev_hi"], inp["ev_factor"],
             inp["ev_keys"], orders, delivered, domestic, cum, approved_blocks, halt_blocks)
    timer("simulate")
    return (orders, delivered, domestic, cum, approved_blocks.sum(axis=0) / n,
            halt_blocks.sum(axis=0) / n)


def write_summary(sc, table, path):
    names = sc.names + ["total"]
    lines = ["firm,metric,stat,value"]
    for j, firm in enumerate(names):
        for mi, m in enumerate(METRICS):
            for si, s in enumerate(STATS):
                lines.append(f"{firm},{m},{s},{table[mi, j, si]:.9g}")
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, path)


def write_rounds(sc, approved_rate, halt_rate, round_table, path):
    lines = ["round,approval_rate,halt_rate,halted_share,delivered_mean,delivered_p5,"
             "delivered_p25,delivered_p50,delivered_p75,delivered_p95"]
    rt = round_table
    sel = [PCTS.index(q) for q in (5, 25, 50, 75, 95)]
    share = 0.0
    for r in range(1, sc.R + 1):
        share += halt_rate[r - 1]
        lines.append(f"{r},{approved_rate[r - 1]:.6f},{halt_rate[r - 1]:.6f},{share:.6f},"
                     f"{rt[r - 1, 0]:.3f}," + ",".join(f"{rt[r - 1, 4 + k]:.3f}" for k in sel))
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenario")
    ap.add_argument("--trials", type=int)
    ap.add_argument("--seed", type=int)
    ap.add_argument("--out", default="summary.csv", help="summary CSV path (rounds.csv beside it)")
    ap.add_argument("--profile", action="store_true", help="print wall time per section")
    ap.add_argument("--beta", choices=("strips", "cheng"), default="strips",
                    help="Beta/PERT sampler for shapes >= 1: strip envelope (default) or "
                         "Cheng's BB (a check that the two agree)")
    a = ap.parse_args(argv)

    sections = {"imports": (time.perf_counter() - T_START, 0.0)}
    last = [time.perf_counter(), time.process_time()]

    def timer(name):
        now = [time.perf_counter(), time.process_time()]
        w, c = sections.get(name, (0.0, 0.0))
        sections[name] = (w + now[0] - last[0], c + now[1] - last[1])
        last[:] = now

    t0, c0 = last
    try:
        sc = Scenario(a.scenario)
    except (Unsupported, KeyError, ValueError, TypeError, tomllib.TOMLDecodeError) as e:
        print(f"allocsim_numba: {a.scenario}: {e}", file=sys.stderr)
        return 2
    except OSError as e:       # a scenario that cannot be read is bad input, as for allocsim
        print(f"allocsim_numba: {a.scenario}: cannot read the scenario: {e.strerror}",
              file=sys.stderr)
        return 2
    timer("read scenario")
    n = a.trials or sc.trials
    if n < 1:
        print("allocsim_numba: --trials must be >= 1", file=sys.stderr)
        return 2
    seed = a.seed if a.seed is not None else sc.seed
    orders, delivered, domestic, cum, appr, halt_rate = run(sc, n, seed, timer,
                                                           a.beta == "strips")
    fracs = np.array(PCTS, np.float64) / 100.0
    table = np.empty((len(METRICS), sc.N + 1, len(STATS)))
    round_table = np.empty((sc.R, len(STATS)))
    summarize(orders, delivered, domestic, sc.equiv, fracs, table, cum, round_table,
              numba.get_num_threads())
    timer("summary stats")
    out_dir = os.path.dirname(os.path.abspath(a.out))
    os.makedirs(out_dir, exist_ok=True)
    write_summary(sc, table, a.out)
    write_rounds(sc, appr, halt_rate, round_table, os.path.join(out_dir, "rounds.csv"))
    timer("write csv")
    total = time.perf_counter() - t0
    cpu = time.process_time() - c0
    if a.profile:
        print(f"  {'section':26s} {'wall s':>7s} {'cpu s':>7s}", file=sys.stderr)
        for k, (w, c) in sections.items():
            print(f"  {k:26s} {w:7.3f} {c:7.3f}", file=sys.stderr)
        print(f"  {'total (after imports)':26s} {total:7.3f} {cpu:7.3f}", file=sys.stderr)
    di = METRICS.index("delivered")
    print(f"{sc.name}: {n} trials in {total:.2f} s; total delivered mean "
          f"{table[di, sc.N, 0]:.1f} (p5 {table[di, sc.N, 4]:.0f}, "
          f"p95 {table[di, sc.N, 8]:.0f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
