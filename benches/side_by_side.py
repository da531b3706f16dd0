"""Interleaved wall and CPU timings of allocsim against another implementation, for
benches/compare-numpy.sh and benches/compare-numba.sh (which call `against`; not a script of its own).

Each command runs as a whole process (subprocess.run, stdout discarded), timed with
time.perf_counter() around it; CPU time is the children's user + system time. The commands
alternate, repetition by repetition, so a slow moment of a shared machine falls on both.
"""
import os
import platform
import resource
import statistics
import subprocess
import sys
import time


def load_average():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def child_cpu():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def compare(cmds, reps, other, target, cpu_note, digits=1, warmup=False):
    """Times `cmds` ({"allocsim": [...], other: [...]}) `reps` times each, interleaved (after
    one untimed run of each when `warmup`), prints each timing, a table of medians and the
    ratio other / allocsim of the median wall times (`digits` decimals), with `target` beside
    it and `cpu_note` before the CPU-time ratio."""
    if warmup:
        for name, cmd in cmds.items():
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
            print(f"  warm-up  {name:9s} {time.perf_counter() - t0:8.3f} s wall (not counted)")
    times = {k: [] for k in cmds}
    cpus = {k: [] for k in cmds}
    for rep in range(1, reps + 1):
        for name, cmd in cmds.items():
            c0 = child_cpu()
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
            dt = time.perf_counter() - t0
            cpu = child_cpu() - c0
            times[name].append(dt)
            cpus[name].append(cpu)
            print(f"  rep {rep}    {name:9s} {dt:8.3f} s wall  {cpu:8.3f} s cpu (user+sys)")
    med = {k: statistics.median(v) for k, v in times.items()}
    medc = {k: statistics.median(v) for k, v in cpus.items()}
    print(f"load average after: {load_average()}")
    print()
    print(f"| {'implementation':14s} | {'median wall s':>13s} | {'min':>7s} | {'max':>7s} "
          f"| {'median cpu s':>12s} |")
    print(f"|{'-' * 16}|{'-' * 15}|{'-' * 9}|{'-' * 9}|{'-' * 14}|")
    for k, v in times.items():
        print(f"| {k:14s} | {med[k]:13.3f} | {min(v):7.3f} | {max(v):7.3f} | {medc[k]:12.3f} |")
    ratio = med[other] / med["allocsim"]
    print()
    print(f"ratio {other} / allocsim, median wall time: {ratio:.{digits}f}x  (target: {target})")
    print(f"({cpu_note}: {medc[other] / medc['allocsim']:.{digits}f}x)")


def against(other, versions, target, cpu_note, digits=1, warmup=False):
    """The comparison both scripts run: allocsim (binary, scenario, trials and repetitions from
    sys.argv[1:5]) against benches/OTHER/allocsim_OTHER.py on the same scenario and trials,
    after a header naming the machine and `versions` (the other side's packages)."""
    binary, scenario, trials, reps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    cmds = {
        "allocsim": [binary, "run", scenario, "--trials", trials, "--no-charts", "--quiet",
                     "--out", "target/cmp/allocsim"],
        other: [sys.executable, f"benches/{other}/allocsim_{other}.py", scenario, "--trials",
                trials, "--out", f"target/cmp/{other}/summary.csv"],
    }
    print(f"scenario {scenario}, {trials} trials, {reps} interleaved repetitions; "
          f"{os.cpu_count()} cores; Python {platform.python_version()}, {versions}; "
          f"load average before: {load_average()}")
    compare(cmds, reps, other, target, cpu_note, digits=digits, warmup=warmup)
