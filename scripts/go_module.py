"""Write the Go SDK (`provider/sdk/go`) as a Go module proxy serves it, for a release.

Usage: python scripts/go_module.py OUT_DIR VERSION

Go users require the SDK by its module path; a proxy answers `<module>/@v/list`,
`<module>/@v/v<version>.info`, `.mod` and `.zip` (the module's files under `<module>@v<version>/`),
built from the tag `provider/sdk/go/v<version>`. This writes those four answers under
OUT_DIR/goproxy from the tree being released, so a mirror (or the release test, on 127.0.0.1) can
serve the module exactly as the public proxy would, and the zip is byte-for-byte reproducible.
"""

from __future__ import annotations

import json
import os
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SDK = ROOT / "provider" / "sdk" / "go"
EPOCH = (1980, 1, 1, 0, 0, 0)
"""Every entry's time in the zip: the same tree gives the same bytes, release after release."""


def module_path() -> str:
    first = (SDK / "go.mod").read_text().splitlines()[0]
    if not first.startswith("module "):
        raise SystemExit(f"{SDK / 'go.mod'}: the first line must be `module <path>`")
    return first.removeprefix("module ").strip()


def files() -> list[Path]:
    """The module's files as the Go command packs them: regular files, not in a folder of its
    own module, not version-control folders."""
    found = []
    for path in sorted(SDK.rglob("*")):
        parts = path.relative_to(SDK).parts
        if not path.is_file() or any(p in (".git", ".hg", ".svn", "vendor") for p in parts):
            continue
        nested = any((SDK.joinpath(*parts[:i]) / "go.mod").exists() for i in range(1, len(parts)))
        if not nested:
            found.append(path)
    return found


def write(out: Path, version: str) -> Path:
    module, tag = module_path(), f"v{version}"
    answers = out / "goproxy" / module / "@v"
    answers.mkdir(parents=True, exist_ok=True)
    (answers / "list").write_text(f"{tag}\n")
    made = time.gmtime(int(os.environ.get("SOURCE_DATE_EPOCH") or 315532800))  # 1980 by default
    info = {"Version": tag, "Time": time.strftime("%Y-%m-%dT%H:%M:%SZ", made)}
    (answers / f"{tag}.info").write_text(json.dumps(info))
    (answers / f"{tag}.mod").write_bytes((SDK / "go.mod").read_bytes())
    archive = answers / f"{tag}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as packed:
        for path in files():
            entry = zipfile.ZipInfo(f"{module}@{tag}/{path.relative_to(SDK).as_posix()}", EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            packed.writestr(entry, path.read_bytes())
    return archive


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    print(write(Path(sys.argv[1]), sys.argv[2]))
