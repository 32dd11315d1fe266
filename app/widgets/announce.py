"""Say something to a screen reader (Orca, NVDA, VoiceOver) without moving the keyboard: the
analysis's end, its result, a refusal, a status message. Sighted users see these appear; a
screen reader announces only what has focus unless the application raises an announcement.

    announce(widget, "Analysis finished. Network grade III, 61 %.")          # polite
    announce(widget, "Confirmation refused: write the reason in Notes", assertive=True)

`ANNOUNCED` keeps the latest announcements (text, assertive) for tests and for a person
checking what a screen reader was told. The same words again within `REPEAT_S` are not
announced again (a failure said at once, then shown in the status bar, was heard twice).
"""

from __future__ import annotations

import time
from collections import deque

from PySide6.QtCore import QObject
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent

ANNOUNCED: deque[tuple[str, bool]] = deque(maxlen=50)
REPEAT_S = 2.0
_last_at = float("-inf")  # when the last of ANNOUNCED was announced


def announce(source: QObject, message: str, assertive: bool = False) -> None:
    """Announce `message` on behalf of `source` (a widget on screen): polite waits for the
    reader to finish what it says, assertive interrupts (refusals, failures)."""
    message = " ".join(str(message).split())
    global _last_at
    now = time.monotonic()
    if not message or (ANNOUNCED and ANNOUNCED[-1][0] == message and now - _last_at < REPEAT_S):
        return
    _last_at = now
    ANNOUNCED.append((message, assertive))
    event = QAccessibleAnnouncementEvent(source, message)
    event.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive if assertive
                        else QAccessible.AnnouncementPoliteness.Polite)
    QAccessible.updateAccessibility(event)
