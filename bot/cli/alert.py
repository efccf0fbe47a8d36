"""``supportdesk alert``: try the monitoring alerts API, and make API keys.

    supportdesk alert send --client DEMO --key 1c-down --status firing --summary "…"
                           [--details …] [--severity high] [--url …] [--api-key K] [--api URL]
    supportdesk alert key                a new random key and its SHA-256 for the config

``send`` posts to ``POST /api/v1/alerts`` like any monitoring would (the key from
``--api-key`` or ``SUPPORTDESK_ALERT_KEY``; the server from ``--api``, else
``SUPPORTDESK_WEB_BASE_URL``, else the page's default address). Standard library
only: no Telegram, no database.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import secrets
import urllib.error
import urllib.request

from bot.cli.output import complain, say

STATUSES = ("firing", "resolved")
SEVERITIES = ("critical", "high", "warning", "info")
DEFAULT_API = "http://127.0.0.1:8082"


def register(alert: argparse.ArgumentParser) -> None:
    commands = alert.add_subparsers(dest="alert_command", metavar="COMMAND", required=True)
    send = commands.add_parser("send", help="отправить оповещение через API")
    send.add_argument("--client", required=True, help="код клиента (проверяется по ответу)")
    send.add_argument("--key", required=True, help="ключ оповещения: что именно сломалось")
    send.add_argument("--status", choices=STATUSES, default="firing")
    send.add_argument("--summary", default=None, help="кратко (тема заявки)")
    send.add_argument("--details", default=None, help="подробности (на карточке)")
    send.add_argument("--severity", choices=SEVERITIES, default="warning")
    send.add_argument("--source", default="supportdesk alert send")
    send.add_argument("--url", default=None, help="ссылка на график или событие")
    send.add_argument(
        "--api-key", default=None, help="ключ API клиента (или SUPPORTDESK_ALERT_KEY)"
    )
    send.add_argument("--api", default=None, help=f"адрес сервера (по умолчанию {DEFAULT_API})")
    send.add_argument("--timeout", type=float, default=15.0)
    send.set_defaults(handler=_send)
    key = commands.add_parser("key", help="новый ключ API и его SHA-256 для конфига")
    key.add_argument("--name", default="monitoring", help="имя ключа в конфиге")
    key.set_defaults(handler=_key)


def _key(args: argparse.Namespace) -> int:
    key = secrets.token_urlsafe(32)
    say("alert_key", name=args.name, key=key, sha256=hashlib.sha256(key.encode()).hexdigest())
    return 0


def _send(args: argparse.Namespace) -> int:
    api_key = args.api_key or os.environ.get("SUPPORTDESK_ALERT_KEY")
    if not api_key:
        complain("alert_no_key")
        return 2
    base = (args.api or os.environ.get("SUPPORTDESK_WEB_BASE_URL") or DEFAULT_API).rstrip("/")
    body = {
        key: value
        for key, value in {
            "key": args.key,
            "status": args.status,
            "summary": args.summary,
            "details": args.details,
            "severity": args.severity,
            "source": args.source,
            "url": args.url,
        }.items()
        if value is not None
    }
    request = urllib.request.Request(
        base + "/api/v1/alerts",
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers={"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=args.timeout) as response:
            status, answer = response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as refused:
        try:
            answer = json.loads(refused.read() or b"{}")
        except ValueError:
            answer = {}
        complain("alert_refused", status=refused.code, answer=answer)
        return 1
    except (urllib.error.URLError, OSError) as exc:
        complain("alert_unreachable", url=base, detail=getattr(exc, "reason", exc))
        return 1
    ticket = answer.get("ticket")
    other = ticket is not None and not str(ticket).startswith(f"{args.client}-")
    say("alert_sent", status=status, answer=answer, client=args.client, other=other)
    return 1 if other else 0
