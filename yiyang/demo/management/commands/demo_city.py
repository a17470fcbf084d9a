import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from yiyang.core.exceptions import DomainError
from yiyang.demo.services import DEFAULT_AS_OF, DEMO_PASSWORD, demo_city_build, demo_digest


class Command(BaseCommand):
    help = (
        "Build a deterministic demo city (Kunming): regions, organisations, N older people with "
        "their records, and one demo account per role. Does nothing if the same city is there."
    )

    def add_arguments(self, parser):
        parser.add_argument("--elders", type=int, default=20000, help="older people (20000)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (2026)")
        parser.add_argument(
            "--as-of",
            type=dt.date.fromisoformat,
            default=DEFAULT_AS_OF,
            help=f"reference date for ages and status dates ({DEFAULT_AS_OF})",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="delete the demo city in this database and build it again",
        )
        parser.add_argument(
            "--digest", action="store_true", help="print a SHA-256 digest of the generated rows"
        )

    def handle(self, *args, elders, seed, as_of, force, digest, **options):
        try:
            result = demo_city_build(
                elders=elders,
                seed=seed,
                as_of=as_of,
                force=force,
                progress=lambda message: self.stdout.write(f"  {message}"),
            )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        city = result.city
        if result.built:
            self.stdout.write(
                self.style.SUCCESS(f"demo city built in {result.seconds:.1f} s: {city}")
            )
            for label, count in sorted(result.counts.items()):
                self.stdout.write(f"  {label}: {count:,}")
        else:
            self.stdout.write(f"demo city already built ({city}, {city.built_at:%Y-%m-%d %H:%M})")
        self.stdout.write(
            f"demo accounts: demo_civil, demo_elder, ... (password {DEMO_PASSWORD}), "
            "see docs/demo-accounts.md"
        )
        if digest:
            self.stdout.write(f"digest: {demo_digest()}")
