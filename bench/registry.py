"""Benchmark of the elder registry on a city-sized PostgreSQL database.

    .venv/bin/python bench/registry.py [--elders 1000000] [--database-url postgres://...]

Builds the demo city into its own database (yiyang_bench by default; a no-op when it is
already built), then prints, for a district officer's API key:

  (a) latency of the scoped elder list, GET /api/v1/elders?limit=50, first page and deep
      pages (cursors at random depths), and for a small county's key;
  (b) latency of the search API (?q=): common and rare surnames in characters and in pinyin,
      initials, phone numbers and their last digits, exact ID number;
  (c) rows/second of an Excel import of 100,000 new elder rows built on the import template.

(a) and (b) go first through Django's test Client in this process (the full middleware stack,
API-key authentication, scoping, serialisation; no network), one request at a time; then over
HTTP to gunicorn started on the bench database (4 workers), from 8 concurrent client threads:
requests/s and p50/p95/p99 for each shape alone and for all of them mixed. Figures are kept in
bench/README.md.
"""

import argparse
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/yiyang_bench"
SURNAMES = "王李张刘陈杨赵黄周吴罗何马段曾单"
PINYIN = ["wang", "li", "zhang", "liu", "chen", "yang", "zhao", "zeng", "duan", "wangx"]
# Surnames of 0.1 % or less, several read differently as surnames: the index must find them
# without walking the district.
RARE = ["单", "解", "查", "仇", "欧阳", "翟", "缪", "乐"]
RARE_PINYIN = ["shan", "xie", "zha", "qiu", "ouyang", "zhai", "miao", "yue"]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--elders", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--requests", type=int, default=200, help="requests per measurement")
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    parser.add_argument(
        "--http-seconds", type=float, default=15, help="per HTTP line; 0 skips the HTTP part"
    )
    parser.add_argument("--http-workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--http-clients", type=int, default=8, help="concurrent client threads")
    return parser.parse_args(argv)


def ensure_database(url: str) -> None:
    """CREATE DATABASE when it is missing (PostgreSQL only)."""
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    if cfg["ENGINE"] != "django.db.backends.postgresql":
        sys.exit("bench/registry.py measures PostgreSQL: pass a postgres:// --database-url")
    conninfo = {
        "host": cfg["HOST"] or None,
        "port": cfg["PORT"] or None,
        "user": cfg["USER"] or None,
        "password": cfg["PASSWORD"] or None,
        "dbname": "postgres",
    }
    with psycopg.connect(**{k: v for k, v in conninfo.items() if v}, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]])
        if exists.fetchone() is None:
            conn.execute(f'CREATE DATABASE "{cfg["NAME"]}"')
            print(f"created database {cfg['NAME']}")


def setup(args) -> None:
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiyang.settings.base")
    os.environ["HUEY_URL"] = "immediate"  # imports run inline, timed as one piece
    os.environ.setdefault("YIYANG_DATA_DIR", str(ROOT / "var"))
    ensure_database(args.database_url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.monotonic()
    call_command("demo_city", elders=args.elders, seed=args.seed)
    print(f"demo-city command: {time.monotonic() - started:.1f} s\n")


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]

    return f"p50 {statistics.median(ordered):6.1f}   p95 {at(0.95):6.1f}   p99 {at(0.99):6.1f} ms"


class Caller:
    def __init__(self, token: str):
        from django.test import Client

        self.client = Client()
        self.headers = {"HTTP_X_API_KEY": token}

    def get(self, path: str) -> tuple[float, dict]:
        started = time.perf_counter()
        response = self.client.get(path, **self.headers)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"GET {path}: {response.status_code} {response.content[:300]!r}")
        return elapsed, response.json()

    def measure(self, label: str, paths: list[str]) -> None:
        for path in paths[:10]:  # warm caches and connections
            self.get(path)
        samples, rows = [], 0
        for path in paths:
            elapsed, body = self.get(path)
            samples.append(elapsed)
            rows += len(body.get("items", []))
        print(f"  {label:<44} {percentiles(samples)}   rows/page {rows / len(paths):5.1f}")


def deep_cursors(region: str, count: int, rng: random.Random) -> list[str]:
    from yiyang.people.models import Elder

    try:
        from yiyang.api.pagination import encode_cursor
    except ImportError:  # the API's own cursor format
        return []
    ids = list(
        Elder.objects.filter(region_code__startswith=region)
        .order_by("id")
        .values_list("id", flat=True)
    )
    picks = [ids[rng.randrange(len(ids) // 10, len(ids) - 60)] for _ in range(count)]
    try:
        return [encode_cursor(i, kind="elders") for i in picks]
    except TypeError:
        return [encode_cursor(i) for i in picks]


def search_shapes(rng: random.Random, n: int) -> list[tuple[str, list[str]]]:
    """The search requests, (label, paths), n of each: every shape the registry search takes."""
    from yiyang.core import crypto
    from yiyang.people.models import Elder

    base = "/api/v1/elders?limit=50"
    panlong = Elder.objects.filter(region_code__startswith="530103")
    sample = [
        (initials, cipher, "".join(c for c in phone if c.isdigit()))
        for initials, cipher, phone in panlong.exclude(phone="")
        .order_by("?")[:n]
        .values_list("name_initials", "id_number_cipher", "phone")
    ]
    return [
        (
            "(b) search, surname in characters",
            [f"{base}&q={rng.choice(SURNAMES)}" for _ in range(n)],
        ),
        (
            "(b) search, rare surname in characters",
            [f"{base}&q={rng.choice(RARE)}" for _ in range(n)],
        ),
        ("(b) search, full pinyin prefix", [f"{base}&q={rng.choice(PINYIN)}" for _ in range(n)]),
        (
            "(b) search, rare surname in pinyin",
            [f"{base}&q={rng.choice(RARE_PINYIN)}" for _ in range(n)],
        ),
        ("(b) search, initials", [f"{base}&q={initials}" for initials, _c, _p in sample]),
        ("(b) search, phone number", [f"{base}&q={phone}" for _i, _c, phone in sample]),
        ("(b) search, last 4 digits of a phone", [f"{base}&q={p[-4:]}" for _i, _c, p in sample]),
        (
            "(b) search, exact ID number",
            [f"{base}&q={crypto.decrypt(cipher)}" for _i, cipher, _p in sample],
        ),
    ]


def raise_api_throttle():
    """Every benchmark request comes from one address, and the per-address API throttle is
    the security administrator's policy (600 calls a minute in the demo). File a raised limit
    for today in the bench database, as the security administrator would, and return a function
    that files the old one back. The throttle still counts every request, so its cost stays in
    the figures."""
    from yiyang.accounts.models import User
    from yiyang.accounts.rules import security_policy_for
    from yiyang.accounts.services import POLICY_LIMITS, security_policy_file
    from yiyang.core.timeutils import local_today

    admin = User.objects.get(username="demo_secadmin")
    before = security_policy_for()
    today = local_today()

    def file(calls: int) -> None:
        security_policy_file(
            actor=admin,
            max_failed_logins=before.max_failed_logins,
            lockout_minutes=before.lockout_minutes,
            password_max_age_days=before.password_max_age_days,
            effective_from=today,
            api_calls_per_ip_minute=calls,
        )

    high = POLICY_LIMITS["api_calls_per_ip_minute"][1]
    file(high)
    print(
        f"API throttle raised for the benchmark: {before.api_calls_per_ip_minute} → {high} a minute"
    )
    return lambda: file(before.api_calls_per_ip_minute)


def bench_api(args, rng: random.Random) -> None:
    from yiyang.accounts.models import User
    from yiyang.accounts.services import api_key_create, api_key_revoke
    from yiyang.people.models import Elder
    from yiyang.regions.models import Region

    officer = User.objects.get(username="demo_civil")
    city = User.objects.get(username="demo_civil_city")
    key, token = api_key_create(
        actor=officer, name="bench/registry.py", scopes=["elders.view"], region=officer.region
    )
    small = Region.objects.get(code="530124")  # Fumin county, 1.7 % of the city
    small_key, small_token = api_key_create(
        actor=city, name="bench/registry.py (Fumin)", scopes=["elders.view"], region=small
    )
    n = args.requests
    restore_throttle = raise_api_throttle()
    panlong = Elder.objects.filter(region_code__startswith="530103")
    print(
        f"API, {Elder.objects.count():,} older people; district officer's key for 盘龙区 "
        f"({panlong.count():,} people), {n} requests each:"
    )
    try:
        base = "/api/v1/elders?limit=50"
        cursors = deep_cursors("530103", n, rng)
        shapes = [("(a) list, first page", [base] * n)]
        if cursors:
            shapes.append(
                ("(a) list, deep pages (cursor)", [f"{base}&cursor={c}" for c in cursors])
            )
        shapes += search_shapes(rng, n)
        caller = Caller(token)
        for label, paths in shapes[: 1 + bool(cursors)]:
            caller.measure(label, paths)
        Caller(small_token).measure("(a) list, first page, small county (富民)", [base] * n)
        for label, paths in shapes[1 + bool(cursors) :]:
            caller.measure(label, paths)
        if args.http_seconds > 0:
            bench_http(args, token, shapes)
    finally:
        restore_throttle()
        api_key_revoke(actor=officer, key_id=key.pk)
        api_key_revoke(actor=city, key_id=small_key.pk)
    if args.explain:
        explain(officer)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_get(conn, path: str, token: str) -> tuple[int, float]:
    started = time.perf_counter()
    conn.request("GET", path, headers={"X-API-Key": token})
    response = conn.getresponse()
    response.read()
    return response.status, (time.perf_counter() - started) * 1000


def http_load(port, token, shapes, *, seconds: float, clients: int) -> tuple[dict, float, list]:
    """`clients` threads, each sending one request after the other (a closed loop) for
    `seconds`, every request a random path of a random shape; latency per shape."""
    import http.client
    import threading
    from urllib.parse import quote

    work = [(label, [quote(p, safe="/?&=") for p in paths]) for label, paths in shapes]
    samples: dict[str, list[float]] = {label: [] for label, _p in work}
    errors: list[str] = []
    deadline = time.monotonic() + seconds

    def client(seed: int) -> None:
        pick = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < deadline:
            label, paths = pick.choice(work)
            path = pick.choice(paths)
            try:
                status, elapsed = http_get(conn, path, token)
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                errors.append(f"{path}: {exc!r}")
                continue
            if status != 200:
                errors.append(f"{path}: {status}")
            samples[label].append(elapsed)
        conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples, time.monotonic() - started, errors


def http_line(label: str, samples: list[float], seconds: float) -> str:
    if not samples:
        return f"  {label:<44} no answers"
    ordered = sorted(samples)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]

    return (
        f"  {label:<44} {len(ordered) / seconds:6.1f} req/s   p50 {at(0.5):6.1f}   "
        f"p95 {at(0.95):6.1f}   p99 {at(0.99):6.1f} ms   ({len(ordered)} requests)"
    )


def bench_http(args, token: str, shapes: list[tuple[str, list[str]]]) -> None:
    """The same requests over HTTP, the way a deployment serves them: gunicorn with `--http-workers` sync workers on the bench
    database, `--http-clients` client threads; each shape alone, then all of them mixed."""
    import http.client
    import subprocess

    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DJANGO_SETTINGS_MODULE": "yiyang.settings.base",
        "DEBUG": "false",
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "yiyang.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={args.http_workers}",
        "--log-level=warning",
        f"--chdir={ROOT}",
    ]
    server = subprocess.Popen(command, env=env)  # noqa: S603
    try:
        for _ in range(300):  # up once it answers at all
            try:
                http_get(http.client.HTTPConnection("127.0.0.1", port, timeout=5), "/", token)
                break
            except OSError:
                if server.poll() is not None:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.2)
        clients = args.http_clients
        print(
            f"\nHTTP: gunicorn, {args.http_workers} sync workers, {clients} client threads in a "
            f"closed loop, {args.http_seconds:g} s per line (p50/p95/p99 in ms):"
        )
        http_load(port, token, shapes, seconds=3, clients=clients)  # warm every worker
        for label, paths in shapes:
            samples, seconds, errors = http_load(
                port, token, [(label, paths)], seconds=args.http_seconds, clients=clients
            )
            print(http_line(label, samples[label], seconds))
            for error in errors[:3]:
                print(f"    error: {error}")
        mixed = max(args.http_seconds * 2, 10)
        samples, seconds, errors = http_load(port, token, shapes, seconds=mixed, clients=clients)
        total = sum(len(s) for s in samples.values())
        print(
            f"\n  mixed workload, every shape above at random: {total / seconds:.1f} req/s "
            f"over {seconds:.0f} s, {len(errors)} errors"
        )
        for label, _paths in shapes:
            print(http_line(label, samples[label], seconds))
        for error in errors[:3]:
            print(f"    error: {error}")
    finally:
        server.terminate()
        server.wait(30)


def explain(officer) -> None:
    from yiyang.people.selectors import ElderFilters, elder_list

    for label, q in (("list", ""), ("surname", "李"), ("pinyin", "zeng"), ("initials", "lxy")):
        qs = elder_list(actor=officer, filters=ElderFilters(q=q)).order_by("id")[:51]
        print(f"\nEXPLAIN ANALYZE {label}:\n{qs.explain(analyze=True)}")


def build_workbook(officer, rows: int, rng: random.Random) -> bytes:
    """`rows` new Panlong elders on the elder import template (its header and key rows)."""
    import datetime as dt

    from openpyxl import Workbook, load_workbook

    from yiyang.demo.services.names import NameBook
    from yiyang.exchange.services import import_template
    from yiyang.people import idnumbers
    from yiyang.regions.models import Region

    template = load_workbook(io.BytesIO(import_template(actor=officer, kind="elders")))
    sheet = template.worksheets[0]
    headers = [c.value for c in sheet[1]]
    keys = [c.value for c in sheet[2]]
    communities = list(
        Region.objects.filter(code__startswith="530103", level=5).values_list("code", "name")
    )
    names = NameBook(rng)
    wb = Workbook(write_only=True)
    out = wb.create_sheet(sheet.title)
    out.append(headers)
    out.append(keys)
    start = dt.date(1930, 1, 1)
    for i in range(rows):
        sex = "MF"[i % 2]
        birth = start + dt.timedelta(days=(i // 2) % 13000)
        # 祥云县 (532923) is an area code the demo generator never uses: no clashes.
        number = idnumbers.make(area6="532923", birth_date=birth, sequence=i // 26000, sex=sex)
        code, community = communities[i % len(communities)]
        child = names.person(rng.choice("MF"), birth.year + 28)
        values = {
            "name": names.person(sex, birth.year),
            "id_number": number,
            "region_code": code,
            "address": f"昆明市盘龙区{community[:-5]}路{i % 300 + 1}号",
            "phone": names.mobile(),
            "ethnicity": "汉族",
            "lives_alone": "否",
            "empty_nest": "是" if i % 3 == 0 else "否",
            "special_family": "否",
            "economic_status": "普通",
            "insurance": "居民医保",
            "living_arrangement": "居家",
            "guardian_name": child,
            "guardian_relation": "子女",
            "guardian_phone": names.mobile(),
            "chronic_conditions": "高血压" if i % 2 else "",
        }
        out.append([values.get(k, "") for k in keys])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def bench_import(args, rng: random.Random) -> None:
    try:
        from yiyang.exchange.services import import_create, import_process
    except ImportError:
        print("\n(c) import: yiyang.exchange.services.import_create is not there yet; skipped")
        return
    from django.db import connection

    from yiyang.accounts.models import User
    from yiyang.exchange.models import ImportJob
    from yiyang.people.models import Elder

    officer = User.objects.get(username="demo_civil")
    started = time.monotonic()
    content = build_workbook(officer, args.import_rows, rng)
    print(
        f"\n(c) import: workbook of {args.import_rows:,} rows, {len(content) / 1e6:.1f} MB, "
        f"built in {time.monotonic() - started:.1f} s"
    )
    last_id = Elder.objects.order_by("-id").values_list("id", flat=True).first() or 0
    started = time.monotonic()
    job = import_create(
        actor=officer, kind="elders", mode="valid", file_name="bench.xlsx", content=content
    )
    job.refresh_from_db()
    if job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING):
        job = import_process(job_id=job.pk)
        job.refresh_from_db()
    seconds = time.monotonic() - started
    print(
        f"  status {job.status}: {job.created_count:,} created, {job.updated_count:,} updated, "
        f"{job.error_count:,} rows with errors, in {seconds:.1f} s"
    )
    print(f"  (c) import rate: {args.import_rows / seconds:,.0f} rows/s")
    # Leave the database as the demo built it, so that the next run measures the same thing.
    with connection.cursor() as cursor:
        for table in ("people_guardian", "people_healthprofile"):
            cursor.execute(f"DELETE FROM {table} WHERE elder_id > %s", [last_id])  # noqa: S608
        cursor.execute("UPDATE accounts_user SET elder_id = NULL WHERE elder_id > %s", [last_id])
        cursor.execute("DELETE FROM people_elder WHERE id > %s", [last_id])
    ImportJob.objects.filter(pk=job.pk).delete()


def main(argv=None) -> None:
    args = parse_args(argv)
    setup(args)
    rng = random.Random(args.seed)
    bench_api(args, rng)
    if not args.skip_import:
        bench_import(args, rng)


if __name__ == "__main__":
    main()
