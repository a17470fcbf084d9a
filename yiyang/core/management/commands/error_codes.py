"""`yiyang error-codes`: the table of every error code, read from the refusal classes.

yiyang error-codes                        print the table
yiyang error-codes --write docs/api.md    rewrite the table between the file's markers
yiyang error-codes --check docs/api.md    exit 1 when the file's table is out of date
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from yiyang.core.error_codes import error_codes_table, with_error_codes


class Command(BaseCommand):
    help = "Print the error codes (or write them into a Markdown file between its markers)."

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group()
        target.add_argument("--write", metavar="FILE", help="rewrite the table in FILE")
        target.add_argument("--check", metavar="FILE", help="fail if FILE's table is stale")

    def handle(self, *args, write=None, check=None, **options):
        path = write or check
        if path is None:
            self.stdout.write(error_codes_table())
            return
        file = Path(path)
        try:
            text = file.read_text(encoding="utf-8")
            updated = with_error_codes(text)
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        if check:
            if updated != text:
                raise CommandError(
                    f"{file}: the error codes are out of date; run "
                    f"`yiyang error-codes --write {file}`"
                )
            self.stdout.write(f"{file}: the error codes are up to date")
            return
        if updated != text:
            file.write_text(updated, encoding="utf-8")
            self.stdout.write(f"{file}: error codes written")
        else:
            self.stdout.write(f"{file}: already up to date")
