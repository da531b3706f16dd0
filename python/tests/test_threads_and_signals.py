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

    # A run long enough for a held GIL to starve the ticker, whatever the machine's speed: the
    # trials grow until one run takes at least 0.4 s (20,000 took 0.2 to 0.5 s in a debug build).
    window = []

    def work():
        trials = 20_000
        while True:
            began = time.monotonic()
            result = allocsim.run(baseline, trials=trials, threads=1)
            ended = time.monotonic()
            if ended - began >= 0.4 or trials >= 1 << 24:
                window.extend([began, ended, result])
                return
            trials *= 4

    ticker = threading.Thread(target=tick)
    worker = threading.Thread(target=work)
    ticker.start()
    time.sleep(0.05)
    worker.start()
    worker.join()
    stop.set()
    ticker.join()
    assert len(window) == 3 and window[1] - window[0] >= 0.4, window
    began, ended, _ = window
    # The ticker ran all along the long run: no gap near its length, at its ends either.
    during = [began] + [t for t in ticks if began < t < ended] + [ended]
    gaps = [b - a for a, b in zip(during, during[1:])]
    assert len(during) > 20 and max(gaps) < 0.15, (len(during), max(gaps))


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
