"""What waits for a user, contributed by each app (the home page's list).

An app registers a provider in its AppConfig.ready(); a provider takes the
user and returns (label, count, url) items. The home page shows those with a
non-zero count, so core needs no knowledge of the apps.
"""

from collections.abc import Callable

Provider = Callable[[object], list[tuple[str, int, str]]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Add a provider (idempotent)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def items_for(user) -> list[tuple[str, int, str]]:
    """Every non-empty item for the user, in registration order."""
    items = []
    for provider in _providers:
        items.extend(item for item in provider(user) if item[1])
    return items
