"""Settings of the worker-kill test's subprocesses: a slow recording channel, fast sweeping."""

import os

from cms.settings.dev import *  # noqa: F403

DEVICE_CHANNELS = {
    "fake": {
        "CLASS": "device_bridge.channels.fake.RecordingChannel",
        "OPTIONS": {"TARGETS": 6, "DELAY": 1.5, "LOG_PATH": os.environ["FAKE_CHANNEL_LOG"]},
    }
}
# A 3-second "stuck" threshold only works because this test kills the worker on purpose; in
# production it must exceed the task timeout.
DEVICE_BRIDGE = {**DEVICE_BRIDGE, "DEFAULT_CHANNELS": ["fake"], "STUCK_AFTER_SECONDS": 3}  # noqa: F405
Q_CLUSTER = {**Q_CLUSTER, "workers": 1, "timeout": 20, "retry": 30, "poll": 0.2,  # noqa: F405
             "orm": "default", "sync": False}
Q_CLUSTER.pop("redis", None)
LOGGING = {"version": 1, "disable_existing_loggers": False}
