#!/usr/bin/env python3
"""allocsim_numpy.py - the allocation model of MODEL.md in vectorised NumPy.

A speed baseline for allocsim: the implementation "a Python analyst would write" for the same
model. All trials are simulated at once, with arrays of shape (trials,) and (trials, firms) and
one pass of NumPy operations per round; there is no per-trial Python loop, and no numba,
multiprocessing or other accelerator.

Random numbers come from one np.random.default_rng(seed) stream drawn in bulk, so results agree
with allocsim in distribution (within Monte Carlo error), not trial by trial.

Supported (what the five shipped scenarios use; anything else is an error naming the key):
  allocation.rule = "proportional"
  distributions fixed (or a plain number), uniform, triangular, pert, beta
  events halt, hold, scale; [[approval.round]] overrides; eligible_from; round_cap;
  carry_over; domestic ratio/supply/equivalence.

Usage:
  python allocsim_numpy.py SCENARIO.toml [--trials N] [--seed S] [--out summary.csv]
                           [--profile]
Writes summary.csv (firm,metric,stat,value; the metrics and stats of allocsim's summary.csv)
and rounds.csv beside it (per round: approval_rate, halt_rate, halted_share and the mean and
percentiles of cumulative total delivered), i.e. the same end-to-end work as
`allocsim run --no-charts`.
"""
import argparse
import os
import sys
import time
import tomllib

import numpy as np

TOL = 1e-9
DEFAULT_CHUNK = 1 << 16
STATS = ["mean", "sd", "se", "min", "p5", "p25", "p50", "p75", "p95", "p99", "max"]
PCTS = [5, 25, 50, 75, 95, 99]
METRICS = ["delivered", "unmet", "domestic", "effective_unmet", "fill_rate", "orders"]


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


class Dist:
    """A distribution spec; sample(rng, n) returns float64 draws."""

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
            raise Unsupported(f"{where}: distribution '{kind}' is not supported by this "
                              f"baseline (supported: {', '.join(self.KEYS)})")
        _check_keys(spec, ("dist",) + self.KEYS[kind], where)
        p = {k: float(_req(spec, k, where)) for k in self.KEYS[kind]}
        self.kind, self.p, self.where = kind, p, where
        if kind in ("uniform", "triangular", "pert") and not p["min"] <= p.get("mode", p["min"]) <= p["max"]:
            raise Unsupported(f"{where}: need min <= mode <= max")
        if kind == "uniform" and not p["min"] <= p["max"]:
            raise Unsupported(f"{where}: need min <= max")
        if kind == "beta" and not (p["alpha"] > 0 and p["beta"] > 0):
            raise Unsupported(f"{where}: alpha and beta must be > 0")

    def sample(self, rng, n):
        k, p = self.kind, self.p
        if k == "fixed":
            return np.full(n, p["value"])
        if k == "uniform":
            return rng.uniform(p["min"], p["max"], n)
        if k == "beta":
            return rng.beta(p["alpha"], p["beta"], n)
        lo, mo, hi = p["min"], p["mode"], p["max"]
        if hi == lo:
            return np.full(n, lo)
        if k == "triangular":
            return rng.triangular(lo, mo, hi, n)
        a = 1 + 4 * (mo - lo) / (hi - lo)  # beta-PERT, shape 4
        b = 1 + 4 * (hi - mo) / (hi - lo)
        return lo + (hi - lo) * rng.beta(a, b, n)

    def within_unit(self):
        if self.kind == "fixed":
            return 0 <= self.p["value"] <= 1
        if self.kind == "beta":
            return True
        return 0 <= self.p["min"] and self.p["max"] <= 1


class Scenario:
    def __init__(self, path):
        with open(path, "rb") as f:
            t = tomllib.load(f)
        _check_keys(t, ("name", "description", "trials", "seed", "rounds", "carry_over",
                        "allocation", "approval", "domestic", "firm", "event"), path)
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
            raise Unsupported(f"allocation.rule = '{self.rule}' is not supported by this NumPy "
                              "baseline (only 'proportional', the rule the shipped scenarios use)")

        ap = _req(t, "approval", path)
        _check_keys(ap, ("probability", "batch", "conversion", "round"), "approval")
        p = float(_req(ap, "probability", "approval"))
        batch = Dist(_req(ap, "batch", "approval"), "approval.batch")
        self.prob = [p] * (R + 1)           # index r = 1..R
        self.batch = [batch] * (R + 1)
        for j, ov in enumerate(ap.get("round", [])):
            where = f"approval.round[{j}]"
            _check_keys(ov, ("round", "probability", "batch"), where)
            r = int(_req(ov, "round", where))
            if not 1 <= r <= R:
                raise Unsupported(f"{where}: round {r} outside 1..{R}")
            if "probability" in ov:
                self.prob[r] = float(ov["probability"])
            if "batch" in ov:
                self.batch[r] = Dist(ov["batch"], f"{where}.batch")
        self.conv = Dist(ap.get("conversion", 1), "approval.conversion")
        if not self.conv.within_unit():
            raise Unsupported("approval.conversion must lie within [0, 1]")

        dom = t.get("domestic", {})
        _check_keys(dom, ("ratio", "supply", "equivalence"), "domestic")
        self.rho = float(dom.get("ratio", 0))
        self.dsupply = Dist(dom.get("supply", 0), "domestic.supply")
        self.equiv = float(dom.get("equivalence", 0))
        if self.rho < 0 or self.equiv < 0:
            raise Unsupported("domestic.ratio and domestic.equivalence must be >= 0")

        firms = _req(t, "firm", path)
        self.names, self.orders, self.elig, self.cap = [], [], [], []
        for j, f in enumerate(firms):
            where = f"firm[{j}]"
            _check_keys(f, ("name", "orders", "eligible_from", "round_cap", "priority", "weight"),
                        where)
            self.names.append(_req(f, "name", where))
            self.orders.append(Dist(_req(f, "orders", where), f"{where}.orders"))
            self.elig.append(int(f.get("eligible_from", 1)))
            self.cap.append(int(f["round_cap"]) if "round_cap" in f else None)
        if len(set(self.names)) != len(self.names):
            raise Unsupported("firm names must be unique")
        self.N = len(self.names)

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
            self.events.append(dict(
                name=_req(e, "name", where), effect=eff,
                p=float(_req(e, "probability", where)),
                lo=max(1, int(e.get("from_round", 1))),
                hi=min(int(e.get("to_round", R)), R),
                factor=float(e.get("factor", 1.0))))


# --------------------------------------------------------------------------- integer helpers


def round_units(x):
    """Nearest integer, halves away from zero, clamped at 0 -> int64."""
    return np.maximum(np.floor(np.abs(x) + 0.5) * np.sign(x), 0).astype(np.int64)


def tfloor(x):
    """floor, where a value within 1e-9*max(1,|x|) of an integer counts as that integer.
    For x >= 0 (all uses here) that is floor(x + 1e-9*max(1, x))."""
    return np.floor(x + TOL * np.maximum(1.0, x)).astype(np.int64)


def tceil(x):
    """ceil with the same tolerance, for x >= 0: ceil(x - 1e-9*max(1, x))."""
    return np.ceil(x - TOL * np.maximum(1.0, x)).astype(np.int64)


def proportional(E, c):
    """Proportional rule with largest-remainder rounding, row by row, vectorised over rows.

    E: (n,) int64 amounts, c: (n, N) int64 claims. Returns a (n, N) int64 with
    a_i <= c_i and sum a = min(E, sum c). Exact: x_i = E*c_i/C as integer num/den.
    """
    C = c.sum(axis=1)
    a = c.copy()                          # E >= C: everyone gets the full claim
    short = E < C                         # rows that need the rule (C > 0 here)
    if short.any():
        cs, Es, Cs = c[short], E[short], C[short]
        num = Es[:, None] * cs            # exact in int64 (units < ~1e9 each)
        fl = num // Cs[:, None]
        rem = num - fl * Cs[:, None]      # fractional parts, times C
        missing = Es - fl.sum(axis=1)     # 0 <= missing < N
        # rank of each firm when sorting fractional parts descending, ties to lower index
        order = np.argsort(-rem, axis=1, kind="stable")
        rank = np.empty_like(order)
        np.put_along_axis(rank, order, np.arange(c.shape[1])[None, :], axis=1)
        a[short] = fl + (rank < missing[:, None])
    return a


# --------------------------------------------------------------------------- simulation


def simulate(sc, n, seed, timer, chunk=DEFAULT_CHUNK):
    """Run n trials in chunks of `chunk` trials (bounded temporaries: each chunk's arrays stay
    small enough to be reused by the allocator instead of freshly mapped), then concatenate
    the per-trial outcomes."""
    rng = np.random.default_rng(seed)
    parts = [simulate_chunk(sc, min(chunk, n - s), rng, timer) for s in range(0, n, chunk)]
    orders, delivered, domestic, approved, halt_round, cum = zip(*parts)
    out = (np.concatenate(orders), np.concatenate(delivered), np.concatenate(domestic),
           np.sum(approved, axis=0) / n, np.concatenate(halt_round),
           np.concatenate(cum, axis=1))
    timer("concatenate chunks")
    return out


def simulate_chunk(sc, n, rng, timer):
    N, R = sc.N, sc.R

    orders = np.empty((n, N), dtype=np.int64)
    for i, d in enumerate(sc.orders):
        orders[:, i] = round_units(d.sample(rng, n))
    timer("draw orders")

    outstanding = orders.copy()
    delivered = np.zeros((n, N), dtype=np.int64)
    domestic = np.zeros((n, N), dtype=np.int64)
    pool = np.zeros(n, dtype=np.int64)
    halted = np.zeros(n, dtype=bool)
    halt_round = np.zeros(n, dtype=np.int64)              # 0 = no halt
    approved_count = np.zeros(R, dtype=np.int64)
    cum = np.empty((R, n), dtype=np.int64)                 # cumulative total delivered
    caps = np.array([c if c is not None else np.iinfo(np.int64).max for c in sc.cap])
    elig_from = np.array(sc.elig)

    for r in range(1, R + 1):
        # 1. shocks
        held = np.zeros(n, dtype=bool)
        scale = np.ones(n)
        for ev in sc.events:
            if not ev["lo"] <= r <= ev["hi"]:
                continue
            fired = rng.random(n) < ev["p"]
            if ev["effect"] == "halt":
                halt_round[fired & ~halted] = r
                halted |= fired
            elif ev["effect"] == "hold":
                held |= fired
            else:
                scale[fired] *= ev["factor"]
        active = ~halted & ~held
        pool[halted] = 0                                   # a halt loses the carried pool

        # 2. approval and batch
        approved = active & (rng.random(n) < sc.prob[r])
        approved_count[r - 1] = approved.sum()
        B = np.zeros(n, dtype=np.int64)
        na = int(approved.sum())
        if na:
            B[approved] = round_units(sc.batch[r].sample(rng, na) * scale[approved])
        timer("shocks+approval")

        # 3. supply (held and halted trials: S = 0, pool kept / already zero)
        S = np.where(active, B + pool, 0)

        # 4. claims
        c = np.minimum(outstanding, caps[None, :])
        c[:, elig_from > r] = 0
        c[~active] = 0

        # 5. allocation
        a = proportional(S, c)
        timer("allocation")

        # 6. conversion: one draw per trial and firm (a draw where a_i = 0 has no effect;
        # drawing all of them is cheaper in NumPy than masking)
        k = sc.conv.sample(rng, n * N).reshape(n, N)
        t = tfloor(k * a)
        timer("conversion")

        # 7. domestic bundling
        if sc.rho > 0:
            q = tceil(sc.rho * t)
            Q = round_units(sc.dsupply.sample(rng, n))
            Q[~active] = 0
            bind = q.sum(axis=1) > Q
            d = q
            h = t
            if bind.any():
                d = q.copy()
                h = t.copy()
                db = proportional(Q[bind], q[bind])
                d[bind] = db
                h[bind] = np.minimum(t[bind], tfloor(db / sc.rho))
        else:
            d = np.zeros_like(t)
            h = t
        timer("domestic")

        # 8. delivery
        delivered += h
        outstanding -= h
        domestic += d
        # 9. carry-over (held trials keep their pool, halted ones have none)
        leftover = S - h.sum(axis=1)
        pool = np.where(active, leftover if sc.carry else 0, pool)
        cum[r - 1] = delivered.sum(axis=1)
        timer("delivery+carry")

    return orders, delivered, domestic, approved_count, halt_round, cum


# --------------------------------------------------------------------------- summary


def metrics_of(sc, orders, delivered, domestic):
    unmet = orders - delivered
    if sc.equiv > 0:
        eff = np.maximum(0, unmet - tfloor(sc.equiv * domestic))
    else:
        eff = np.maximum(0, unmet)
    fill = np.where(orders > 0, delivered / np.maximum(orders, 1), 1.0)
    tot_o, tot_d = orders.sum(1), delivered.sum(1)
    tot_fill = np.where(tot_o > 0, tot_d / np.maximum(tot_o, 1), 1.0)
    per = dict(delivered=delivered, unmet=unmet, domestic=domestic, effective_unmet=eff,
               fill_rate=fill, orders=orders)
    tot = dict(delivered=tot_d, unmet=unmet.sum(1), domestic=domestic.sum(1),
               effective_unmet=eff.sum(1), fill_rate=tot_fill, orders=tot_o)
    return per, tot


def stats_rows(values):
    """values: (n, k) array; returns dict stat -> (k,) array."""
    v = np.ascontiguousarray(values.T, dtype=np.float64)     # (k, n): one row per column
    n = v.shape[1]
    sd = v.std(axis=1, ddof=1) if n > 1 else np.zeros(v.shape[0])
    p = np.percentile(v, PCTS, axis=1)
    out = dict(mean=v.mean(axis=1), sd=sd, se=sd / np.sqrt(n), min=v.min(axis=1),
               max=v.max(axis=1))
    for j, q in enumerate(PCTS):
        out[f"p{q}"] = p[j]
    return out


def write_summary(sc, per, tot, path):
    names = sc.names + ["total"]
    lines = ["firm,metric,stat,value"]
    table = {}
    for m in METRICS:
        cols = np.column_stack([per[m], tot[m][:, None]])   # (n, N+1)
        table[m] = stats_rows(cols)
    for j, firm in enumerate(names):
        for m in METRICS:
            for s in STATS:
                lines.append(f"{firm},{m},{s},{table[m][s][j]:.9g}")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return table


def write_rounds(sc, approved_rate, halt_round, cum, path):
    lines = ["round,approval_rate,halt_rate,halted_share,delivered_mean,delivered_p5,"
             "delivered_p25,delivered_p50,delivered_p75,delivered_p95"]
    pc = np.percentile(cum.astype(np.float64), [5, 25, 50, 75, 95], axis=1)   # (5, R)
    for r in range(1, sc.R + 1):
        hr = halt_round == r
        hs = (halt_round > 0) & (halt_round <= r)
        lines.append(f"{r},{approved_rate[r-1]:.6f},{hr.mean():.6f},{hs.mean():.6f},"
                     f"{cum[r-1].mean():.3f}," + ",".join(f"{x:.3f}" for x in pc[:, r - 1]))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


# --------------------------------------------------------------------------- main


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenario")
    ap.add_argument("--trials", type=int)
    ap.add_argument("--seed", type=int)
    ap.add_argument("--out", default="summary.csv", help="summary CSV path (rounds.csv beside it)")
    ap.add_argument("--chunk", type=int, default=DEFAULT_CHUNK,
                    help=f"trials simulated per batch of array operations (default {DEFAULT_CHUNK})")
    ap.add_argument("--profile", action="store_true", help="print wall time per section")
    a = ap.parse_args(argv)

    sections = {}
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
        print(f"allocsim_numpy: {a.scenario}: {e}", file=sys.stderr)
        return 2
    timer("read scenario")
    n = a.trials or sc.trials
    seed = a.seed if a.seed is not None else sc.seed
    orders, delivered, domestic, appr, halt_round, cum = simulate(sc, n, seed, timer, a.chunk)
    per, tot = metrics_of(sc, orders, delivered, domestic)
    timer("outcome metrics")
    out_dir = os.path.dirname(os.path.abspath(a.out))
    os.makedirs(out_dir, exist_ok=True)
    table = write_summary(sc, per, tot, a.out)
    timer("summary stats+csv")
    write_rounds(sc, appr, halt_round, cum, os.path.join(out_dir, "rounds.csv"))
    timer("rounds stats+csv")
    total = time.perf_counter() - t0
    cpu = time.process_time() - c0
    if a.profile:
        print(f"  {'section':22s} {'wall s':>7s} {'cpu s':>7s} {'cpu %':>6s}", file=sys.stderr)
        for k, (w, c) in sections.items():
            print(f"  {k:22s} {w:7.3f} {c:7.3f} {100 * c / cpu:5.1f}%", file=sys.stderr)
        print(f"  {'total (after imports)':22s} {total:7.3f} {cpu:7.3f}", file=sys.stderr)
    d = table["delivered"]
    print(f"{sc.name}: {n} trials in {total:.2f} s; total delivered mean "
          f"{d['mean'][-1]:.1f} (p5 {d['p5'][-1]:.0f}, p95 {d['p95'][-1]:.0f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
