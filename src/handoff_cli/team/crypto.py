"""Keys, encryption and signatures for an encrypted team, from well-kept libraries only.

- Encryption: age (X25519), through `pyrage`, the Python binding of rage.
- Signatures: Ed25519, through `cryptography`.

Nothing here is hand-written cryptography: this module only stores keys,
formats them and calls those two libraries. A device's own keys live in the
user's config directory (`keys/DEVICE.json`, 0600), never in the repository;
the repository holds their public halves.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from handoff_cli.team.layout import TeamError


class CryptoError(TeamError):
    """A file that cannot be decrypted or whose signature does not verify (exit 3)."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


@dataclass(frozen=True)
class PublicKeys:
    """A device's public keys: whom to encrypt to, and whose signatures to accept."""

    age: str  # "age1..."
    ed25519: str  # base64 of the raw 32-byte public key

    def fingerprint(self) -> str:
        """What two people compare before admitting: 16 hex digits in groups of four."""
        digest = hashlib.sha256(f"{self.age}\n{self.ed25519}".encode()).hexdigest().upper()
        return " ".join(digest[i : i + 4] for i in range(0, 16, 4))

    def record(self) -> dict[str, str]:
        return {"age": self.age, "ed25519": self.ed25519}

    @classmethod
    def from_record(cls, data: Any) -> PublicKeys:
        if not isinstance(data, dict) or not isinstance(data.get("age"), str):
            msg = "not a public key record"
            raise ValueError(msg)
        if not isinstance(data.get("ed25519"), str):
            msg = "not a public key record"
            raise ValueError(msg)
        return cls(data["age"], data["ed25519"])


class DeviceKeys:
    """This device's own age identity and Ed25519 signing key."""

    def __init__(self, age_secret: str, ed25519_secret: bytes) -> None:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from pyrage import x25519

        self._age = x25519.Identity.from_str(age_secret)
        self._age_secret = age_secret
        self._signing = Ed25519PrivateKey.from_private_bytes(ed25519_secret)
        self._signing_secret = ed25519_secret

    @classmethod
    def generate(cls) -> DeviceKeys:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.hazmat.primitives.serialization import (
            Encoding,
            NoEncryption,
            PrivateFormat,
        )
        from pyrage import x25519

        signing = Ed25519PrivateKey.generate()
        raw = signing.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return cls(str(x25519.Identity.generate()), raw)

    @property
    def public(self) -> PublicKeys:
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        raw = self._signing.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return PublicKeys(str(self._age.to_public()), _b64(raw))

    def sign(self, data: bytes) -> str:
        return _b64(self._signing.sign(data))

    def decrypt(self, data: bytes) -> bytes:
        return decrypt(data, [self._age_secret])

    def save(self, path: Path) -> None:
        """Write the private keys, private to the user (0600), whole or not at all."""
        from handoff_cli.paths import make_private_dirs

        make_private_dirs(path.parent)
        data = json.dumps({"age": self._age_secret, "ed25519": _b64(self._signing_secret)})
        temp = path.with_name(path.name + ".tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)

    @classmethod
    def load(cls, path: Path) -> DeviceKeys:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(data["age"], _unb64(data["ed25519"]))
        except FileNotFoundError:
            msg = (
                f"this device's keys are missing ({path}); without them it cannot read the "
                "encrypted team (restore the file, or join again as a new device)"
            )
            raise CryptoError(msg) from None
        except Exception as exc:  # noqa: BLE001 - pyrage's own errors too: one line
            msg = f"this device's keys in {path} cannot be read ({exc.__class__.__name__})"
            raise CryptoError(msg) from None


def keys_path(device: str) -> Path:
    from handoff_cli.config import config_dir

    return config_dir() / "keys" / f"{device}.json"


def verify(keys: PublicKeys, data: bytes, signature: str) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        public = Ed25519PublicKey.from_public_bytes(_unb64(keys.ed25519))
        public.verify(_unb64(signature), data)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def encrypt(data: bytes, recipients: list[str]) -> bytes:
    import pyrage
    from pyrage import x25519

    try:
        return bytes(pyrage.encrypt(data, [x25519.Recipient.from_str(r) for r in recipients]))
    except Exception as exc:  # noqa: BLE001 - a malformed recipient: pyrage's own error
        msg = f"a public key is not a valid age recipient ({exc.__class__.__name__})"
        raise CryptoError(msg) from None


def decrypt(data: bytes, identities: list[str]) -> bytes:
    """`data` decrypted with whichever identity it was encrypted to; CryptoError if none."""
    import pyrage
    from pyrage import x25519

    try:
        return bytes(pyrage.decrypt(data, [x25519.Identity.from_str(i) for i in identities]))
    except pyrage.DecryptError as exc:
        msg = str(exc) or "it cannot be decrypted"
        raise CryptoError(msg) from None
    except Exception as exc:  # noqa: BLE001 - a malformed identity: pyrage's own error
        msg = f"not a valid age identity ({exc.__class__.__name__})"
        raise CryptoError(msg) from None


def new_team_identity() -> tuple[str, str]:
    """(secret, recipient) of a fresh team identity."""
    from pyrage import x25519

    identity = x25519.Identity.generate()
    return str(identity), str(identity.to_public())


def recipient_of(secret: str) -> str:
    from pyrage import x25519

    try:
        return str(x25519.Identity.from_str(secret).to_public())
    except Exception as exc:  # noqa: BLE001 - pyrage's own error for a malformed identity
        msg = f"not a valid age identity ({exc.__class__.__name__})"
        raise CryptoError(msg) from None


def canonical(statement: dict[str, Any]) -> bytes:
    """The bytes a statement's signature covers: its fields but the signature, sorted.

    ASCII with escapes, so that any text (even a lone surrogate a forger put
    there) has bytes, and simply fails to verify.
    """
    body = {k: v for k, v in statement.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, ensure_ascii=True, separators=(",", ":")).encode()
