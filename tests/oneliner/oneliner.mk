# `make oneliner`: the host tests of the shell form and the one-liners (tests/oneliner/run.sh).
.PHONY: oneliner
oneliner: all $(BUILD)/mkimage
	BUILD=$(BUILD) tests/oneliner/run.sh
