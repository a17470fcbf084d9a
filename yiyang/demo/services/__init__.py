"""The demo city generator (`yiyang demo-city`) and the demo accounts (`yiyang demo-accounts`)."""

from .accounts import DEMO_PASSWORD, ROLE_ACCOUNTS, demo_accounts_ensure
from .city import DEFAULT_AS_OF, BuildResult, demo_city_build, demo_digest

__all__ = [
    "DEFAULT_AS_OF",
    "DEMO_PASSWORD",
    "ROLE_ACCOUNTS",
    "BuildResult",
    "demo_accounts_ensure",
    "demo_city_build",
    "demo_digest",
]
