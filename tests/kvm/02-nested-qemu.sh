#!/bin/bash
# The demo's scenario (scripts/guest-demo.sh) as a test: a nested QEMU
# whose guest RAM is a map=none devdax device at 1G align writes that RAM,
# and the words read back through /dev/daxX.Y.
exec bash "$TOP/scripts/guest-demo.sh"
