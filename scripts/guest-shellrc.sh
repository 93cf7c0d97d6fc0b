# shellcheck shell=bash
# Startup file of the interactive guest shell (scripts/vm.sh --shell, make
# shell): the test scripts' helpers at hand, a prompt that says where it is.
# Note that need_modules and the like end the shell (and so the guest) when
# they bail out, as they end a test script.
[ -f /etc/bash.bashrc ] && . /etc/bash.bashrc
# shellcheck source=tests/lib/tap.sh
. "$TOP/tests/lib/tap.sh"
# shellcheck source=tests/lib/dax.sh
. "$TOP/tests/lib/dax.sh"
PS1='guest:\w\$ '
echo "guest $(uname -r); TOP, BUILD, PROGS set, tests/lib/tap.sh and dax.sh loaded; 'exit' powers off"
