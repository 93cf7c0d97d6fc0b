#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Damage the namespace labels in a raw label area (ndctl read-labels -o),
keeping every checksum valid, so that only libnvdimm's own sense can
refuse the result.

usage: labeledit.py IN OUT past|overlap|foreign
  past     the active label that starts last runs far past any region
  overlap  the second active label starts where the first one does
  foreign  every active label names another interleave set (its cookie + 1)
"""
import struct
import sys


def fletcher64(data):
    lo, hi = 0, 0
    for (word,) in struct.iter_unpack("<I", data):
        lo = (lo + word) & 0xFFFFFFFF
        hi = (hi + lo) & 0xFFFFFFFFFFFFFFFF
    return ((hi << 32) | lo) & 0xFFFFFFFFFFFFFFFF


def current_index(area):
    """Offset, labelsize, labeloff, nslot and free bitmap of the live index."""
    found = []
    for off in (0, 256):
        if area[off:off + 16] != b"NAMESPACE_INDEX\0":
            continue
        labelsize = 128 << area[off + 19]
        seq, = struct.unpack_from("<I", area, off + 20)
        labeloff, nslot = struct.unpack_from("<QI", area, off + 48)
        found.append((seq & 3, off, labelsize, labeloff, nslot))
    if not found:
        sys.exit("labeledit: no namespace index")
    if len(found) == 2:
        a, b = found
        found = [b if (a[0] % 3) + 1 == b[0] else a]
    _, off, labelsize, labeloff, nslot = found[0]
    free = area[off + 72:off + 72 + (nslot + 7) // 8]
    return labelsize, labeloff, nslot, free


def main():
    if len(sys.argv) != 4 or sys.argv[3] not in ("past", "overlap", "foreign"):
        sys.exit(__doc__)
    area = bytearray(open(sys.argv[1], "rb").read())
    labelsize, labeloff, nslot, free = current_index(area)
    active = [s for s in range(nslot) if not free[s // 8] & (1 << (s % 8))]
    if len(active) < 2:
        sys.exit("labeledit: need two active labels, found %d" % len(active))
    labels = sorted((struct.unpack_from("<Q", area, labeloff + s * labelsize + 104)[0],
                     labeloff + s * labelsize) for s in active)
    second = labels[1][1]
    dpa = labels[0][0]
    if sys.argv[3] == "past":
        targets = [labels[-1][1]]
        rawsize, = struct.unpack_from("<Q", area, targets[0] + 112)
        struct.pack_into("<Q", area, targets[0] + 112, rawsize << 20)
    elif sys.argv[3] == "overlap":
        targets = [second]
        struct.pack_into("<Q", area, second + 104, dpa)
    else:
        targets = [off for _, off in labels]
        for target in targets:
            cookie, = struct.unpack_from("<Q", area, target + 88)
            struct.pack_into("<Q", area, target + 88, (cookie + 1) & (2**64 - 1))
    for target in targets:
        if labelsize == 256:
            struct.pack_into("<Q", area, target + 248, 0)
            struct.pack_into("<Q", area, target + 248,
                             fletcher64(bytes(area[target:target + 256])))
        print("labeledit: %s: label at %#x changed (%d-byte labels)"
              % (sys.argv[3], target, labelsize))
    open(sys.argv[2], "wb").write(area)


main()
