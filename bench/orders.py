"""Benchmark of orders on a city-sized PostgreSQL database.

    .venv/bin/python bench/orders.py [--orders 1000000] [--database-url postgres://...]

Uses the registry benchmark's database (bench/registry.py builds the city of a million older
people into yiyang_bench; a no-op when it is built) and tops it up to `--orders` orders spread
over every home-care provider's approved menu. Then prints:

  (a) orders created through the API (POST /api/v1/orders, a district key, each request with
      its own Idempotency-Key): latency in-process, then orders/s over HTTP to gunicorn from
      concurrent client threads;
  (b) the same requests sent again with the same keys: each answers the order made the first
      time (201, Idempotent-Replayed) and the count of orders does not change;
  (c) the provider's order list (/orders/, first page and a deep page), signed in as the
      provider's manager: latency in-process and over HTTP.

Figures are kept in bench/README.md.
"""

import argparse
import datetime as dt
import http.client
import json
import os
import random
import subprocess
import sys
import threading
import time
import uuid
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import registry  # noqa: E402  (the city, the throttle, gunicorn and the percentiles)

PANLONG = "530103"
BATCH = 20_000


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--elders", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", registry.DEFAULT_URL)
    )
    parser.add_argument("--requests", type=int, default=200, help="in-process requests per line")
    parser.add_argument("--http-seconds", type=float, default=10, help="0 skips the HTTP part")
    parser.add_argument("--http-workers", type=int, default=4)
    parser.add_argument("--http-clients", type=int, default=8)
    return parser.parse_args(argv)


# --- Data --------------------------------------------------------------------------------------


def ensure_menus():
    """The order policy, a catalogue and every home-care provider's approved menu (the demo
    city's own, when the bench city was built before orders existed)."""
    from yiyang.demo.services.orders import _menus, catalogue_ensure
    from yiyang.institutions.models import Organisation
    from yiyang.marketplace.models import OrderPolicy, ProviderOffer

    OrderPolicy.objects.get_or_create(
        region_code="5301",
        effective_from=dt.date(2024, 1, 1),
        defaults={
            "accept_minutes": 30,
            "free_cancel_hours": 24,
            "min_lead_minutes": 60,
            "max_ahead_days": 30,
            "confirm_days": 3,
            "source": "bench/orders.py",
        },
    )
    if ProviderOffer.objects.filter(status=ProviderOffer.Status.APPROVED).exists():
        return
    items = catalogue_ensure()
    providers = list(Organisation.objects.filter(kind=Organisation.Kind.HOME_CARE).order_by("id"))
    _menus(random.Random(1), providers, items)


def top_up_orders(target: int, rng: random.Random) -> None:
    """Bulk rows up to `target` orders, each on a provider's line for a person of its district,
    over the last year and the next month, at the life-cycle step its day implies."""
    from django.utils import timezone

    from yiyang.core.timeutils import LOCAL_TZ
    from yiyang.marketplace.models import Order, ProviderOffer
    from yiyang.people.models import Elder

    have = Order.objects.count()
    if have >= target:
        print(f"orders: {have:,} already")
        return
    lines = list(ProviderOffer.objects.filter(status=ProviderOffer.Status.APPROVED))
    people: dict[str, list[tuple[int, str]]] = {}
    for pk, code in (
        Elder.objects.filter(status="active").values_list("id", "region_code").iterator()
    ):
        people.setdefault(code[:6], []).append((pk, code))
    lines = [line for line in lines if people.get(line.region_code[:6])]
    today = timezone.now().astimezone(LOCAL_TZ).date()
    started, made = time.monotonic(), have
    while made < target:
        rows = []
        for _ in range(min(BATCH, target - made)):
            line = rng.choice(lines)
            elder_id, code = rng.choice(people[line.region_code[:6]])
            day = today + dt.timedelta(days=rng.randint(-365, 30))
            start = dt.datetime.combine(day, dt.time(rng.randint(8, 15)), tzinfo=LOCAL_TZ)
            done = day < today
            status = rng.choice(("rated", "confirmed", "cancelled")) if done else "created"
            rows.append(
                Order(
                    number=f"B{uuid.uuid4().hex[:20]}",
                    elder_id=elder_id,
                    region_code=code,
                    provider_id=line.provider_id,
                    offer_id=line.pk,
                    item_id=line.item_id,
                    window_start=start,
                    window_end=start + dt.timedelta(hours=2),
                    address="",
                    status=status,
                    channel="api",
                    unit_price=line.price,
                    total=line.price,
                    subsidy_amount=Decimal("0.00"),
                    ltci_amount=Decimal("0.00"),
                    self_amount=line.price,
                    accept_due=start,
                    rating=rng.choice((3, 4, 5, 5, 5)) if status == "rated" else None,
                )
            )
        Order.objects.bulk_create(rows, batch_size=5000)
        made += len(rows)
        rate = (made - have) / max(time.monotonic() - started, 1e-6)
        print(f"  orders: {made:,} of {target:,} ({rate:,.0f}/s)")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE marketplace_order")


# --- Requests ----------------------------------------------------------------------------------


def order_bodies(n: int, rng: random.Random) -> list[dict]:
    """`n` valid orders for people of Panlong on its providers' lines, each its own key."""
    from django.utils import timezone

    from yiyang.core.timeutils import LOCAL_TZ
    from yiyang.marketplace.models import ProviderOffer
    from yiyang.people.models import Elder

    lines = [
        line
        for line in ProviderOffer.objects.filter(status="approved").select_related("item")
        if any(code.startswith(PANLONG) for code in line.area_codes)
    ]
    ids = list(
        Elder.objects.filter(status="active", region_code__startswith=PANLONG)
        .order_by("?")
        .values_list("id", flat=True)[: max(n, 1000)]
    )
    today = timezone.now().astimezone(LOCAL_TZ).date()
    bodies = []
    for i in range(n):
        line = rng.choice(lines)
        day = today + dt.timedelta(days=rng.randint(2, 25))
        while line.weekdays and day.isoweekday() not in line.weekdays:
            day += dt.timedelta(days=1)
        start = dt.datetime.combine(day, dt.time(rng.randint(8, 14)), tzinfo=LOCAL_TZ)
        bodies.append(
            {
                "key": f"bench-{uuid.uuid4().hex}",
                "body": {
                    "elder": ids[i % len(ids)],
                    "offer": line.pk,
                    "window_start": start.isoformat(),
                    "window_end": (start + dt.timedelta(hours=3)).isoformat(),
                },
            }
        )
    return bodies


def in_process(args, token: str, bodies: list[dict], provider) -> None:
    from django.test import Client

    from yiyang.marketplace.models import Order

    client = Client()
    headers = {"HTTP_X_API_KEY": token}

    def post(item) -> float:
        started = time.perf_counter()
        response = client.post(
            "/api/v1/orders",
            json.dumps(item["body"]),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=item["key"],
            **headers,
        )
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 201:
            raise SystemExit(
                f"POST /api/v1/orders: {response.status_code} {response.content[:300]!r}"
            )
        return elapsed

    print(f"In-process (Django test client, one request at a time), {len(bodies)} orders:")
    before = Order.objects.count()
    started = time.monotonic()
    samples = [post(item) for item in bodies]
    seconds = time.monotonic() - started
    made = Order.objects.count() - before
    print(
        f"  (a) place an order, own key                 {registry.percentiles(samples)}   "
        f"{len(samples) / seconds:6.1f} orders/s, orders made: {made}"
    )
    before = Order.objects.count()
    samples = [post(item) for item in bodies]
    made = Order.objects.count() - before
    print(
        f"  (b) send it again, same key                 {registry.percentiles(samples)}   "
        f"orders made: {made}"
    )
    client.force_login(provider)
    for label, path in (("first page", "/orders/"), ("page 200", "/orders/?page=200")):
        client.get(path)
        samples = []
        for _ in range(args.requests):
            started = time.perf_counter()
            response = client.get(path)
            samples.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"GET {path}: {response.status_code}")
        print(f"  (c) provider's order list, {label:<17}{registry.percentiles(samples)}")


def session_cookie(user) -> str:
    """A signed-in session for `user`, made the way the test client signs in."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def over_http(args, token: str, provider) -> None:
    from yiyang.marketplace.models import Order

    port = registry.free_port()
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DJANGO_SETTINGS_MODULE": "yiyang.settings.base",
        "DEBUG": "false",
    }
    command = [sys.executable, "-m", "gunicorn", "yiyang.wsgi:application", f"--bind=127.0.0.1:{port}",
               f"--workers={args.http_workers}", "--log-level=warning", f"--chdir={registry.ROOT}"]  # fmt: skip
    server = subprocess.Popen(command, env=env)  # noqa: S603
    cookie = session_cookie(provider)
    pool = order_bodies(20_000, random.Random(args.seed + 1))
    sent: list[dict] = []
    lock = threading.Lock()

    def run(seconds: float, work) -> tuple[list[float], list[str], float]:
        samples, errors = [], []
        deadline = time.monotonic() + seconds

        def client(seed: int) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            while time.monotonic() < deadline:
                started = time.perf_counter()
                try:
                    ok = work(conn, seed)
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    errors.append(repr(exc))
                    continue
                if ok is not True:
                    errors.append(str(ok))
                    continue
                samples.append((time.perf_counter() - started) * 1000)
            conn.close()

        started = time.monotonic()
        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.http_clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return samples, errors, time.monotonic() - started

    def place(conn, _seed):
        with lock:
            item = pool.pop() if pool else None
        if item is None:
            return "pool empty"
        conn.request("POST", "/api/v1/orders", body=json.dumps(item["body"]),
                     headers={"X-API-Key": token, "Idempotency-Key": item["key"], "Content-Type": "application/json"})  # fmt: skip
        response = conn.getresponse()
        response.read()
        with lock:
            sent.append(item)
        return True if response.status == 201 else f"{response.status}"

    def replay(conn, seed):
        item = random.Random(seed * 7919 + len(sent)).choice(sent)
        conn.request("POST", "/api/v1/orders", body=json.dumps(item["body"]),
                     headers={"X-API-Key": token, "Idempotency-Key": item["key"], "Content-Type": "application/json"})  # fmt: skip
        response = conn.getresponse()
        response.read()
        return (
            True
            if response.status == 201 and response.getheader("Idempotent-Replayed") == "true"
            else f"{response.status}"
        )

    def listing(path):
        def get(conn, _seed):
            conn.request("GET", path, headers={"Cookie": cookie})
            response = conn.getresponse()
            response.read()
            return True if response.status == 200 else f"{response.status}"

        return get

    try:
        for _ in range(300):
            try:
                registry.http_get(
                    http.client.HTTPConnection("127.0.0.1", port, timeout=5), "/", token
                )
                break
            except OSError:
                if server.poll() is not None:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.2)
        print(f"\nHTTP: gunicorn, {args.http_workers} sync workers, {args.http_clients} client threads in a closed loop, {args.http_seconds:g} s per line:")  # fmt: skip
        run(2, listing("/orders/"))  # warm every worker
        before = Order.objects.count()
        samples, errors, seconds = run(args.http_seconds, place)
        made = Order.objects.count() - before
        print(
            registry.http_line("(a) place an order, own key", samples, seconds)
            + f"   orders made: {made}"
        )
        for error in errors[:3]:
            print(f"    error: {error}")
        before = Order.objects.count()
        samples, errors, seconds = run(args.http_seconds, replay)
        print(
            registry.http_line("(b) send one again, same key", samples, seconds)
            + f"   orders made: {Order.objects.count() - before}"
        )
        for error in errors[:3]:
            print(f"    error: {error}")
        for label, path in (("first page", "/orders/"), ("page 200", "/orders/?page=200")):
            samples, errors, seconds = run(args.http_seconds, listing(path))
            print(registry.http_line(f"(c) provider's order list, {label}", samples, seconds))
            for error in errors[:3]:
                print(f"    error: {error}")
    finally:
        server.terminate()
        server.wait(30)


def main(argv=None) -> None:
    args = parse_args(argv)
    registry.setup(args)
    from django.db.models import Count

    from yiyang.accounts.models import User
    from yiyang.accounts.services import api_key_create, api_key_revoke
    from yiyang.marketplace.models import Order

    rng = random.Random(args.seed)
    ensure_menus()
    top_up_orders(args.orders, rng)
    officer = User.objects.get(username="demo_civil")
    key, token = api_key_create(
        actor=officer,
        name="bench/orders.py",
        scopes=["orders.place", "orders.view"],
        region=officer.region,
    )
    restore = registry.raise_api_throttle()
    busiest = (
        Order.objects.filter(region_code__startswith=PANLONG)
        .values("provider_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    provider = User.objects.filter(role="provider", organisation_id=busiest["provider_id"]).first()
    print(
        f"{Order.objects.count():,} orders; the provider's manager {provider.username} sees "
        f"{Order.objects.filter(provider_id=busiest['provider_id']).count():,} of them"
    )
    try:
        in_process(args, token, order_bodies(args.requests, rng), provider)
        if args.http_seconds > 0:
            over_http(args, token, provider)
    finally:
        restore()
        api_key_revoke(actor=officer, key_id=key.pk)


if __name__ == "__main__":
    main()
