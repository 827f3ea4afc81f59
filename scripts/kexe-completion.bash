# bash completion for kexe (installed as share/bash-completion/completions/kexe by make install).
# Completes the commands, their options, the values of --format and --arch, and file and
# directory names where those are expected. A bundle's own options are in kexe-bundle(1).

_kexe() {
	local cur prev cmd words cword
	if declare -F _init_completion >/dev/null; then
		_init_completion || return
	else
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD - 1]}
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
	fi
	if [ "$cword" -eq 1 ]; then
		mapfile -t COMPREPLY < <(compgen -W "pack wrap info verify extract --help --version" -- "$cur")
		return
	fi
	cmd=${words[1]}
	case $prev in
	--kernel | --initrd | --uki | -o | --output | --stub)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		compopt -o filenames 2>/dev/null
		return
		;;
	--kexec-tree)
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		compopt -o filenames 2>/dev/null
		return
		;;
	--format)
		case $cmd in
		wrap) mapfile -t COMPREPLY < <(compgen -W "sh nixos-anywhere" -- "$cur") ;;
		*) mapfile -t COMPREPLY < <(compgen -W "kexe sh nixos-anywhere" -- "$cur") ;;
		esac
		return
		;;
	--arch)
		mapfile -t COMPREPLY < <(compgen -W "x86_64 arm64" -- "$cur")
		return
		;;
	--level)
		mapfile -t COMPREPLY < <(compgen -W "0 1 2 3 4 5 6 7 8 9 10 11 12" -- "$cur")
		return
		;;
	--cmdline | --append | --name | --url)
		return
		;;
	esac
	local opts=
	case $cmd in
	pack)
		opts="--kernel --initrd --kexec-tree --uki --cmdline --append --name --level --arch
			--format --url --print-oneliners --json -o --output"
		;;
	wrap) opts="--format --url --print-oneliners -o --output" ;;
	info | verify) opts="--json" ;;
	extract) opts="" ;;
	*) return ;;
	esac
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
	else
		# bundles for info, verify, extract and wrap; a directory for extract's second word
		if [ "$cmd" = extract ] && [ "$cword" -eq 3 ]; then
			mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		fi
		compopt -o filenames 2>/dev/null
	fi
}
complete -F _kexe kexe
