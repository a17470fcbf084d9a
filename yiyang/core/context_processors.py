from . import registry
from .scoping import SELF

# The cookie that keeps the large-text choice (长辈版) on this browser; the pages read it here.
TEXT_COOKIE = "yiyang_text"


def menu(request):
    """The console's menu for the signed-in account: the sections the apps declare."""
    return {"menu": registry.menu_for(getattr(request, "user", None))}


def reading(request):
    """How large the text is: older people and families read at 18 px or more by default, and
    anyone may choose the large text (24 px or more)."""
    user = getattr(request, "user", None)
    is_self = bool(user is not None and user.is_authenticated and user.scope_kind == SELF)
    return {
        "text_large": request.COOKIES.get(TEXT_COOKIE) == "large",
        "reads_as_self": is_self,
    }
