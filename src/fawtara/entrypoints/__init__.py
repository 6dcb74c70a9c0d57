"""Thin entry points: parse, call a use case, render. HTTP (api/) and CLI (cli/)."""
