"""Garbage collection in the long-running ASGI process (many idle sockets).

CPython 3.11 collects its oldest generation by visiting every object in it, and does so each
time that generation has grown by a quarter. With 10,000 open sockets (about two million
objects) one such collection held the event loop for about a second, and opening them took
seventeen. Everything that survives a full collection is alive, so freezing it right after
(gc.freeze: moved out of the collector's sight, in constant time) leaves the next collections
only what was made since: pauses in proportion to the growth, not to the whole heap.

What is frozen and dies later in a reference cycle (a closed socket's consumer) cannot be
collected while frozen, so every `thaw_seconds` the frozen objects go back to the oldest
generation: the next full collection sees them all once and frees what died.
"""

import gc
import threading

THAW_SECONDS = 600

_installed = []
_lock = threading.Lock()


def install(thaw_seconds: float = THAW_SECONDS) -> None:
    """Freezes what start-up made and every full collection's survivors; thaws periodically.
    Idempotent."""
    with _lock:
        if _installed:
            return
        _installed.append(thaw_seconds)
    gc.collect()
    gc.freeze()
    gc.callbacks.append(_freeze_after_full_collection)
    threading.Thread(target=_thaw_every, args=(thaw_seconds,), name="gc-thaw", daemon=True).start()


def _freeze_after_full_collection(phase: str, info: dict) -> None:
    if phase == "stop" and info["generation"] == 2:
        gc.freeze()


def _thaw_every(seconds: float) -> None:
    stop = threading.Event()
    while not stop.wait(seconds):
        gc.unfreeze()
