"""A recording channel for tests and demo mode.

It plays the part of a remote service that honours idempotency keys: every call is recorded
in ``calls`` (and, with ``LOG_PATH``, appended to a file so other processes can be checked),
but an effect is applied only once per key, like a well-behaved API.
"""

import json
import os
import threading
import time
from pathlib import Path

from .base import Channel, ChannelConfigurationError, ChannelError, Outcome, Target, TargetPlan

_lock = threading.Lock()


class RecordingChannel(Channel):
    calls: list[dict] = []
    applied: dict[str, int] = {}

    @classmethod
    def reset(cls) -> None:
        cls.calls.clear()
        cls.applied.clear()

    def plan_targets(self, *, page, zones) -> TargetPlan:
        count = int(self.options.get("TARGETS", 1))
        return TargetPlan(
            targets=[Target(key=f"fake-{n}", label=f"Fake {n}") for n in range(count)]
        )

    def deliver(self, *, delivery) -> Outcome:
        key = delivery.idempotency_key
        self._record("deliver", key)
        if self.options.get("FAIL") == "config":
            raise ChannelConfigurationError("fake channel misconfigured")
        if self.options.get("FAIL") == "transient":
            raise ChannelError("fake transient failure", status=503, body="busy")
        delay = float(self.options.get("DELAY", 0))
        if delay:
            time.sleep(delay)
        with _lock:
            type(self).applied[key] = type(self).applied.get(key, 0) + 1
            first = type(self).applied[key] == 1
        if first:
            self._record("applied", key)
        return Outcome(status="done", external_ref=f"fake:{key}")

    def cancel(self, *, delivery) -> None:
        self._record("cancel", delivery.idempotency_key)

    def _record(self, action: str, key: str) -> None:
        entry = {"action": action, "key": key, "pid": os.getpid(), "at": time.time()}
        with _lock:
            type(self).calls.append(entry)
        log_path = self.options.get("LOG_PATH")
        if log_path:
            if action == "applied" and _applied_in_file(log_path, key):
                return
            with Path(log_path).open("a") as fh:
                fh.write(json.dumps(entry) + "\n")
                fh.flush()
                os.fsync(fh.fileno())


def _applied_in_file(log_path: str, key: str) -> bool:
    path = Path(log_path)
    if not path.exists():
        return False
    for line in path.read_text().splitlines():
        entry = json.loads(line)
        if entry["action"] == "applied" and entry["key"] == key:
            return True
    return False
