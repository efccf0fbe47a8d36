"""How the bot receives updates: getUpdates and the webhook methods; getFile."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox._errors import BadRequest
from sandbox._files import DOWNLOAD_LIMIT
from sandbox._params import Params
from sandbox._state import Update
from sandbox.methods.registry import method
from sandbox.model import WebhookConfig
from sandbox.serialize import file_dict

if TYPE_CHECKING:
    from sandbox.core import Sandbox


@method("getUpdates")
async def get_updates(sb: Sandbox, params: Params) -> list[Update]:
    limit = params.opt_int("limit") or 100
    if not 1 <= limit <= 100:
        limit = 100
    timeout = max(0, params.opt_int("timeout") or 0)
    allowed = params.json("allowed_updates")
    if allowed is not None and not isinstance(allowed, list):
        raise BadRequest("can't parse allowed_updates JSON array")
    return await sb.feed.poll(params.opt_int("offset"), limit, timeout, allowed)


@method("setWebhook")
async def set_webhook(sb: Sandbox, params: Params) -> bool:
    url = params.str("url")
    if url and not url.startswith(("http://", "https://")):
        raise BadRequest("bad webhook: Invalid URL specified")
    secret = params.opt_str("secret_token")
    if secret is not None and not (
        1 <= len(secret) <= 256 and all(c.isalnum() or c in "_-" for c in secret)
    ):
        raise BadRequest("bad webhook: secret token contains unallowed characters")
    if params.bool("drop_pending_updates"):
        sb.state.confirm_updates(sb.state.next_update_id)
    allowed = params.json("allowed_updates")
    if isinstance(allowed, list):
        sb.state.allowed_updates = allowed
    # Telegram opens up to this many connections at once (1..100, 40 if not given)
    connections = min(max(params.opt_int("max_connections") or 40, 1), 100)
    sb.state.webhook = WebhookConfig(url=url, secret_token=secret, max_connections=connections)
    sb.state.touch_meta()
    sb.state.new_update.notify()  # wakes the pusher, and ends a waiting getUpdates
    return True


@method("deleteWebhook")
async def delete_webhook(sb: Sandbox, params: Params) -> bool:
    if params.bool("drop_pending_updates"):
        sb.state.confirm_updates(sb.state.next_update_id)
    sb.state.webhook = WebhookConfig()
    sb.state.touch_meta()
    return True


@method("getWebhookInfo")
async def get_webhook_info(sb: Sandbox, params: Params) -> dict[str, Any]:
    webhook = sb.state.webhook
    info: dict[str, Any] = {
        "url": webhook.url,
        "has_custom_certificate": False,
        "pending_update_count": len(sb.state.updates),
    }
    if webhook.url:
        info["max_connections"] = webhook.max_connections
        if sb.state.allowed_updates:
            info["allowed_updates"] = sb.state.allowed_updates
    if webhook.last_error_date:
        info["last_error_date"] = webhook.last_error_date
        info["last_error_message"] = webhook.last_error_message
    return info


@method("getFile")
async def get_file(sb: Sandbox, params: Params) -> dict[str, Any]:
    stored = sb.files.resolve(params.str("file_id"))
    if stored.file_size > DOWNLOAD_LIMIT:
        raise BadRequest("file is too big")
    return file_dict(stored)
