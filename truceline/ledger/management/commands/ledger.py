import json
import os
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from truceline.core.errors import ApiError


def _passphrase() -> bytes:
    value = os.environ.get("TRUCELINE_KEY_PASSPHRASE", "")
    if not value:
        raise CommandError("set TRUCELINE_KEY_PASSPHRASE: key files are always encrypted")
    return value.encode()


class Command(BaseCommand):
    help = (
        "The ledger: verify [--export DIR], export DIR, check-receipt FILE, checkpoint, "
        "witness --url URL --key FILE, keygen NAME --out FILE, keys, rotate-key, "
        "register-witness NAME VKEY."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="re-derive every leaf and check every checkpoint")
        verify.add_argument("--export", type=Path, help="check an export, with no database")
        verify.add_argument("--key", action="append", help="a log verifier key you trust")
        verify.add_argument("--workers", type=int, help="processes (default: by the log's size)")
        sub.add_parser("export", help="write the public ledger").add_argument(
            "directory", type=Path
        )
        receipt = sub.add_parser("check-receipt", help="verify one receipt, offline")
        receipt.add_argument("file", type=Path)
        receipt.add_argument("--key", action="append", help="a log verifier key you trust")
        sub.add_parser("checkpoint", help="sign a checkpoint now if entries wait")
        witness = sub.add_parser("witness", help="check the latest checkpoint and cosign it")
        witness.add_argument("--url", required=True)
        witness.add_argument("--key", required=True, type=Path, help="your key file (keygen)")
        witness.add_argument("--name", required=True, help="your key's name, as registered")
        witness.add_argument("--state", type=Path, help="where the last checkpoint is kept")
        witness.add_argument("--log-key", action="append", help="the log's verifier key")
        keygen = sub.add_parser("keygen", help="a witness key file, encrypted; prints its vkey")
        keygen.add_argument("name")
        keygen.add_argument("--out", required=True, type=Path)
        sub.add_parser("keys", help="list the registered keys and fingerprints")
        sub.add_parser("rotate-key", help="a new log key; the old one stays for old checkpoints")
        register = sub.add_parser("register-witness", help="register a witness's public key")
        register.add_argument("name")
        register.add_argument("vkey")
        register.add_argument("--organisation")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        try:
            getattr(self, "do_" + action.replace("-", "_"))(**options)
        except ApiError as exc:
            raise CommandError(exc.message) from exc

    def _report(self, report: Any, what: str) -> None:
        for problem in report.problems:
            self.stderr.write(f"FAIL {problem}")
        summary = (
            f"{what}: {report.entries} entries, {report.checkpoints} checkpoints, "
            f"{report.cosignatures} cosignatures"
        )
        if report.problems:
            raise CommandError(f"{summary}; {len(report.problems)} problems")
        self.stdout.write(f"OK {summary}")

    def do_verify(
        self, *, export: Path | None, key: list[str] | None, workers: int | None, **_: Any
    ) -> None:
        from truceline.ledger.verify import verify_export

        if export is not None:
            self._report(verify_export(export, key), f"export {export}")
            return
        from truceline.ledger.audit import verify_database

        self._report(verify_database(workers), "database")

    def do_export(self, *, directory: Path, **_: Any) -> None:
        from truceline.ledger.audit import export

        counts = export(directory)
        self.stdout.write(f"{counts['entries']} entries, {counts['checkpoints']} checkpoints")

    def do_check_receipt(self, *, file: Path, key: list[str] | None, **_: Any) -> None:
        from truceline.ledger.verify import check_receipt

        try:
            receipt = json.loads(file.read_text())
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read {file}: {exc}") from exc
        problems, facts = check_receipt(receipt, key)
        for fact in facts:
            self.stdout.write(f"OK {fact}")
        for problem in problems:
            self.stderr.write(f"FAIL {problem}")
        if problems:
            raise CommandError("the receipt does not verify")

    def do_checkpoint(self, **_: Any) -> None:
        from truceline.ledger.services import checkpoint_now

        made = checkpoint_now()
        self.stdout.write(f"checkpoint {made.size}" if made else "no entry waits")

    def do_witness(
        self,
        *,
        url: str,
        key: Path,
        name: str,
        state: Path | None,
        log_key: list[str] | None,
        **_: Any,
    ) -> None:
        from truceline.ledger.keys import read_key_file
        from truceline.ledger.witness import SplitView, Witness, WitnessError, http_transport

        state = state or Path.home() / ".truceline-witness"
        try:
            witness = Witness(
                transport=http_transport(url),
                name=name,
                private=read_key_file(key, _passphrase()),
                state=state,
                log_keys=log_key,
            )
            outcome = witness.run()
        except SplitView as exc:
            self.stderr.write("!" * 72)
            self.stderr.write(str(exc))
            self.stderr.write("!" * 72)
            sys.exit(3)
        except (WitnessError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(outcome.message)

    def do_keygen(self, *, name: str, out: Path, **_: Any) -> None:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        from truceline.ledger import notes
        from truceline.ledger.keys import write_key_file

        notes.check_name(name)
        private = Ed25519PrivateKey.generate()
        try:
            write_key_file(out, private, _passphrase())
        except FileExistsError as exc:
            raise CommandError(f"{out} exists; a key file is never overwritten") from exc
        public = notes.public_bytes(private)
        self.stdout.write(notes.vkey(name, public, notes.ALG_COSIGNATURE_V1))

    def do_keys(self, **_: Any) -> None:
        from truceline.ledger.selectors import public_keys

        for k in public_keys():
            state = "retired" if k["retired_at"] else "current"
            self.stdout.write(f"{k['purpose']}\t{state}\t{k['vkey']}\t{k['fingerprint']}")

    def do_rotate_key(self, **_: Any) -> None:
        from truceline.ledger.keys import log_key_create

        self.stdout.write(log_key_create().key_id)

    def do_register_witness(
        self, *, name: str, vkey: str, organisation: str | None, **_: Any
    ) -> None:
        from truceline.ledger import notes
        from truceline.ledger.keys import witness_register
        from truceline.scenario.models import Organisation

        try:
            key_name, alg, public = notes.parse_vkey(vkey)
        except notes.NoteError as exc:
            raise CommandError(str(exc)) from exc
        if key_name != name or alg != notes.ALG_COSIGNATURE_V1:
            raise CommandError("the vkey is not a cosigning key of that name (use keygen)")
        org = None
        if organisation:
            org = Organisation.objects.filter(pk=organisation).first()
            if org is None:
                raise CommandError(f"no organisation {organisation!r}")
        self.stdout.write(witness_register(name=name, public=public, organisation=org).key_id)
