"""The meeting settings the emulator keeps: defaults, types and allowed values.

Settings Zoom knows but the emulator does not keep are ignored, as Zoom ignores unknown fields.
"""

from __future__ import annotations

from typing import Any

from orchestrator.zoom.emulator.errors import validation_error

BOOLEAN_SETTINGS = (
    "host_video",
    "participant_video",
    "cn_meeting",
    "in_meeting",
    "join_before_host",
    "mute_upon_entry",
    "watermark",
    "use_pmi",
    "close_registration",
    "show_share_button",
    "allow_multiple_devices",
    "registrants_confirmation_email",
    "waiting_room",
    "request_permission_to_unmute_participants",
    "registrants_email_notification",
    "meeting_authentication",
    "alternative_hosts_email_notification",
    "email_notification",
    "device_testing",
    "focus_mode",
    "private_meeting",
    "show_join_info",
    "host_save_video_order",
    "internal_meeting",
    "participant_focused_meeting",
    "push_change_to_calendar",
    "auto_start_meeting_summary",
    "disable_participant_video",
    "enforce_login",
)
CHOICE_SETTINGS: dict[str, tuple[object, ...]] = {
    "approval_type": (0, 1, 2),
    "registration_type": (1, 2, 3),
    "jbh_time": (0, 5, 10, 15),
    "audio": ("both", "telephony", "voip", "thirdParty"),
    "auto_recording": ("local", "cloud", "none"),
    "encryption_type": ("enhanced_encryption", "e2ee"),
}
STRING_SETTINGS: dict[str, int | None] = {
    "alternative_hosts": None,
    "contact_name": None,
    "contact_email": None,
    "enforce_login_domains": None,
    "authentication_option": None,
    "authentication_domains": None,
    "audio_conference_info": 2048,
}

DEFAULT_SETTINGS: dict[str, Any] = {
    **dict.fromkeys(BOOLEAN_SETTINGS, False),
    "alternative_hosts_email_notification": True,
    "email_notification": True,
    "registrants_confirmation_email": True,
    "registrants_email_notification": True,
    "approval_type": 2,
    "registration_type": 1,
    "jbh_time": 0,
    "audio": "voip",
    "auto_recording": "none",
    "encryption_type": "enhanced_encryption",
    "alternative_hosts": "",
    "enforce_login_domains": "",
    "breakout_room": {"enable": False},
}


def check_setting(key: str, value: object) -> bool:
    """Validate one known setting; ``False`` for a key the emulator does not keep."""
    where = f"settings.{key}"
    if key in BOOLEAN_SETTINGS:
        if not isinstance(value, bool):
            raise validation_error(where, f"{key} must be a boolean.")
        return True
    if key in CHOICE_SETTINGS:
        allowed = CHOICE_SETTINGS[key]
        # bool is an int in Python; JSON true is not a valid approval_type
        if isinstance(value, bool) or value not in allowed:
            choices = ", ".join(map(str, allowed))
            raise validation_error(where, f"Invalid {key}: {value!r}; allowed: {choices}.")
        return True
    if key in STRING_SETTINGS:
        limit = STRING_SETTINGS[key]
        if not isinstance(value, str):
            raise validation_error(where, f"{key} must be a string.")
        if limit is not None and len(value) > limit:
            raise validation_error(where, f"{key} is limited to {limit} characters.")
        return True
    return False
