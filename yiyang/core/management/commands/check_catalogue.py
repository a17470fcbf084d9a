import shutil
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

LOCALE = "zh_Hans"
# Only the yiyang package holds user-facing text; build/ may hold stale copies of it.
IGNORE = [
    ".venv/*",
    "bench/*",
    "*/tests/*",
    "build/*",
    "var/*",
    "test-output/*",
    "docs/*",
    "scripts/*",
    "*.egg-info/*",
]


class Command(BaseCommand):
    help = "Fail if any user-facing string lacks a zh-hans translation (or the catalogue is stale)."

    def handle(self, *args, **options):
        po_path = Path(settings.LOCALE_PATHS[0]) / LOCALE / "LC_MESSAGES" / "django.po"
        if not po_path.exists():
            raise CommandError(f"{po_path} is missing")
        with tempfile.TemporaryDirectory() as tmp:
            backup = Path(tmp) / "django.po"
            shutil.copy2(po_path, backup)
            try:
                call_command(
                    "makemessages",
                    locale=[LOCALE],
                    no_obsolete=True,
                    verbosity=0,
                    ignore_patterns=IGNORE,
                )
                with po_path.open("rb") as fh:
                    fresh = read_po(fh)
            finally:
                shutil.copy2(backup, po_path)
        with po_path.open("rb") as fh:
            committed = read_po(fh)
        missing_ids = sorted(
            str(m.id) for m in fresh if m.id and committed.get(m.id, context=m.context) is None
        )
        untranslated = sorted(
            str(m.id)
            for m in committed
            if m.id
            and (not m.string or (isinstance(m.string, tuple) and not all(m.string)) or m.fuzzy)
        )
        problems = [f"not in the catalogue: {m!r}" for m in missing_ids]
        problems += [f"untranslated or fuzzy: {m!r}" for m in untranslated]
        if problems:
            raise CommandError("zh-hans catalogue incomplete:\n" + "\n".join(problems[:200]))
        self.stdout.write(f"zh-hans catalogue complete: {len(committed)} messages")
