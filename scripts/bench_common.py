"""What every benchmark script records about its run, and how it appends to BENCHMARKS.md.
Standard library only (bench_encoder.py imports it before numpy/torch are loaded)."""
import datetime
import os
import platform
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def machine():
    """CPU model, logical cores and kernel, e.g. 'AMD EPYC, 2 logical cores (Linux 6.1)'."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} logical cores ({platform.system()} {platform.release()})"


def git_commit():
    """The short commit benchmarked, flagged when the working tree has uncommitted changes."""
    def git(*args):
        r = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return r.stdout.strip() if r.returncode == 0 else ""
    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    if git("status", "--porcelain", "--untracked-files=no"):
        commit += " (working tree has uncommitted changes)"
    return commit


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def wait_for_port(server, log_path, name, timeout=120):
    """The port `exemplar serve --port 0` (the Popen `server`, stderr to `log_path`) printed;
    exits naming `name` when the server stops or does not start within `timeout` seconds."""
    import re
    import sys
    import time
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        m = re.search(r"serving on http://127\.0\.0\.1:(\d+)", log_path.read_text())
        if m:
            return int(m.group(1))
        if server.poll() is not None:
            sys.exit(f"{name}: server exited: " + log_path.read_text())
        time.sleep(0.02)
    sys.exit(f"{name}: server did not start")


def append_report(text):
    """Appends one report section to BENCHMARKS.md; returns the path."""
    path = ROOT / "BENCHMARKS.md"
    with path.open("a", encoding="utf-8") as f:
        f.write("\n" + text.rstrip("\n") + "\n")
    return path
