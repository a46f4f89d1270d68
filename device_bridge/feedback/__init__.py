"""Citizens' feedback over the Zalo Official Account (phản ánh, kiến nghị).

Inbound: Zalo POSTs events to ``/zalo/webhook/`` (``views.zalo_webhook``); the raw event is
stored (deduplicated by message id) and answered at once, then processed in a django-q2 task
(``tasks.webhook_event_process``) into citizens, feedback threads and messages.

Outbound: an officer replies from the admin inbox (``admin_views``); the reply is stored first
and sent by a task through the Zalo client of ``device_bridge.zalo`` (``zalo_adapter``), so a
failure leaves the reply in the thread marked failed, never lost.
"""
