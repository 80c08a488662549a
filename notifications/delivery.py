"""Group messages through channels-redis in two round trips instead of four, and the first of
them ahead of time.

channels-redis's group_send makes four trips to Redis one after the other: drop the group's
expired members, read its members, drop each member channel's expired messages, then a script
that adds the message to each. Here the first two are one pipeline (look_up), which a caller
may run before it knows it will push (while its message is being saved), and the last two are
one script (deliver). What reaches each channel is what group_send puts there: the same keys,
message format, capacity check and expiry, read by channels-redis's own receive.

Any other channel layer (the in-memory one of the embedded setup) gets plain group_send.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from channels.layers import get_channel_layer

try:
    from channels_redis.core import RedisChannelLayer
except ImportError:  # pragma: no cover - channels-redis is a dependency
    RedisChannelLayer = None

logger = logging.getLogger(__name__)

# As the end of channels-redis's group_send, with the expired-message clean-up of each channel
# folded in. KEYS: channel keys; ARGV: one message per key, one capacity per key, now, expiry.
_DELIVER = """
local count = #KEYS
local now = ARGV[2 * count + 1]
local expiry = tonumber(ARGV[2 * count + 2])
local over_capacity = 0
for i = 1, count do
    redis.call('ZREMRANGEBYSCORE', KEYS[i], 0, math.floor(tonumber(now)) - expiry)
    if redis.call('ZCOUNT', KEYS[i], '-inf', '+inf') < tonumber(ARGV[count + i]) then
        redis.call('ZADD', KEYS[i], now, ARGV[i])
        redis.call('EXPIRE', KEYS[i], expiry)
    else
        over_capacity = over_capacity + 1
    end
end
return over_capacity
"""


@dataclass(frozen=True)
class Targets:
    """The groups a push goes to and, on channels-redis, each group's member channels read
    ahead (None: look them up when delivering)."""

    groups: tuple[str, ...]
    by_group: dict[str, tuple[str, ...]] | None = None

    @property
    def channels(self) -> tuple[str, ...] | None:
        if self.by_group is None:
            return None
        return tuple(dict.fromkeys(c for g in self.groups for c in self.by_group.get(g, ())))

    def subset(self, groups: Iterable[str], *, leaving_out: str | None = None) -> Targets:
        """These groups only (looked up with the rest), less the channel `leaving_out`."""
        groups = tuple(dict.fromkeys(groups))
        if self.by_group is None or not set(groups) <= set(self.groups):
            return Targets(groups)
        return Targets(
            groups,
            {g: tuple(c for c in self.by_group[g] if c != leaving_out) for g in groups},
        )


def _redis_layer():
    layer = get_channel_layer()
    if RedisChannelLayer is not None and isinstance(layer, RedisChannelLayer):
        return layer
    return None


async def look_up(groups: Iterable[str]) -> Targets:
    """The member channels of these groups, one pipeline per Redis shard."""
    groups = tuple(dict.fromkeys(groups))
    layer = _redis_layer()
    if layer is None or not groups:
        return Targets(groups)
    by_shard = defaultdict(list)
    for group in groups:
        by_shard[layer.consistent_hash(group)].append(group)
    expired = int(time.time()) - layer.group_expiry
    by_group = {}
    for index, shard_groups in by_shard.items():
        pipe = layer.connection(index).pipeline(transaction=False)
        for group in shard_groups:
            key = layer._group_key(group)
            pipe.zremrangebyscore(key, min=0, max=expired)
            pipe.zrange(key, 0, -1)
        replies = await pipe.execute()
        for group, members in zip(shard_groups, replies[1::2], strict=True):
            by_group[group] = tuple(name.decode() for name in members)
    return Targets(groups, by_group)


async def deliver(targets: Targets, message: dict) -> None:
    """Sends `message` to every channel of the targets (group_send's effect); one script per
    Redis shard."""
    layer = _redis_layer()
    if layer is None:
        layer = get_channel_layer()
        for group in targets.groups:
            await layer.group_send(group, message)
        return
    if targets.channels is None:
        targets = await look_up(targets.groups)
    if not targets.channels:
        return
    by_shard, messages, capacities = layer._map_channel_keys_to_connection(
        list(targets.channels), message
    )
    for index, keys in by_shard.items():
        over_capacity = await layer.connection(index).eval(
            _DELIVER,
            len(keys),
            *keys,
            *(messages[key] for key in keys),
            *(capacities[key] for key in keys),
            time.time(),
            int(layer.expiry),
        )
        if over_capacity:  # as channels-redis logs it: those sockets are not reading
            logger.info("%s of %s channels over capacity", over_capacity, len(keys))


# Channel keys per script: a push to thousands of users goes in a few scripts, none of which
# holds Redis for long.
DELIVER_CHUNK = 1000


async def send_each(messages: Iterable[tuple[str, dict]]) -> None:
    """Sends each (group, message) pair, a message of its own to each group: every group's
    members looked up in one pipeline per shard, then delivered by one script per shard for
    each DELIVER_CHUNK channels. Groups with no member cost only their look-up."""
    messages = list(messages)
    layer = _redis_layer()
    if layer is None:
        layer = get_channel_layer()
        for group, message in messages:
            await layer.group_send(group, message)
        return
    targets = await look_up(group for group, _ in messages)
    by_shard = defaultdict(list)
    for group, message in messages:
        channels = targets.by_group.get(group)
        if not channels:
            continue
        shards, serialized, capacities = layer._map_channel_keys_to_connection(
            list(channels), message
        )
        for index, keys in shards.items():
            by_shard[index].extend((key, serialized[key], capacities[key]) for key in keys)
    for index, entries in by_shard.items():
        for start in range(0, len(entries), DELIVER_CHUNK):
            chunk = entries[start : start + DELIVER_CHUNK]
            over_capacity = await layer.connection(index).eval(
                _DELIVER,
                len(chunk),
                *(key for key, _, _ in chunk),
                *(message for _, message, _ in chunk),
                *(capacity for _, _, capacity in chunk),
                time.time(),
                int(layer.expiry),
            )
            if over_capacity:
                logger.info("%s of %s channels over capacity", over_capacity, len(chunk))


async def send(groups: Iterable[str], message: dict) -> None:
    """group_send to several groups: their members looked up in one trip, then delivered."""
    await deliver(await look_up(groups), message)
