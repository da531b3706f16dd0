"""The simulation releases the GIL, and Ctrl-C stops it within a second or two."""

import signal
import subprocess
import sys
import textwrap
import threading
import time

import allocsim
from conftest import BASELINE, ROOT


def test_other_python_threads_run_during_a_simulation(baseline):
    ticks = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.005)

    # Long enough (some 0.5 s in a debug build) for a held GIL to starve the ticker.
    done = []
    worker = threading.Thread(target=lambda: done.append(allocsim.run(baseline, trials=20_000, threads=1)))
    ticker = threading.Thread(target=tick)
    started = time.monotonic()
    worker.start()
    time.sleep(0.05)
    ticker.start()
    worker.join()
    finished = time.monotonic()
    stop.set()
    ticker.join()
    during = [t for t in ticks if t < finished]
    assert done and finished - started > 0.2
    # The ticker ran all along: no gap near the length of the run.
    gaps = [b - a for a, b in zip(during, during[1:])]
    assert len(during) > 10 and max(gaps) < 0.15, (len(during), max(gaps, default=None))


def test_ctrl_c_raises_keyboard_interrupt_quickly(tmp_path):
    script = tmp_path / "long.py"
    script.write_text(textwrap.dedent(f"""
        import sys, time, allocsim
        base = allocsim.load({str(BASELINE)!r})
        print("started", flush=True)
        try:
            allocsim.run(base, trials=10**10)
        except KeyboardInterrupt:
            print("interrupted", flush=True)
            sys.exit(3)
    """))
    child = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=ROOT,
    )
    assert child.stdout.readline().strip() == "started"
    time.sleep(0.5)
    sent = time.monotonic()
    child.send_signal(signal.SIGINT)
    try:
        out, err = child.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise AssertionError("Ctrl-C did not stop the run within 10 s")
    took = time.monotonic() - sent
    assert child.returncode == 3, err
    assert "interrupted" in out
    assert took < 2.0, took
