"""Polite defaults (README.md, "Crawl") and how `cfbu crawl` options override them."""

from __future__ import annotations

from cfbu_crawler.crawl import build_settings, project_settings


def test_defaults_are_polite() -> None:
    settings = project_settings()
    assert settings.getbool("ROBOTSTXT_OBEY")
    assert settings.getfloat("DOWNLOAD_DELAY") >= 1
    assert settings.getbool("AUTOTHROTTLE_ENABLED")
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= 2
    assert "cfbu" in settings["USER_AGENT"] and "+http" in settings["USER_AGENT"]
    assert not settings.getbool("TELNETCONSOLE_ENABLED")
    assert not settings.getbool("REMOTE_CONTROL_ENABLED")


def test_delay_and_concurrency_options_override_the_defaults() -> None:
    settings = build_settings(
        start_url="http://127.0.0.1:1/nyheder/", db_url="sqlite:///x", delay=2.5, concurrency=1
    )
    assert settings.getfloat("DOWNLOAD_DELAY") == 2.5
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 1
    assert settings.getbool("AUTOTHROTTLE_ENABLED")


def test_zero_delay_turns_throttling_off() -> None:
    settings = build_settings(
        start_url="http://127.0.0.1:1/nyheder/", db_url="sqlite:///x", delay=0
    )
    assert settings.getfloat("DOWNLOAD_DELAY") == 0
    assert not settings.getbool("AUTOTHROTTLE_ENABLED")


def test_contact_url_goes_into_the_user_agent() -> None:
    settings = build_settings(
        start_url="http://127.0.0.1:1/nyheder/",
        db_url="sqlite:///x",
        extra={"CFBU_CONTACT_URL": "mailto:forsker@example.org"},
    )
    assert settings["USER_AGENT"].endswith("(+mailto:forsker@example.org)")


def test_item_pipelines_are_the_packages_own() -> None:
    from scrapy.utils.misc import load_object

    pipelines = project_settings().getdict("ITEM_PIPELINES")
    assert pipelines, "no item pipelines"
    for path in pipelines:
        assert path.startswith("cfbu_crawler.pipelines."), path
        assert callable(getattr(load_object(path), "process_item", None)), path
