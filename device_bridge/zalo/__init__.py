"""Zalo Official Account integration (Zalo OA): client, tokens, fake server, channel.

Interface for other modules (the webhook/feedback inbox builds on these):

* ``device_bridge.zalo.client.client_for_site(site) -> ZaloClient`` (raises
  ``ZaloNotConfigured`` / ``ZaloAuthError``); use it as a context manager or call ``.close()``.
  ``ZaloClient.send_text(user_id, text) -> message_id`` sends the customer-service reply
  (raises ``ZaloNotFollowing`` on -213, ``ZaloReplyWindowClosed`` on -230,
  ``ZaloRateLimited``/``ZaloUnavailable`` when worth retrying, ``ZaloAuthError`` when the OA
  must be reconnected). Also ``upload_image``, ``create_article``/``update_article``/
  ``verify_article``/``remove_article``/``list_articles``/``get_article``,
  ``broadcast_articles(ids, target)``, ``get_oa_info()``.
* Exceptions: ``device_bridge.zalo.errors`` (``ZaloError`` with ``.code`` and ``.message``).
* Facts and limits (error codes, reply window 48 h / 7 days, webhook header and signature
  formula ``facts.webhook_signature(app_id=, raw_body=, timestamp=, oa_secret=)``, event
  names): ``device_bridge.zalo.facts``.
* Settings, read at call time: ``ZALO_API_BASE``, ``ZALO_OAUTH_BASE``, ``ZALO_APP_ID``,
  ``ZALO_APP_SECRET``, ``ZALO_OA_SECRET`` (``client.zalo_settings()``).
* Model ``device_bridge.zalo.models.ZaloAccount`` (one per wagtail ``Site``,
  ``site.zalo_account``), with ``oa_id``, ``status``.

Tests: ``tests/zalo/conftest.py`` provides the fixture ``zalo_fake`` (a running
``device_bridge.zalo.fake_server.FakeZalo``; settings ZALO_* point at it, app id/secret/OA
secret are ``fake_server.APP_ID``/``APP_SECRET``/``OA_SECRET``) and ``zalo_account`` (the
``site_tree`` site connected to it: ``connect_account(site, fake)``). Useful on the fake:
``fake.outbox`` (list of ``{"kind": "cs", "user_id", "text", "message_id"}`` and broadcasts),
``fake.unfollowed`` / ``fake.window_closed`` (sets of user ids), ``fake.fail(path, kind)``,
``fake.signed_event(event_dict) -> (raw_body, headers)`` for webhook requests.
To connect an account by hand:
``device_bridge.zalo.tokens.account_connect(site=site, refresh_token=fake.issue_refresh_token())``.
"""
