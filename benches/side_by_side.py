"""Interleaved wall and CPU timings of allocsim against another implementation, for
benches/compare-numpy.sh and benches/compare-numba.sh (which import it; not a script of its own).

Each command runs as a whole process (subprocess.run, stdout discarded), timed with
time.perf_counter() around it; CPU time is the children's user + system time. The commands
alternate, repetition by repetition, so a slow moment of a shared machine falls on both.
"""
import os
import resource
import statistics
import subprocess
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
