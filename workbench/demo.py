"""``make run``: the embedded server with demo data, a live feeder, and the Streamlit app.

Demo data has the shapes analysts know: ``airSensors`` (InfluxDB's air-sensor sample:
``sensor_id`` tag; ``temperature``, ``humidity``, ``co`` fields) and a TSBS-like ``cpu`` table
(``hostname``, ``region``, ``datacenter``, ``os`` tags; ``usage_user``, ``usage_system``,
``usage_idle`` fields). ``backfill_lines`` generates history, ``Feeder`` keeps writing fresh
points every few seconds, and ``main`` starts everything through ``workbench.launcher`` and the
client (never the server modules), then runs ``streamlit run app/streamlit_app.py`` with
``INFLUX_HOST``/``INFLUX_TOKEN``/``INFLUX_DATABASE`` set. Ctrl-C stops the app, the feeder and the
server.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from workbench import launcher
from workbench.client import Client, InfluxDBError

DATABASE = "demo"
INTERVAL_S = 10
SENSORS = [f"TLM{100 + i:04d}" for i in range(12)]
HOSTS = [
    ("host-01", "us-east-1", "us-east-1a", "Ubuntu22.04"),
    ("host-02", "us-east-1", "us-east-1b", "Ubuntu22.04"),
    ("host-03", "us-west-2", "us-west-2a", "Ubuntu20.04"),
    ("host-04", "us-west-2", "us-west-2c", "Debian12"),
    ("host-05", "eu-central-1", "eu-central-1a", "Debian12"),
    ("host-06", "eu-central-1", "eu-central-1b", "Ubuntu22.04"),
    ("host-07", "ap-southeast-1", "ap-southeast-1a", "Debian12"),
    ("host-08", "ap-southeast-1", "ap-southeast-1b", "Ubuntu20.04"),
]


class DemoState:
    """Random walks per series, so consecutive points look like real telemetry."""

    def __init__(self, seed: int = 7):
        self.rng = random.Random(seed)
        self.sensors = {s: [71.0 + self.rng.random() * 4, 35.0 + self.rng.random(), 0.45] for s in SENSORS}
        self.cpus = {h[0]: [20.0 + self.rng.random() * 30, 5.0 + self.rng.random() * 5] for h in HOSTS}

    def lines_at(self, t_s: int) -> list[str]:
        out = []
        day = math.sin(2 * math.pi * (t_s % 86400) / 86400)
        for sensor, st in self.sensors.items():
            st[0] = min(80.0, max(65.0, st[0] + self.rng.gauss(0, 0.05) + 0.01 * day))
            st[1] = min(45.0, max(30.0, st[1] + self.rng.gauss(0, 0.05)))
            st[2] = min(0.9, max(0.3, st[2] + self.rng.gauss(0, 0.005)))
            co = st[2] + (0.4 if self.rng.random() < 0.002 else 0.0)  # rare spikes for anomaly demos
            out.append(f"airSensors,sensor_id={sensor} temperature={st[0]:.3f},humidity={st[1]:.3f},co={co:.4f} {t_s}")
        for host, region, dc, os_name in HOSTS:
            st = self.cpus[host]
            st[0] = min(98.0, max(1.0, st[0] + self.rng.gauss(0, 2.0)))
            st[1] = min(40.0, max(0.5, st[1] + self.rng.gauss(0, 0.5)))
            idle = max(0.0, 100.0 - st[0] - st[1])
            out.append(
                f"cpu,hostname={host},region={region},datacenter={dc},os={os_name} "
                f"usage_user={st[0]:.2f},usage_system={st[1]:.2f},usage_idle={idle:.2f} {t_s}"
            )
        return out


def backfill_lines(state: DemoState, end_s: int, hours: float) -> list[str]:
    """History from ``end_s - hours`` to ``end_s`` (exclusive), one point per series every 10 s."""
    start = end_s - int(hours * 3600)
    start -= start % INTERVAL_S
    lines = []
    for t in range(start, end_s, INTERVAL_S):
        lines.extend(state.lines_at(t))
    return lines


def load_demo_data(client: Client, *, hours: float = 6.0, state: DemoState | None = None) -> int:
    """Write the demo history into ``client``'s database unless it already has data; lines written."""
    try:
        existing = client.query_sql('SELECT count(*) AS n FROM "airSensors"')["n"][0]
    except InfluxDBError:
        existing = 0
    if existing:
        return 0
    lines = backfill_lines(state or DemoState(), int(time.time()), hours)
    client.write(lines, precision="s")
    return len(lines)


class Feeder(threading.Thread):
    """Writes the current point of every demo series every ``period`` seconds until stopped."""

    def __init__(self, client: Client, state: DemoState, period: float = INTERVAL_S):
        super().__init__(name="demo-feeder", daemon=True)
        self.client = client
        self.state = state
        self.period = period
        self.stopped = threading.Event()
        self.errors = 0

    def run(self) -> None:
        while not self.stopped.wait(self.period):
            try:
                self.client.write(self.state.lines_at(int(time.time())), precision="s")
            except InfluxDBError as exc:  # keep feeding; the app shows the server's state
                self.errors += 1
                print(f"demo feeder: {exc}", file=sys.stderr)

    def stop(self) -> None:
        self.stopped.set()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workbench.demo", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", help="embedded server directory (default: the per-user one)")
    parser.add_argument("--hours", type=float, default=6.0, help="hours of history to generate (default 6)")
    parser.add_argument("--port", type=int, default=8501, help="Streamlit port (default 8501)")
    parser.add_argument("--no-app", action="store_true", help="serve data only, do not start the app")
    args = parser.parse_args(argv)

    server = launcher.start(args.data_dir)
    client = Client(server.url, token=server.token, database=DATABASE)
    state = DemoState()
    written = load_demo_data(client, hours=args.hours, state=state)
    feeder = Feeder(client, state)
    feeder.start()
    print(f"embedded InfluxDB 3 server: {server.url}  (data: {server.data_dir})")
    print(f"database '{DATABASE}': {written} demo lines written" if written else f"database '{DATABASE}' ready")
    print(f"token: {server.token}")
    print(f"plugins: {server.data_dir / launcher.PLUGINS_DIR}")
    print(f'try: curl -H "Authorization: Bearer $TOKEN" "{server.url}/api/v3/query_sql?db={DATABASE}'
          '&q=SELECT+*+FROM+cpu+ORDER+BY+time+DESC+LIMIT+5&format=pretty"')  # fmt: skip
    app = Path(__file__).resolve().parents[1] / "app" / "streamlit_app.py"
    proc = None
    if not args.no_app and app.exists():
        env = {**os.environ, "INFLUX_HOST": server.url, "INFLUX_TOKEN": server.token or "",
               "INFLUX_DATABASE": DATABASE}  # fmt: skip
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(args.port),
             "--server.address", "127.0.0.1", "--server.headless", "true"], env=env)  # fmt: skip
        print(f"workbench app: http://127.0.0.1:{args.port}  (Ctrl-C stops the app and the server)")
    else:
        print("Ctrl-C stops the server.")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            if proc is not None and proc.poll() is not None:
                break
    except KeyboardInterrupt:
        pass
    finally:
        feeder.stop()
        if proc is not None and proc.poll() is None:
            proc.terminate()
            proc.wait(10)
        client.close()
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
