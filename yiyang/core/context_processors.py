from . import registry


def menu(request):
    """The console's menu for the signed-in account: the sections the apps declare."""
    return {"menu": registry.menu_for(getattr(request, "user", None))}
