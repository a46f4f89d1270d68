"""Signals of the speech pipeline that other parts of the device bridge listen to."""

from django.dispatch import Signal

#: Sent with ``page`` (specific) and ``audio`` (the ready rendering) when the broadcast audio
#: of a live page's current text is ready. The speaker channel schedules from it.
audio_ready = Signal()
