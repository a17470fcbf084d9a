"""The `yiyang` command: every management command, so operators never need manage.py.

`yiyang demo-city --elders 1000` is `manage.py demo_city --elders 1000`: dashes in the
command name are accepted for underscores.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiyang.settings.base")
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    argv[0] = "yiyang"
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
