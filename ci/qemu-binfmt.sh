#!/usr/bin/env bash
# Make sure this machine runs binaries of another architecture (default arm64) through QEMU user
# emulation, also inside containers, so that `docker build --platform linux/arm64` and
# `docker run` of an arm64 image work on an x86_64 host.
#
#   ci/qemu-binfmt.sh [ARCH]           ensure it works; print what was done (ARCH: arm64)
#   ci/qemu-binfmt.sh --status [ARCH]  report only; exit 1 when ARCH binaries cannot run
#
# Idempotent. It installs Debian's qemu-user-static and binfmt-support when missing (apt-get),
# mounts binfmt_misc at /proc/sys/fs/binfmt_misc when it is not mounted, and enables the
# handler with `update-binfmts --enable`. The handler must carry the F (fix binary) flag: the
# kernel then opens the interpreter once, on the host, and uses it in every mount namespace, so
# containers and chroots need no copy of qemu inside. Debian's qemu-user-static registers its
# handlers that way; when a handler is missing, it is written to the register file directly.
# Needs root, and a kernel with binfmt_misc (docs/deployment/multi-arch.md).
set -euo pipefail

mode=ensure
case "${1:-}" in
  --status) mode=status; shift ;;
  -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
esac
arch="${1:-arm64}"

log() { printf 'qemu-binfmt: %s\n' "$*" >&2; }
die() { printf 'qemu-binfmt: ERROR: %s\n' "$*" >&2; exit 1; }

# Debian architecture -> QEMU's name, ELF magic and mask (from qemu's scripts/qemu-binfmt-conf.sh).
case "$arch" in
  arm64 | aarch64)
    qemu=aarch64
    magic='\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00'
    mask='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff' ;;
  *) die "unsupported architecture '$arch' (supported: arm64)" ;;
esac

BINFMT=/proc/sys/fs/binfmt_misc
ENTRY="$BINFMT/qemu-$qemu"
STATIC="/usr/bin/qemu-$qemu-static"

host="$(uname -m)"
if [ "$host" = "$qemu" ]; then
  log "this machine is $host: no emulation needed"
  exit 0
fi

entry_ok() { [ -r "$ENTRY" ] && grep -qx enabled "$ENTRY" && grep -q '^flags: .*F' "$ENTRY"; }

report() {
  log "$(sed -n 's/^interpreter /interpreter: /p' "$ENTRY"), $(grep '^flags:' "$ENTRY")"
  log "$("$STATIC" --version | head -n1)"
}

if [ "$mode" = status ]; then
  if entry_ok; then report; exit 0; fi
  log "no enabled qemu-$qemu handler with the F flag in $BINFMT"; exit 1
fi

[ "$(id -u)" -eq 0 ] || die "needs root (apt-get, mount, binfmt_misc registration)"

if [ ! -x "$STATIC" ] || ! command -v update-binfmts >/dev/null 2>&1; then
  log "installing qemu-user-static and binfmt-support from Debian (apt-get update first)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq </dev/null >&2
  apt-get install -y -qq --no-install-recommends qemu-user-static binfmt-support </dev/null >&2
fi

if [ ! -e "$BINFMT/register" ]; then
  log "mounting binfmt_misc at $BINFMT"
  mount -t binfmt_misc binfmt_misc "$BINFMT" ||
    die "'mount -t binfmt_misc binfmt_misc $BINFMT' failed: this kernel or sandbox does not allow binfmt_misc, so $arch binaries cannot run here"
fi

if ! entry_ok; then
  log "enabling the qemu-$qemu handler (update-binfmts --enable qemu-$qemu)"
  update-binfmts --enable "qemu-$qemu" >&2 2>&1 || log "update-binfmts --enable qemu-$qemu failed; registering directly"
fi
if ! entry_ok; then
  [ -e "$ENTRY" ] && echo -1 >"$ENTRY"  # a handler without the F flag: replace it
  printf ':qemu-%s:M::%s:%s:%s:F' "$qemu" "$magic" "$mask" "$STATIC" >"$BINFMT/register" ||
    die "writing to $BINFMT/register failed; $arch binaries cannot run here"
fi
entry_ok || die "the qemu-$qemu handler is not enabled with the F flag: $(tr '\n' ' ' <"$ENTRY" 2>/dev/null)"
report
