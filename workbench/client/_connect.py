"""``connect()``: one call that returns a working client, wherever the server is.

Sources, first match wins:

1. explicit arguments: ``host=`` (a remote server), ``profile=`` (a named profile) or
   ``data_dir=`` (the embedded server on that directory);
2. the environment: ``INFLUX_HOST`` (+ ``INFLUX_TOKEN``, ``INFLUX_DATABASE``);
3. the ``default`` profile of the profiles file (``$WORKBENCH_PROFILES`` or
   ``~/.config/workbench/profiles.toml``);
4. the embedded server, started or reused through ``workbench.launcher`` on the per-user data
   directory, with the admin token the launcher created.

A client of the embedded server uses database ``demo`` (``EMBEDDED_DATABASE``, the database
``make run`` fills) unless ``database=`` or the profile says otherwise.
"""

from __future__ import annotations

import os
from typing import Any

from workbench.client._base import pop_transport_options
from workbench.client._client import Client
from workbench.client._config import EMBEDDED_DATABASE, ENV_HOST, ClientConfig, Profile, load_profiles
from workbench.client._exceptions import ConfigError

__all__ = ["connect", "resolve_config"]


def _given(token: str | None, database: str | None) -> dict[str, str]:
    """``token=`` / ``database=`` as overrides of another source: only those actually given."""
    return {k: v for k, v in (("token", token), ("database", database)) if v is not None}


def _embedded(data_dir: str | os.PathLike | None, database: str | None, options: dict[str, Any]) -> ClientConfig:
    from workbench import launcher

    server = launcher.start(data_dir)
    return ClientConfig(host=server.url, token=server.token, database=database or EMBEDDED_DATABASE, **options)


def _from_profile(profile: Profile, token: str | None, database: str | None, options: dict[str, Any]) -> ClientConfig:
    if profile.embedded:
        return _embedded(profile.data_dir, database or profile.database, {**profile.options, **options})
    return profile.config(**_given(token, database), **options)


def resolve_config(
    host: str | None = None,
    token: str | None = None,
    database: str | None = None,
    *,
    profile: str | None = None,
    profiles_path: str | os.PathLike | None = None,
    data_dir: str | os.PathLike | None = None,
    **options: Any,
) -> ClientConfig:
    """The :class:`ClientConfig` :func:`connect` would use, without opening a client.

    Resolving an embedded source starts (or reuses) the embedded server, as ``connect`` does.
    """
    if sum(x is not None for x in (host, profile, data_dir)) > 1:
        raise ConfigError("pass at most one of host=, profile= and data_dir=")
    if host is not None:
        return ClientConfig(host=host, token=token, database=database, **options)
    if data_dir is not None:
        return _embedded(data_dir, database, options)
    if profile is not None:
        profiles, _ = load_profiles(profiles_path)
        if profile not in profiles:
            raise ConfigError(f"unknown profile {profile!r} (have: {sorted(profiles)})")
        return _from_profile(profiles[profile], token, database, options)
    if os.environ.get(ENV_HOST):
        return ClientConfig.from_env(**_given(token, database), **options)
    profiles, default = load_profiles(profiles_path)
    if default is not None:
        return _from_profile(profiles[default], token, database, options)
    return _embedded(None, database, options)


def connect(
    host: str | None = None,
    token: str | None = None,
    database: str | None = None,
    *,
    profile: str | None = None,
    profiles_path: str | os.PathLike | None = None,
    data_dir: str | os.PathLike | None = None,
    **options: Any,
) -> Client:
    """A connected :class:`Client` (see the module docstring for where the connection comes from).

    ``options`` are further client settings (``timeout``, ``retries``, ..., and ``transport=`` or
    ``http_client=``). Starting the embedded server twice reuses the running one.
    """
    transport_options = pop_transport_options(options)
    config = resolve_config(
        host, token, database, profile=profile, profiles_path=profiles_path, data_dir=data_dir, **options
    )
    return Client.from_config(config, **transport_options)
