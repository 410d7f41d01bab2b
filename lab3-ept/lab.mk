# lab3-ept: EPT, VPID, unrestricted guests that boot from real mode, MMIO
# with an instruction decoder, several isolated VMs, the isolation suite.
# Each part keeps its own fragment under lab3-ept/mk/ (EPT builder,
# decoders, guests, the VM core).
include $(sort $(wildcard lab3-ept/mk/*.mk))
