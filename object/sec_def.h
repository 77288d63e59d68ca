/* SPDX-License-Identifier: MIT */
/*
 * Program type, expected attach type, load flags and attach target from
 * an ELF section name, with libbpf's conventions (SEC("xdp"),
 * SEC("kprobe/do_unlinkat"), SEC("?tc"), ...).
 *
 * The names are those libbpf 1.1 knows (the libbpf installed here, which
 * the tests compare with), plus the ones later libbpf releases added up to
 * 1.7 (tc/ingress, tcx/..., netkit/..., uprobe.multi/..., ...); for those
 * libbpf 1.1 leaves the type unspecified.
 *
 * A name matches an entry exactly ("xdp", "cgroup/connect4"), or, for the
 * entries that take a target, as "prefix" alone or "prefix/target"
 * ("kprobe", "kprobe/do_unlinkat"; not "kprobe_x" nor "kprobe.x/y").
 * A leading '?' turns autoload off and is not part of the name.
 */
#ifndef UEBPF_OBJECT_SEC_DEF_H
#define UEBPF_OBJECT_SEC_DEF_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Program and attach types the kernel added after the <linux/bpf.h>
 * installed here (Linux 6.1); the kernel only appends to these enums, the
 * values are those of its uapi header. */
enum {
	UEBPF_BPF_PROG_TYPE_NETFILTER = 32,
	UEBPF_BPF_STRUCT_OPS = 44,
	UEBPF_BPF_NETFILTER = 45,
	UEBPF_BPF_TCX_INGRESS = 46,
	UEBPF_BPF_TCX_EGRESS = 47,
	UEBPF_BPF_TRACE_UPROBE_MULTI = 48,
	UEBPF_BPF_CGROUP_UNIX_CONNECT = 49,
	UEBPF_BPF_CGROUP_UNIX_SENDMSG = 50,
	UEBPF_BPF_CGROUP_UNIX_RECVMSG = 51,
	UEBPF_BPF_CGROUP_UNIX_GETPEERNAME = 52,
	UEBPF_BPF_CGROUP_UNIX_GETSOCKNAME = 53,
	UEBPF_BPF_NETKIT_PRIMARY = 54,
	UEBPF_BPF_NETKIT_PEER = 55,
	UEBPF_BPF_TRACE_KPROBE_SESSION = 56,
	UEBPF_BPF_TRACE_UPROBE_SESSION = 57,
	UEBPF_BPF_TRACE_FSESSION = 58,
};

/* How a program of this section is attached automatically (libbpf's
 * bpf_program__attach), i.e. how hooks read attach_target. */
enum sec_kind {
	SEC_KIND_NONE,              /* attached by the caller (xdp, tc, cgroup, ...) */
	SEC_KIND_KPROBE,            /* target "func" or "func+offset" */
	SEC_KIND_KRETPROBE,         /* target "func" */
	SEC_KIND_KPROBE_MULTI,      /* target a glob pattern */
	SEC_KIND_KRETPROBE_MULTI,
	SEC_KIND_KPROBE_SESSION,
	SEC_KIND_UPROBE,            /* target "binary:func[+offset]" */
	SEC_KIND_URETPROBE,
	SEC_KIND_UPROBE_MULTI,      /* target "binary:pattern" */
	SEC_KIND_URETPROBE_MULTI,
	SEC_KIND_UPROBE_SESSION,
	SEC_KIND_KSYSCALL,          /* target a syscall name ("openat") */
	SEC_KIND_KRETSYSCALL,
	SEC_KIND_USDT,              /* target "binary:provider:name" */
	SEC_KIND_TRACEPOINT,        /* target "category/name" */
	SEC_KIND_RAW_TRACEPOINT,    /* target a tracepoint name */
	SEC_KIND_TRACE,             /* tp_btf, fentry, fexit, fmod_ret, fsession,
	                               freplace: target a BTF name */
	SEC_KIND_LSM,               /* target a hook name ("file_open") */
	SEC_KIND_ITER,              /* target an iterator name ("task") */
};

struct sec_def {
	/* BPF_PROG_TYPE_UNSPEC when the name is unknown. */
	enum bpf_prog_type prog_type;
	/* The expected attach type, as libbpf sets it at open. */
	enum bpf_attach_type attach_type;
	/* What libbpf adds at load: BPF_F_SLEEPABLE ("....s" names,
	 * "syscall"), BPF_F_XDP_HAS_FRAGS ("xdp.frags..."). */
	uint32_t prog_flags;
	/* The name after "prefix/" ("do_unlinkat" for "kprobe/do_unlinkat";
	 * "" for "kprobe/"), pointing into the name parsed; NULL when the
	 * name has no target part. */
	const char *attach_target;
	/* The name without its leading '?': what libbpf reports as the
	 * program's section name. Points into the name parsed. */
	const char *name;
	/* False for "?...": the object's load skips the program. */
	bool autoload;
	enum sec_kind kind;
	/* The target is a BTF name (tp_btf, fentry, lsm, iter, ...): loading
	 * needs one, from the name or set by the caller. */
	bool attach_btf;
	/* libbpf_attach_type_by_name knows the name (the program is attached
	 * to a cgroup, socket map, ... with BPF_PROG_ATTACH). */
	bool attachable;
	/* The first libbpf 1.N that knows the name (1 for all names libbpf
	 * 1.1 knows; 0 when the name is unknown). */
	uint8_t libbpf_minor;
};

/*
 * Fills *out from a section name: 0, or -ESRCH when libbpf does not know
 * the name (then prog_type is BPF_PROG_TYPE_UNSPEC and libbpf's load
 * fails with "missing BPF prog type, check ELF section name"; name and
 * autoload are still filled in), -EINVAL when sec_name is NULL.
 */
int sec_def_parse(const char *sec_name, struct sec_def *out);

/*
 * For an object of the loaders before libbpf 1.0 (a legacy `maps`
 * section, no function symbols), a name sec_def_parse does not know, by
 * the prefixes those loaders matched (libbpf 0.x, the kernel's
 * samples/bpf, iproute2): "socket1", "socket/3", "xdp_prog",
 * "classifier_x", "sk_skb/...", "cgroup/sock1", ... 0, or -ESRCH when no
 * prefix matches (out is then as sec_def_parse left it).
 */
int sec_def_parse_legacy(const char *sec_name, struct sec_def *out);

/*
 * libbpf's message for a program whose type is unknown at load, with the
 * section name's unprintable bytes as \xNN. Returns what snprintf returns.
 */
int sec_def_missing_type_msg(char *buf, size_t size, const char *prog_name,
			     const char *sec_name);

/* Names as libbpf and bpftool print them ("xdp", "sched_cls";
 * "cgroup_inet_ingress", "trace_fentry"), or NULL for a value unknown. */
const char *sec_def_prog_type_name(enum bpf_prog_type type);
const char *sec_def_attach_type_name(enum bpf_attach_type type);

#endif
