"""What a refused config says, in one catalogue (Russian first; the admin reads it).

Each entry is a ``str.format`` pattern; ``reason(key, **fields)`` fills it in.
"""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    "toml": "ошибка синтаксиса TOML: {detail}",
    "unreadable": "не удалось прочитать файл: {detail}",
    "unknown_key": "неизвестный ключ «{key}»; допустимы: {allowed}",
    "missing_key": "нет обязательного ключа «{key}»",
    "not_table": "«{key}» должен быть таблицей",
    "not_array_of_tables": "«{key}» должен быть массивом таблиц ([[{key}]])",
    "type": "«{key}» должен быть {expected}, а не {got}",
    "bad_time": "неверное время «{value}»: нужно ЧЧ:ММ от 00:00 до 24:00",
    "bad_range": "неверный интервал «{value}»: нужно «ЧЧ:ММ-ЧЧ:ММ», начало раньше конца",
    "bad_duration": "неверный срок «{value}»: нужно, например, «30m», «4h», «3d», «1h30m» "
    "или «none»",
    "bad_timezone": "неизвестный часовой пояс «{value}»",
    "bad_calendar": "неизвестный календарь «{value}»: допустимы «RU» и «none»",
    "break_outside": "перерыв «{value}» выходит за рабочие часы {hours}",
    "breaks_overlap": "перерывы «{first}» и «{second}» пересекаются",
    "round_the_clock_conflict": "круглосуточное расписание не сочетается с ключом «{key}»",
    "close_days_range": "«{key}» должен быть от {low} до {high}",
    "bad_day": "неверная дата «{value}»: нужна дата ГГГГ-ММ-ДД, например 2027-01-08",
    "day_twice": "дата {value} уже указана в строке {line}: у дня может быть одна поправка",
    "bad_priority": "неизвестный приоритет «{value}»: допустимы P1…P5",
    "bad_line": "линия поддержки должна быть 1 или 2, а не {value}",
    "no_messengers": "список мессенджеров пуст: укажите хотя бы один (telegram, max)",
    "bad_messenger": "неизвестный мессенджер «{value}»: можно {known}",
    "messenger_twice": "мессенджер указан дважды",
    "bad_code": "неверный код «{value}»: {detail}",
    "unknown_ref": "неизвестн{ending} {kind} «{value}»",
    "duplicate": "{kind} «{value}» уже встречался в строке {line}",
    "bad_duty": "дежурный {value} должен быть сотрудником этой команды ([[staff]])",
    "code_rule": "заглавные латинские или русские буквы и цифры, первая — буква, до 16 знаков",
    "empty": "«{key}» не может быть пустым",
    "still_referenced": "нельзя удалить {kind} «{key}»: на него ещё ссылаются заявки, "
    "пользователи или другие записи в базе",
}

# Grammatical gender endings for "unknown_ref" ("неизвестное расписание"...).
KINDS: dict[str, tuple[str, str]] = {
    "schedule": ("ое", "расписание"),
    "contract": ("ый", "договор"),
    "team": ("ая", "команда"),
    "client": ("ый", "клиент"),
}

# What "duplicate" names, by the key that repeats.
# Contract terms ([contracts.NAME.watch|penalties|reports]) and client managers.
MESSAGES.update(
    {
        "number_range": "«{key}» должен быть числом от {low:g} до {high:g}",
        "resolve_before_remind": "«resolve_after» должен быть позже «remind_after»",
        "bad_sla_measure": "неизвестная основа SLA «{value}»: допустимы peak (самый высокий"
        " приоритет заявки), initial (приоритет при регистрации) и final (последний)",
        "bad_report_format": "неизвестный формат отчёта «{value}»: допустимы html и xlsx",
        "bad_manager": "«managers» должен быть списком Telegram id (целых чисел), а не {value!r}",
        "bad_alert_priority": "приоритет оповещения должен быть от 1 до 5, а не {value}",
        "bad_on_resolved": "неизвестное действие «{value}» при восстановлении: допустимы"
        " resolve (решить заявку) и ask (спросить ответственного)",
        "bad_alert_key": "«alert_keys» должен быть списком таблиц"
        ' {{ name = "…", key_sha256 = "…" }}, а не {value!r}',
        "bad_alert_key_name": "имя ключа API «{value}» должно быть непустым, до 64 знаков",
        "bad_alert_key_hash": "«key_sha256» ключа «{name}» должен быть SHA-256 ключа:"
        " 64 шестнадцатеричные цифры (их печатает supportdesk alert key)",
        "alert_key_twice": "ключ API «{name}» у клиента уже есть: имена ключей не повторяются",
        "alert_key_reused": "ключ API «{name}» клиента {client} совпадает с ключом клиента"
        " {other}: у каждого клиента свои ключи",
    }
)

# The service catalogue ([contracts.NAME.types.CODE]) and a client's people and approvers.
MESSAGES.update(
    {
        "bad_type_code": "неверный код типа заявки «{value}»: латинские строчные буквы, цифры"
        " и «_», первая — буква, до 24 знаков",
        "bad_category": "неизвестная категория «{value}»: допустимы {allowed}",
        "bad_type_priority": "приоритет типа заявки должен быть от 1 до 5, а не {value}",
        "bad_approval": "неизвестное правило согласования «{value}»: допустимы none (без"
        " согласования), any (любой из согласующих) и all (все)",
        "approval_without_form": "тип «{code}» без полей идёт обычным путём (одно сообщение):"
        " согласование бывает только у типа с формой",
        "design_without_approval": 'у типа «{code}» design = true, но approval = "none":'
        " проект кому-то нужно согласовать",
        "bad_subject": "неверный шаблон темы «{value}»: {detail}",
        "bad_match": "«match» — список непустых фраз, а не {value!r}",
        "too_many_fields": "в форме не больше {limit} полей",
        "field_twice": "поле «{name}» уже есть в этой форме",
        "bad_field_name": "неверное имя поля «{value}»: латинские строчные буквы, цифры и «_»,"
        " первая — буква",
        "bad_field_kind": "неизвестный вид поля «{value}»: допустимы {allowed}",
        "field_key_kind": "ключ «{key}» бывает только у поля вида {kind}",
        "choice_without_options": "у поля выбора «{name}» нет вариантов (options)",
        "too_many_options": "вариантов выбора не больше {limit}",
        "bad_option": "вариант «{value}» должен быть непустой строкой до {limit} знаков",
        "bad_after": "«after» должен называть поле-дату выше в этой форме, а не «{value}»",
        "bad_person": "«people» должен быть списком таблиц"
        ' {{ telegram_id = …, name = "…" }}, а не {value!r}',
        "person_twice": "человек {value} уже есть в people этого клиента",
        "unknown_type": "в договоре клиента нет типа заявки «{value}»",
        "type_without_approval": 'у типа «{value}» нет согласования (approval = "none"):'
        " согласующие ему не нужны",
        "bad_approvers": "согласующие типа «{code}» — непустой список Telegram id",
        "approver_not_person": "согласующий {value} не из людей клиента {client}: добавьте его"
        " в people или managers этого клиента",
    }
)

# How a refusal of ``config apply`` names a kind of entry (accusative).
KIND_NAMES: dict[str, str] = {
    "schedule": "расписание",
    "contract": "договор",
    "team": "команду",
    "client": "клиента",
    "staff": "сотрудника",
    "invite": "приглашение",
    "catalogue": "каталог заявок договора",
    "people": "людей клиента",
}

DUPLICATE_KINDS: dict[str, str] = {
    "clients.code": "код клиента",
    "staff.telegram_id": "telegram_id сотрудника",
    "invites.code": "код приглашения",
    "team_chat": "chat_id команды",
}

TYPE_NAMES: dict[type, str] = {
    str: "строкой",
    int: "целым числом",
    bool: "true или false",
    list: "списком",
    dict: "таблицей",
    float: "числом",
}


def reason(name: str, /, **fields: object) -> str:
    return MESSAGES[name].format(**fields)


def unknown_ref(kind: str, value: str) -> str:
    ending, noun = KINDS[kind]
    return reason("unknown_ref", ending=ending, kind=noun, value=value)


def type_name(kind: type) -> str:
    return TYPE_NAMES.get(kind, kind.__name__)
