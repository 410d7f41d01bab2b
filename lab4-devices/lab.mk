# lab4-devices: device models, interrupt injection, guest loaders (multiboot,
# Linux bzImage) and an unmodified Linux guest. Each part keeps its own
# fragment under lab4-devices/mk/.
include $(sort $(wildcard lab4-devices/mk/*.mk))
