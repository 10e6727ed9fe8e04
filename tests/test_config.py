from datetime import time

import pytest

import config
from config import ConfigError


def write(tmp_path, text):
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_loads_with_defaults():
    settings = config.load("config.example.toml", environ={})
    assert settings.api_base_url == "https://api.telegram.org"
    assert settings.timezone == "Asia/Almaty"
    assert settings.quiet_hours_start == time(21, 0)
    assert settings.bot_url == "https://api.telegram.org/bot{token}"


def test_environment_overrides_file(tmp_path):
    path = write(tmp_path, 'token = "1:file"\nadmin_ids = [1, 2]\n')
    settings = config.load(path, environ={"BOT_TOKEN": "1:env", "BOT_ADMIN_IDS": "5, 6",
                                          "BOT_SEND_RATE": "12.5", "BOT_PAID_BROADCAST": "true",
                                          "BOT_API_BASE_URL": "http://127.0.0.1:8081/"})
    assert settings.token == "1:env"
    assert settings.admin_ids == (5, 6)
    assert settings.send_rate == 12.5
    assert settings.paid_broadcast is True
    assert settings.file_url == "http://127.0.0.1:8081/file/bot{token}"


@pytest.mark.parametrize("text,names", [
    ('tokn = "x"\n', "tokn: unknown setting"),
    ("send_rate = \"fast\"\n", "send_rate (from"),
    ("admin_ids = 5\n", "admin_ids (from"),
    ('quiet_hours_start = "9pm"\n', "quiet_hours_start (from"),
    ('default_language = "en"\n', "default_language: expected one of kk, ru, zh"),
    ('timezone = "Mars/Olympus"\n', "timezone: unknown time zone"),
    ('webhook_url = "https://x.kz/hook"\n', "webhook_secret: required"),
    ("paid_broadcast = 1\n", "paid_broadcast (from"),
    ("poll_interval = 5\n", "poll_interval: expected 0 to 1 seconds"),
    ("poll_interval = -0.1\n", "poll_interval: expected 0 to 1 seconds"),
])
def test_bad_settings_name_the_key(tmp_path, text, names):
    with pytest.raises(ConfigError) as err:
        config.load(write(tmp_path, text), environ={})
    assert names in str(err.value)
    assert "\n" not in str(err.value)


def test_bad_environment_value_names_the_variable():
    with pytest.raises(ConfigError, match="webhook_port \\(from BOT_WEBHOOK_PORT\\)"):
        config.load("config.example.toml", environ={"BOT_WEBHOOK_PORT": "eighty"})


def test_missing_token_is_named():
    settings = config.load("config.example.toml", environ={})
    with pytest.raises(ConfigError, match="^token: missing"):
        config.require_token(settings)


def test_explicit_missing_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        config.load(tmp_path / "nope.toml", environ={})


def test_cli_reports_one_clear_line(tmp_path):
    import subprocess
    import sys
    path = write(tmp_path, "colour = 1\n")
    done = subprocess.run([sys.executable, "bot.py", "--config", str(path), "migrate"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip() == f"config error: colour: unknown setting in {path}"
