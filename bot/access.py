"""Who may use the bot, who is an admin, and how often each user may ask."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable

from index.settings import Settings


class AccessPolicy:
    """Optional chat/user allowlists plus the admin list; admins are always allowed."""

    def __init__(
        self, *, allowed_chats: list[int], allowed_users: list[int], admins: list[int]
    ) -> None:
        self.allowed_chats = set(allowed_chats)
        self.allowed_users = set(allowed_users)
        self.admins = set(admins)

    @classmethod
    def from_settings(cls, settings: Settings) -> AccessPolicy:
        return cls(
            allowed_chats=settings.allowed_chat_ids,
            allowed_users=settings.allowed_user_ids,
            admins=settings.admin_user_ids,
        )

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.admins

    def allows(self, chat_id: int | None, user_id: int | None) -> bool:
        """Whether this user in this chat may talk to the bot."""
        if self.is_admin(user_id):
            return True
        if self.allowed_chats and chat_id not in self.allowed_chats:
            return False
        return not self.allowed_users or user_id in self.allowed_users


class RateLimiter:
    """At most `per_minute` questions per user in any sliding 60-second window."""

    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._asked: dict[int, deque[float]] = defaultdict(deque)

    def try_acquire(self, user_id: int) -> float:
        """0 if the user may ask now (and counts it), else seconds until they may."""
        now = self._clock()
        asked = self._asked[user_id]
        while asked and now - asked[0] >= 60.0:
            asked.popleft()
        if len(asked) >= self.per_minute:
            return 60.0 - (now - asked[0])
        asked.append(now)
        return 0.0
