import json
import sys

from django.core.management.base import BaseCommand, CommandError

from yiyang.assessment.errors import (
    AnswersInvalid,
    DefinitionInvalid,
    Problem,
    UnknownInstrument,
)
from yiyang.assessment.grading import answers_grade, instrument_load

# Bad input exits with 2, like argparse, so scripts can tell it from a crash (1).
BAD_INPUT = 2


class Command(BaseCommand):
    help = (
        'Re-grade one set of answers: read {"items": {…}} as JSON on standard input and print '
        "the grade with its explanation as JSON. Example: yiyang grade ltc-2021 < answers.json"
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument(
            "instrument",
            help="ltc-2021, gbt-42195-2022, or a legacy one: mzt-039-2013, barthel",
        )

    def handle(self, *args, instrument, **options):
        try:
            definition = instrument_load(instrument)
        except UnknownInstrument as exc:
            raise CommandError(f"unknown_instrument: {exc.message}", returncode=BAD_INPUT) from exc
        except DefinitionInvalid as exc:
            # Our bug, not the caller's: exit 1 like any other failure, but say which file.
            raise CommandError(f"bad_definition: {exc.message}") from exc
        raw = (options.get("stdin") or sys.stdin).read()
        try:
            answers = json.loads(raw, object_pairs_hook=_refuse_duplicate_keys)
        except ValueError as exc:
            raise CommandError(
                str(Problem("bad_json", None, str(exc))), returncode=BAD_INPUT
            ) from exc
        try:
            result = answers_grade(instrument=definition, answers=answers)
        except AnswersInvalid as exc:
            raise CommandError(exc.message, returncode=BAD_INPUT) from exc
        self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))


def _refuse_duplicate_keys(pairs):
    # json.loads keeps the last of two equal keys silently; an auditor must see the clash.
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"duplicate key {key!r}")
        seen[key] = value
    return seen
