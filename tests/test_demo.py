"""The demo data ``make run`` loads, and the live feeder, against the real server."""

from __future__ import annotations

import time

from workbench.client import Client
from workbench.demo import HOSTS, SENSORS, DemoState, Feeder, backfill_lines, load_demo_data


def test_backfill_covers_every_series_every_ten_seconds():
    lines = backfill_lines(DemoState(), end_s=1_700_000_000, hours=1)
    assert len(lines) == 360 * (len(SENSORS) + len(HOSTS))
    assert lines[0].startswith("airSensors,sensor_id=TLM0100 temperature=")


def test_load_and_feed(server, db):
    with Client(server.url, token=server.token, database=db) as client:
        assert load_demo_data(client, hours=0.5) in (180 * 20, 181 * 20)  # 20 series, every 10 s
        assert load_demo_data(client, hours=0.5) == 0  # idempotent: data already there
        sensors = client.query_sql('SELECT DISTINCT sensor_id FROM "airSensors" ORDER BY sensor_id')
        assert sensors["sensor_id"].to_list() == SENSORS
        before = client.query_sql("SELECT max(time) AS t FROM cpu")["t"][0]
        feeder = Feeder(client, DemoState(seed=1), period=0.2)
        feeder.start()
        time.sleep(1.5)
        feeder.stop()
        feeder.join()
        assert feeder.errors == 0
        after = client.query_sql("SELECT max(time) AS t FROM cpu")["t"][0]
        assert after > before
