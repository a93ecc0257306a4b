"""Cold start: time from process start to a visible window titled TITLE (X11, via xdotool).

    Xvfb :99 &
    DISPLAY=:99 python benchmarks/startup.py --runs 9 -- dist/HandwritingRecognizer-lean/HandwritingRecognizer
    DISPLAY=:99 python benchmarks/startup.py --runs 9 -- .venv/bin/python -m handwriting_recognizer

Each run: fresh temporary HOME/XDG folders (no settings, no user data), start CMD, poll
`xdotool search --onlyvisible --name TITLE` every 10 ms, then terminate the app. Needs Debian's
xvfb and xdotool. `--cold` drops the page cache before each run (root).
"""

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time

p = argparse.ArgumentParser()
p.add_argument("--runs", type=int, default=7)
p.add_argument("--title", default="Handwriting Recognizer")
p.add_argument("--timeout", type=float, default=60)
p.add_argument("--nice", type=int, default=0, help="niceness of the measured app (negative: ahead of background jobs)")
p.add_argument("--cold", action="store_true", help="drop the page cache before each run (root)")
p.add_argument("cmd", nargs=argparse.REMAINDER)
a = p.parse_args()
cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
times = []
cpus = []
for i in range(a.runs):
    home = tempfile.mkdtemp(prefix="hwr-home-")
    env = dict(
        os.environ,
        HOME=home,
        XDG_CONFIG_HOME=f"{home}/.config",
        XDG_DATA_HOME=f"{home}/.local/share",
        XDG_CACHE_HOME=f"{home}/.cache",
        QT_QPA_PLATFORM="xcb",
    )
    if a.cold:
        subprocess.run(["sync"])
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
    t0 = time.perf_counter()
    errlog = open(f"{home}.err", "w")
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=errlog, preexec_fn=lambda: os.nice(a.nice) if a.nice else None
    )
    seen = None
    while time.perf_counter() - t0 < a.timeout and proc.poll() is None:
        r = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", a.title], capture_output=True, text=True)
        if r.stdout.strip():
            seen = time.perf_counter() - t0
            f = open(f"/proc/{proc.pid}/stat").read().rsplit(")", 1)[1].split()
            cpu = (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime of the app
            cpus.append(cpu)
            break
        time.sleep(0.01)
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    errlog.close()
    if seen is None:
        print(open(f"{home}.err").read()[-3000:])
    shutil.rmtree(home, ignore_errors=True)
    print(
        f"run {i + 1}: "
        + (f"{seen:.3f} s (cpu {cpus[-1]:.2f} s)" if seen is not None else f"no window (exit {proc.returncode})"),
        flush=True,
    )
    if seen is not None:
        times.append(seen)
    time.sleep(0.5)
if times:
    print(
        f"median {statistics.median(times):.3f} s, min {min(times):.3f} s, max {max(times):.3f} s "
        f"over {len(times)} runs; cpu median {statistics.median(cpus):.2f} s"
    )
