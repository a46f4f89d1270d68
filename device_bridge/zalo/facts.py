"""Every fact about Zalo's API that the code relies on, in one place, with its source.

Sources (see ``/work/shared/reference/zalo-oa.md`` of the project notes):
  [SDK]  zaloplatform/zalo-java-sdk, its tests;
  [CW]   chatwoot's Zalo channel;
  [NODE] a commune's Node.js publisher;
  [VN]   Vietnamese developer write-ups.
Zalo's own developer pages could not be read when this was written: whatever is marked
UNCONFIRMED is an assumption to check against developers.zalo.me when an OA is connected.
"""

# --- Endpoints ---------------------------------------------------------------------------
DEFAULT_API_BASE = "https://openapi.zalo.me"  # [SDK]
DEFAULT_OAUTH_BASE = "https://oauth.zaloapp.com"  # [SDK]
OAUTH_PERMISSION_PATH = "/v4/oa/permission"  # [VN] where the admin's browser is sent (PKCE)
OAUTH_TOKEN_PATH = "/v4/oa/access_token"  # [SDK]
ARTICLE_CREATE = "/v2.0/article/create"  # [SDK]
ARTICLE_VERIFY = "/v2.0/article/verify"  # [SDK]
ARTICLE_UPDATE = "/v2.0/article/update"  # [SDK]
ARTICLE_REMOVE = "/v2.0/article/remove"  # [SDK]
ARTICLE_DETAIL = "/v2.0/article/getdetail"  # [SDK]
ARTICLE_SLICE = "/v2.0/article/getslice"  # [SDK]
OA_BROADCAST = "/v2.0/oa/message"  # [SDK] broadcast of articles to followers
OA_CS_MESSAGE = "/v3.0/oa/message/cs"  # [CW] customer-service message
OA_UPLOAD_IMAGE = "/v2.0/oa/upload/image"  # [SDK]
OA_INFO = "/v2.0/oa/getoa"  # [SDK] the OA's own profile (id, name, follower count)

# --- Request conventions ---------------------------------------------------------------
ACCESS_TOKEN_HEADER = "access_token"  # [SDK] not "Authorization: Bearer"
OAUTH_SECRET_HEADER = "secret_key"  # [SDK] the app secret, on token requests only
# GET endpoints take their parameters as one JSON-encoded ``data`` query parameter. [SDK]
GET_DATA_PARAM = "data"

# --- Error codes (the envelope's negative ``error``) ------------------------------------
# The envelope is {"error": 0, "message": "Success", "data": {...}}. UNCONFIRMED that the HTTP
# status is always 200 on failure: the client checks both. [SDK][CW]
OK = 0
ERR_RATE_LIMITED = -32  # UNCONFIRMED [VN]: "probably a rate limit"
ERR_USER_NOT_FOLLOWING = -213  # [CW]
ERR_MEDIA_PROCESSING = -214  # UNCONFIRMED [NODE]: article media still being processed
ERR_ACCESS_TOKEN_INVALID = -216  # [SDK][CW]
ERR_ACCESS_TOKEN_EXPIRED = -220  # [CW] "broken or expired"
ERR_REPLY_WINDOW_CLOSED = -230  # [CW] 7 days without interaction
TOKEN_ERRORS = frozenset({ERR_ACCESS_TOKEN_INVALID, ERR_ACCESS_TOKEN_EXPIRED})
# The OAuth endpoint answers an error body such as {"error": -14014, "error_name": "...",
# "error_description": "..."} for a used/expired refresh token. UNCONFIRMED which codes:
# any non-empty "error" on a token request is treated as a burnt refresh token. [VN]

# --- Tokens ------------------------------------------------------------------------------
# ``expires_in`` is a string of seconds, "90000" (25 h). [SDK][VN]
ACCESS_TOKEN_DEFAULT_LIFETIME = 90_000
# Refresh this long before the access token expires, so no call meets an expired token.
ACCESS_TOKEN_REFRESH_MARGIN = 600
REFRESH_TOKEN_LIFETIME_DAYS = 90  # [VN] "about 3 months"; single use: every refresh renews it
AUTHORIZATION_CODE_LIFETIME = 600  # [VN] the PKCE code is valid 10 minutes

# --- Articles ----------------------------------------------------------------------------
ARTICLE_TITLE_MAX = 150  # [SDK]
ARTICLE_AUTHOR_MAX = 50  # [SDK]
ARTICLE_DESCRIPTION_MAX = 300  # [SDK]
# UNCONFIRMED: no documented cap per text item seen; kept well below anything plausible. [NODE]
ARTICLE_TEXT_ITEM_MAX = 5_000
ARTICLE_BODY_ITEMS_MAX = 100  # UNCONFIRMED, the project's own safety cap
ARTICLE_CAPTION_MAX = 200  # UNCONFIRMED [NODE]
IMAGE_MAX_BYTES = 1 * 1024 * 1024  # [SDK] images (covers, body images, uploads) <= 1 MB
IMAGE_TYPES = ("image/jpeg", "image/png")  # [SDK]
# verify answers -214 while media is processed: retry this many times, this far apart. [NODE]
VERIFY_ATTEMPTS = 6
VERIFY_DELAY_SECONDS = 2.0
# Tags Zalo's article text items accept. UNCONFIRMED [NODE]: plain paragraphs are safe.
ARTICLE_ALLOWED_TAGS = frozenset({"p", "br", "b", "strong", "i", "em", "u", "ul", "ol", "li"})

# --- Broadcasts --------------------------------------------------------------------------
BROADCAST_MAX_ARTICLES = 5  # [SDK]
# Broadcasts per month by OA package. UNCONFIRMED [VN]: Basic 1, Advanced 4, Premium 6.
BROADCAST_MONTHLY_BY_PACKAGE = {"basic": 1, "advanced": 4, "premium": 6}
# Each follower receives at most one broadcast a day and four a month. [VN]
BROADCAST_PER_FOLLOWER_DAY = 1
BROADCAST_PER_FOLLOWER_MONTH = 4
# An empty ``recipient.target`` means every follower. UNCONFIRMED [SDK].
BROADCAST_TARGET_KEYS = ("ages", "gender", "locations", "cities", "platform")

# --- Customer-service messages -----------------------------------------------------------
CS_FREE_WINDOW_HOURS = 48  # [CW] free replies within 48 h of the citizen's last message
CS_FREE_REPLIES = 8  # [CW] ... at most 8 of them
CS_MAX_DAYS = 7  # [CW] after 7 days without interaction: -230
CS_TEXT_MAX = 2_000  # UNCONFIRMED [CW]

# --- Webhook -----------------------------------------------------------------------------
WEBHOOK_SIGNATURE_HEADER = "X-ZEvent-Signature"  # [SDK] value "mac=<hex>"
# hex = sha256(app_id + raw_body + timestamp + OA_SECRET_KEY), a plain SHA-256 of the
# concatenation, not an HMAC; ``timestamp`` is the one inside the body. [SDK][CW]
WEBHOOK_ANSWER_WITHIN_SECONDS = 2  # [CW] or Zalo retries and may disable the webhook
EVENT_USER_SEND_TEXT = "user_send_text"
EVENT_USER_SEND_IMAGE = "user_send_image"
EVENT_USER_SEND_FILE = "user_send_file"
EVENT_FOLLOW = "follow"
EVENT_UNFOLLOW = "unfollow"
EVENT_USER_SEEN = "user_seen_message"
EVENT_USER_RECEIVED = "user_received_message"
EVENT_USER_WITHDRAW = "user_withdraw"  # UNCONFIRMED [VN]: asks for the user's data deleted


def webhook_signature(*, app_id: str, raw_body: bytes, timestamp: str, oa_secret: str) -> str:
    """The hex digest Zalo puts after ``mac=`` in ``X-ZEvent-Signature``. [SDK][CW]"""
    import hashlib

    return hashlib.sha256(
        app_id.encode() + raw_body + str(timestamp).encode() + oa_secret.encode()
    ).hexdigest()
