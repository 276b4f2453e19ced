"""Anything two machines can change merges the same way on both, whatever the order.

1. The applier alone (fast, hypothesis): three devices make random changes and
   now and then exchange what they have; then every change made anywhere is
   applied to fresh databases in several random orders. All of them, and every
   device after a last full exchange, hold exactly the same records.
2. Through git (tests/test_team_sync.py has the failures): members with their
   own clones make random changes and sync in random orders, some at the same
   time (racing pushes), and end up holding the same records.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from convergence_support import START, Device, canonical, open_store
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handoff_cli.changes import Change


def changes_of(device: Device) -> list[Change]:
    """The changes made on this device (or imported there): what its sync would send.
    (What it received from the others it does not send on; each device sends its own.)"""
    rows = device.store.conn.execute(
        "SELECT uuid, clock, member, device, kind, entity, body FROM changes"
        " WHERE origin != 'team' ORDER BY seq"
    )
    return [Change(*r[:6], json.loads(r[6])) for r in rows]


def exchange(source: Device, target: Device) -> None:
    """What a sync does, without git: the other's changes through the applier, in its order."""
    with target.store.write():
        target.store.apply(changes_of(source), origin="team")


def story(tmp: Path, seed: int, steps: int) -> tuple[list[Device], list[str]]:
    rng = random.Random(seed)
    devices = [Device(tmp / f"{name}.db", name, rng) for name in ("alice", "bob", "carol")]
    told = []
    for _ in range(steps):
        device = rng.choice(devices)
        device.tick(rng.randint(1, 900))
        told.append(f"{device.name}: {device.act()}")
        if rng.random() < 0.25:
            a, b = rng.sample(devices, 2)
            exchange(a, b)
            told.append(f"{a.name} -> {b.name}")
    return devices, told


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(0, 2**32 - 1))
def test_any_order_of_the_same_changes_gives_the_same_data(
    tmp_path_factory: pytest.TempPathFactory, seed: int
) -> None:
    tmp = tmp_path_factory.mktemp("order")
    devices, told = story(tmp, seed, steps=45)
    try:
        everything: dict[str, Change] = {}
        for device in devices:
            for change in changes_of(device):
                everything.setdefault(change.uuid, change)
        pool = list(everything.values())
        today = max(d.now for d in devices).date()
        rng = random.Random(seed)
        results = []
        orders = [pool, pool[::-1], sorted(pool, key=lambda c: (c.clock, c.member))]
        orders += [rng.sample(pool, len(pool)) for _ in range(2)]
        for i, order in enumerate(orders):
            store = open_store(tmp / f"fresh{i}.db")
            with store:
                for start in range(0, len(order), 7):  # in several transactions, as sync does
                    with store.write():
                        store.apply(order[start : start + 7], origin="team")
                results.append(canonical(store, today=today))
        for i in range(1, len(results)):
            assert results[i] == results[0], f"order {i} differs; the story:\n" + "\n".join(told)
        for a in devices:  # and the devices themselves, after a last full exchange
            for b in devices:
                if a is not b:
                    exchange(a, b)
        for device in devices:
            assert canonical(device.store, today=today) == results[0], device.name
    finally:
        for device in devices:
            device.close()


def test_two_members_doing_the_same_occurrence_count_once(tmp_path: Path) -> None:
    rng = random.Random(1)
    alice = Device(tmp_path / "a.db", "alice", rng)
    bob = Device(tmp_path / "b.db", "bob", rng)
    try:
        from datetime import timedelta

        from handoff_cli import writes
        from handoff_cli.rules import parse_rule

        with alice.store.write():
            w = alice.store.writer(alice.now)
            client, _ = writes.client_for_write(alice.store, w, "Kitamura", new_client=True)
            start = (START - timedelta(days=60)).date()
            made = writes.add_promise(
                alice.store, w, client, title="Monthly report", to=None,
                rule=parse_rule("monthly", start=start), start=start, after_done=False,
                due_at=None, owner="alice",
            )  # fmt: skip
        exchange(alice, bob)
        for device in (alice, bob):  # both send the late reports, each marks them done
            device.tick(60)
            with device.store.write():
                p = device.store.promise_by_uuid(made.uuid)
                assert p is not None
                writes.done(
                    device.store, device.store.writer(device.now), p,
                    at=device.now, day=device.now.date(), today=device.now.date(),
                )  # fmt: skip
        exchange(alice, bob)
        exchange(bob, alice)
        for device in (alice, bob):
            p = device.store.promise_by_uuid(made.uuid)
            assert p is not None
            completions = device.store.promise(p.id, with_completions=True).completions
            assert len(completions) == 2  # both kept, as records
            assert {d.isoformat() for c in completions for d in c.covers} == {
                "2026-08-02",
                "2026-09-02",
            }
            assert p.next_due is not None
            assert p.next_due.isoformat() == "2026-10-02"  # one step on, not two
    finally:
        alice.close()
        bob.close()


# ------------------------------------------------------------------ through git


def admit_everyone(admitter: Device) -> None:
    from handoff_cli.team import encrypted, vault
    from handoff_cli.team import sync as team_sync

    def admit(bound: team_sync.Binding) -> str:
        found = encrypted.trust(admitter.store, bound.clone)
        chosen = vault.requests(bound.clone, found)
        encrypted.admit(admitter.store, bound.clone, found, chosen, "")
        return "admit everyone"

    team_sync.sync(admitter.store, now=admitter.now, action=admit)


@pytest.mark.parametrize("encrypt", [False, True], ids=["plain", "encrypted"])
def test_members_syncing_through_git_end_with_the_same_data(tmp_path: Path, encrypt: bool) -> None:
    """Three members, bob on two devices, random work, syncs in random orders, some at the
    same moment (racing pushes); two of them do the same occurrence; an old bundle comes
    back after a removal. After a last round, every database holds the same records.
    The same with an encrypted team, once alice admitted the others."""
    import subprocess
    from concurrent.futures import ThreadPoolExecutor

    from handoff_cli import store_transfer
    from handoff_cli.formats import bundle as bundle_format
    from handoff_cli.team import sync as team_sync

    remote = tmp_path / "team.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(remote)], check=True)
    rng = random.Random(20261123)
    people = [("alice", "a"), ("bob", "b1"), ("bob", "b2"), ("carol", "c")]
    devices = [Device(tmp_path / key / "handoff.db", name, rng) for name, key in people]
    told: list[str] = []

    def sync(device: Device) -> None:
        try:
            team_sync.sync(device.store, now=device.now)
        except team_sync.SyncRefused:  # pragma: no cover - nothing here writes a bad file
            raise

    try:
        for device in devices:
            team_sync.init(
                device.store, str(remote), name=device.name, now=device.now, encrypt=encrypt
            )
        if encrypt:
            admit_everyone(devices[0])
        old_bundle = None
        for step in range(70):
            device = rng.choice(devices)
            device.tick(rng.randint(1, 600))
            told.append(f"{device.name}: {device.act()}")
            if step == 20:  # a bundle exported now, imported again much later
                records = store_transfer.records(device.store, device.store.clients())
                old_bundle = "".join(
                    bundle_format.dump(exported_at=device.now, author=device.name, clients=records)
                )
            if step % 7 == 6:  # some members sync at the same moment: pushes race
                racing = rng.sample(devices, rng.randint(2, 3))
                told.append("sync " + ", ".join(d.name for d in racing))
                with ThreadPoolExecutor(len(racing)) as pool:
                    list(pool.map(sync, racing))
        # Two members do the same occurrence of one promise, each on their own machine.
        for device in devices:
            sync(device)
        shared = devices[0].store.promises()
        if shared:
            target = shared[0].uuid
            for device in (devices[0], devices[3]):
                promise = device.store.promise_by_uuid(target)
                if promise is not None:
                    told.append(f"{device.name}: done on the shared promise")
                    with device.store.write():
                        try:
                            from handoff_cli import writes

                            writes.done(
                                device.store, device.store.writer(device.now), promise,
                                at=device.now, day=device.now.date(), today=device.now.date(),
                                early=True,
                            )  # fmt: skip
                        except Exception:  # noqa: BLE001 - paused or closed: nothing to do
                            pass
        # The old bundle, imported after notes were removed: they must not come back.
        assert old_bundle is not None
        store_transfer.import_bundle(
            devices[2].store,
            bundle_format.parse(old_bundle.encode("utf-8")),
            now=devices[2].now,
            me=devices[2].name,
            keep_owners=True,
        )
        for _ in range(2):  # a last round, twice: what one sent, the others now have
            for device in devices:
                sync(device)
        today = max(d.now for d in devices).date()
        first = canonical(devices[0].store, today=today)
        for device in devices[1:]:
            assert canonical(device.store, today=today) == first, "\n".join(told)
        removed = {t["uuid"] for t in first["tombstones"]}
        kept = {n["uuid"] for c in first["clients"] for n in c["notes"]}
        assert not removed & kept  # nothing removed came back with the old bundle
    finally:
        for device in devices:
            device.close()
