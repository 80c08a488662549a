"""The ASGI process's garbage collection policy, in a process of its own (it changes the
collector for the whole process)."""

import subprocess
import sys
import textwrap

from django.conf import settings


def test_full_collections_freeze_their_survivors_and_a_thaw_frees_what_died_frozen():
    script = textwrap.dedent(
        """
        import gc, time, weakref
        from totara_messaging import gcpolicy

        gcpolicy.install(thaw_seconds=0.5)
        assert gc.get_freeze_count() > 0, "start-up objects are frozen"

        class Node:
            pass

        survivors = [Node() for _ in range(1000)]
        gc.collect()
        assert gc.get_freeze_count() >= 1000, "a full collection's survivors are frozen"
        assert gc.get_count() == (0, 0, 0)

        # A cycle that dies frozen waits for the thaw, then the next full collection frees it.
        cycle = Node()
        cycle.me = cycle
        gc.collect()
        ref = weakref.ref(cycle)
        del cycle
        gc.collect()
        assert ref() is not None, "frozen: not collected yet"
        time.sleep(1.0)
        gc.collect()
        assert ref() is None, "thawed and collected"
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
