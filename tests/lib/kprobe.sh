# shellcheck shell=bash
# Counting the calls of kernel functions with kprobe events (tracefs).
KP_TR=/sys/kernel/tracing

# kprobe_add NAME FUNCTION: a kprobe event NAME on FUNCTION, not armed.
kprobe_add() {
	mountpoint -q "$KP_TR" || mount -t tracefs nodev "$KP_TR" || return 1
	echo "p:$1 $2" >>"$KP_TR/kprobe_events"
}

# kprobe_arm 1|0: arm or disarm every kprobe event.
kprobe_arm() { echo "$1" >"$KP_TR/events/kprobes/enable"; }

# kprobe_hits NAME: how many times NAME has fired.
kprobe_hits() { awk -v p="$1" '$1 == p { print $2 }' "$KP_TR/kprobe_profile"; }

# kprobe_clear: remove every kprobe event.
kprobe_clear() { kprobe_arm 0 && echo >"$KP_TR/kprobe_events"; }
