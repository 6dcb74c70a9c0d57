"""Placeholder, replaced below."""

from fawtara.bootstrap import Platform


def seed_demo(platform: Platform, subscribers: int) -> str:
    return "nothing seeded yet"
