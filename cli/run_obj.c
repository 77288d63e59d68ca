/* SPDX-License-Identifier: MIT */
/*
 * uebpf run OBJ.o: loads an object (verified, as every load is), sets it
 * up as a libbpf user would (globals, map entries, program array slots)
 * and test-runs one of its programs on each input in turn, as
 * BPF_PROG_TEST_RUN does (uebpf_prog_test_run). Map state carries over
 * from one input to the next. Per input: the return value and its name,
 * the packet and context as the program left them, the ring buffer
 * records it wrote and the time per run; at the end the maps.
 */
#define _GNU_SOURCE /* sched_setaffinity */
#include <arpa/inet.h>
#include <bpf/btf.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/bpf.h>
/* libpcap's own struct bpf_insn (classic BPF) clashes with the kernel's:
 * only its capture file API is used here. */
#define lib_pcap_bpf_h
#include <pcap/dlt.h>
#include <pcap/pcap.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "object/sec_def.h"
#include "uebpf/maps.h"
#include "uebpf/object.h"

static const char obj_usage[] =
	"usage: uebpf run OBJ.o [--prog NAME] (--data-in FILE ... | --pcap FILE)\n"
	"                 [--data-out FILE] [--ctx-in FILE] [--ctx-out FILE] [--repeat N]\n"
	"                 [--engine interp|jit] [--map-update MAP KEYHEX VALUEHEX]...\n"
	"                 [--prog-array MAP INDEX PROG]... [--global VAR HEX]...\n"
	"                 [--dump-maps] [-w OUT.pcap] [-j]";

/* ---- inputs ---- */

struct input {
	char *name; /* the file, or FILE#N for the Nth packet of a capture */
	uint8_t *data;
	size_t len;
	int linktype; /* of the capture it came from, else DLT_EN10MB */
};

struct inputs {
	struct input *v;
	size_t n, cap;
};

static int input_add(struct inputs *in, char *name, uint8_t *data, size_t len, int linktype)
{
	if (in->n == in->cap) {
		size_t cap = in->cap ? in->cap * 2 : 16;
		struct input *v = realloc(in->v, cap * sizeof(*v));
		if (!v) {
			free(name);
			free(data);
			return cli_error("out of memory");
		}
		in->v = v;
		in->cap = cap;
	}
	in->v[in->n++] = (struct input){ name, data, len, linktype };
	return 0;
}

static void inputs_free(struct inputs *in)
{
	for (size_t i = 0; i < in->n; i++) {
		free(in->v[i].name);
		free(in->v[i].data);
	}
	free(in->v);
}

static int add_file(struct inputs *in, const char *path)
{
	size_t len;
	char *data = cli_read_file(path, &len);
	if (!data)
		return 1;
	char *name = strdup(path);
	if (!name) {
		free(data);
		return cli_error("out of memory");
	}
	return input_add(in, name, (uint8_t *)data, len, DLT_EN10MB);
}

static int add_pcap(struct inputs *in, const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, errbuf);
	if (!p)
		return cli_error("%s: %s", path, errbuf);
	int linktype = pcap_datalink(p);
	if (linktype != DLT_EN10MB) {
		pcap_close(p);
		return cli_error("%s: link type %s: only Ethernet captures can be run "
				 "(programs see Ethernet frames)", path,
				 pcap_datalink_val_to_name(linktype) ? pcap_datalink_val_to_name(linktype) : "?");
	}
	struct pcap_pkthdr *h;
	const u_char *bytes;
	int rc, status = 0;
	for (size_t n = 1; !status && (rc = pcap_next_ex(p, &h, &bytes)) == 1; n++) {
		uint8_t *data = malloc(h->caplen ? h->caplen : 1);
		size_t nlen = strlen(path) + 24;
		char *name = malloc(nlen);
		if (!data || !name) {
			free(data);
			free(name);
			status = cli_error("out of memory");
			break;
		}
		memcpy(data, bytes, h->caplen);
		snprintf(name, nlen, "%s#%zu", path, n);
		status = input_add(in, name, data, h->caplen, linktype);
	}
	if (!status && rc == PCAP_ERROR)
		status = cli_error("%s: %s", path, pcap_geterr(p));
	pcap_close(p);
	return status;
}

/* ---- what the return value means ---- */

static const char *retval_name(enum bpf_prog_type type, uint32_t r)
{
	static const char *const xdp[] = { "XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX",
					   "XDP_REDIRECT" };
	static const char *const tc[] = { "TC_ACT_OK", "TC_ACT_RECLASSIFY", "TC_ACT_SHOT",
					  "TC_ACT_PIPE", "TC_ACT_STOLEN", "TC_ACT_QUEUED",
					  "TC_ACT_REPEAT", "TC_ACT_REDIRECT", "TC_ACT_TRAP" };
	static const char *const cg[] = { "SK_DROP", "SK_PASS", "SK_DROP|NET_XMIT_CN",
					  "SK_PASS|NET_XMIT_CN" };
	switch (type) {
	case BPF_PROG_TYPE_XDP:
		return r < 5 ? xdp[r] : "unknown";
	case BPF_PROG_TYPE_SCHED_CLS:
	case BPF_PROG_TYPE_SCHED_ACT:
		if (r == UINT32_MAX)
			return "TC_ACT_UNSPEC";
		return r < 9 ? tc[r] : "unknown";
	case BPF_PROG_TYPE_SOCKET_FILTER:
		/* The number of bytes to keep. */
		return r ? "keep" : "drop";
	case BPF_PROG_TYPE_CGROUP_SKB:
		return r < 4 ? cg[r] : "unknown";
	default:
		return "";
	}
}

/* Whether the packet goes on (for -w): not dropped. */
static bool passes(enum bpf_prog_type type, uint32_t r)
{
	switch (type) {
	case BPF_PROG_TYPE_XDP:
		return r >= 2 && r <= 4;
	case BPF_PROG_TYPE_SCHED_CLS:
	case BPF_PROG_TYPE_SCHED_ACT:
		return r != 2 && r != 4 && r != 5 && r != 8;
	case BPF_PROG_TYPE_CGROUP_SKB:
		return r & 1;
	default:
		return r != 0;
	}
}

static bool is_skb_type(enum bpf_prog_type type)
{
	return type == BPF_PROG_TYPE_SCHED_CLS || type == BPF_PROG_TYPE_SCHED_ACT ||
	       type == BPF_PROG_TYPE_SOCKET_FILTER || type == BPF_PROG_TYPE_CGROUP_SKB;
}

static const char *errno_name(int err)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{ EPERM, "EPERM" },   { ENOENT, "ENOENT" }, { EBADF, "EBADF" },
		{ ENOMEM, "ENOMEM" }, { EFAULT, "EFAULT" }, { ENODEV, "ENODEV" },
		{ EINVAL, "EINVAL" }, { ENOSPC, "ENOSPC" }, { E2BIG, "E2BIG" },
		{ ELOOP, "ELOOP" },   { EBADMSG, "EBADMSG" }, { EOPNOTSUPP, "EOPNOTSUPP" },
		{ ERRNO_ENOTSUPP, "ENOTSUPP" },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].err == err)
			return names[i].name;
	return "E?";
}

/* ---- hex and JSON ---- */

static void print_hex_string(const uint8_t *data, size_t len)
{
	for (size_t i = 0; i < len; i++)
		printf("%02x", data[i]);
}

/* Ends one line of output: each JSON object stands alone on its line. */
static void json_line_end(void)
{
	printf("\n");
	cli_js.sep = '\0';
}

static void json_hex_string(const uint8_t *data, size_t len)
{
	char *s = malloc(len * 2 + 1);
	if (!s) {
		cli_json_null();
		return;
	}
	for (size_t i = 0; i < len; i++)
		snprintf(s + 2 * i, 3, "%02x", data[i]);
	s[len * 2] = '\0';
	cli_json_string(s);
	free(s);
}

/* Packet bytes for a person: offset, 16 bytes in hex, as xxd shows them. */
static void print_dump(const char *indent, const uint8_t *data, size_t len)
{
	for (size_t off = 0; off < len; off += 16) {
		printf("%s%04zx: ", indent, off);
		for (size_t i = off; i < off + 16 && i < len; i++)
			printf("%02x%s", data[i], i % 2 ? " " : "");
		printf("\n");
	}
}

/* ---- BTF: keys and values by their types ---- */

static void json_btf(const struct btf *btf, uint32_t id, const uint8_t *data, size_t size);

static uint64_t load_le(const uint8_t *p, size_t size)
{
	uint64_t v = 0;
	for (size_t i = size; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

static void json_int(const struct btf_type *t, const uint8_t *data, uint32_t bit_off,
		     uint32_t bits)
{
	uint32_t enc = btf_int_encoding(t);
	uint32_t size = t->size > 8 ? 8 : t->size;
	uint64_t v = load_le(data, size);
	if (bits) {
		v >>= bit_off;
		if (bits < 64)
			v &= (1ull << bits) - 1;
	} else {
		bits = size * 8;
	}
	if (enc & BTF_INT_BOOL) {
		cli_json_bool(v != 0);
	} else if ((enc & BTF_INT_SIGNED) && bits < 64 && (v >> (bits - 1)) & 1) {
		cli_json_int((int64_t)(v | ~((1ull << bits) - 1)));
	} else if (enc & BTF_INT_SIGNED) {
		cli_json_int((int64_t)v);
	} else {
		cli_json_uint(v);
	}
}

static void json_members(const struct btf *btf, const struct btf_type *t, const uint8_t *data,
			 size_t size)
{
	const struct btf_member *m = btf_members(t);
	for (uint16_t i = 0; i < btf_vlen(t); i++, m++) {
		uint32_t bit_off = btf_member_bit_offset(t, i);
		uint32_t bits = btf_member_bitfield_size(t, i);
		size_t off = bit_off / 8;
		const char *name = btf__name_by_offset(btf, m->name_off);
		const struct btf_type *mt = btf__type_by_id(btf, m->type);
		while (mt && (btf_is_typedef(mt) || btf_is_mod(mt)))
			mt = btf__type_by_id(btf, mt->type);
		if (off > size || !mt)
			break;
		if (!name || !*name) {
			/* An anonymous struct or union: its members are the
			 * container's. */
			if (btf_is_composite(mt))
				json_members(btf, mt, data + off, size - off);
			continue;
		}
		cli_json_name(name);
		if (bits && btf_is_int(mt) && (bit_off % 8 + bits + 7) / 8 <= size - off)
			json_int(mt, data + off, bit_off % 8, bits);
		else
			json_btf(btf, m->type, data + off, size - off);
	}
}

/* A value as JSON, by its BTF type: numbers, objects for structs and
 * unions (members by name), lists for arrays, names for enums, and the
 * variables of a data section by name. What it cannot show is null. */
static void json_btf(const struct btf *btf, uint32_t id, const uint8_t *data, size_t size)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	while (t && (btf_is_typedef(t) || btf_is_mod(t)))
		t = btf__type_by_id(btf, t->type);
	int64_t tsize = t ? btf__resolve_size(btf, id) : -1;
	if (!t || tsize < 0 || (size_t)tsize > size) {
		cli_json_null();
		return;
	}
	if (btf_is_int(t)) {
		json_int(t, data, 0, 0);
	} else if (btf_is_ptr(t)) {
		cli_json_uint(load_le(data, 8));
	} else if (btf_is_enum(t) || btf_is_enum64(t)) {
		uint64_t v = load_le(data, t->size > 8 ? 8 : t->size);
		const char *name = NULL;
		for (uint16_t i = 0; i < btf_vlen(t); i++) {
			uint64_t ev = btf_is_enum(t) ? (uint32_t)btf_enum(t)[i].val
						     : btf_enum64_value(&btf_enum64(t)[i]);
			uint32_t name_off = btf_is_enum(t) ? btf_enum(t)[i].name_off
							   : btf_enum64(t)[i].name_off;
			if (t->size < 8)
				ev &= (1ull << (t->size * 8)) - 1;
			if (ev == v)
				name = btf__name_by_offset(btf, name_off);
		}
		if (name)
			cli_json_string(name);
		else
			cli_json_uint(v);
	} else if (btf_is_array(t)) {
		const struct btf_array *a = btf_array(t);
		int64_t esize = btf__resolve_size(btf, a->type);
		cli_json_begin('[');
		for (uint32_t i = 0; esize > 0 && i < a->nelems; i++)
			json_btf(btf, a->type, data + (size_t)i * (size_t)esize,
				 size - (size_t)i * (size_t)esize);
		cli_json_end(']');
	} else if (btf_is_composite(t)) {
		cli_json_begin('{');
		json_members(btf, t, data, size);
		cli_json_end('}');
	} else if (btf_is_datasec(t)) {
		const struct btf_var_secinfo *v = btf_var_secinfos(t);
		cli_json_begin('{');
		for (uint16_t i = 0; i < btf_vlen(t); i++, v++) {
			const struct btf_type *var = btf__type_by_id(btf, v->type);
			if (!var || !btf_is_var(var) || v->offset > size || v->size > size - v->offset)
				continue;
			cli_json_name(btf__name_by_offset(btf, var->name_off));
			json_btf(btf, var->type, data + v->offset, v->size);
		}
		cli_json_end('}');
	} else {
		cli_json_null();
	}
}

/* ---- maps ---- */

/* The type of an internal map's value: the data section it holds. */
static uint32_t datasec_type(const struct btf *btf, const char *map_name)
{
	uint32_t n = btf__type_cnt(btf);
	for (uint32_t id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *name = btf__name_by_offset(btf, t->name_off);
		if (!btf_is_datasec(t) || !name)
			continue;
		size_t nl = strlen(name), ml = strlen(map_name);
		/* libbpf names the map "<at most 8 bytes of the object
		 * name><section>", or after the section alone. */
		if (ml >= nl && ml - nl <= 8 && !strcmp(map_name + ml - nl, name))
			return id;
	}
	return 0;
}

/* Maps whose entries can be listed by key. */
static bool dumpable(uint32_t type)
{
	return type != BPF_MAP_TYPE_RINGBUF && type != BPF_MAP_TYPE_QUEUE &&
	       type != BPF_MAP_TYPE_STACK && type != BPF_MAP_TYPE_BLOOM_FILTER &&
	       type != BPF_MAP_TYPE_PERF_EVENT_ARRAY && type != BPF_MAP_TYPE_STACK_TRACE;
}

struct run_ctx {
	struct uebpf_object *obj;
	struct btf *btf; /* the object's, or NULL */
	bool json;
};

static void dump_entry(const struct run_ctx *rc, const struct uebpf_map *m, const uint8_t *key,
		       const uint8_t *value, int ncpus)
{
	uint32_t type = uebpf_map_type(m), ks = uebpf_map_key_size(m);
	uint32_t vs = uebpf_map_value_size(m);
	size_t stride = (vs + 7u) & ~7u;
	uint32_t kid = uebpf_map_btf_key_type_id(m), vid = uebpf_map_btf_value_type_id(m);
	if (uebpf_map_is_internal(m) && rc->btf)
		vid = datasec_type(rc->btf, uebpf_map_name(m));
	if (!rc->json) {
		printf("    key: ");
		print_hex_string(key, ks);
		if (cli_map_is_percpu(type)) {
			printf("  values:");
			for (int c = 0; c < ncpus; c++) {
				printf(" ");
				print_hex_string(value + (size_t)c * stride, vs);
			}
		} else {
			printf("  value: ");
			print_hex_string(value, vs);
		}
		printf("\n");
		return;
	}
	cli_json_begin('{');
	cli_json_name("key");
	json_hex_string(key, ks);
	cli_json_name("value");
	if (cli_map_is_percpu(type)) {
		cli_json_begin('[');
		for (int c = 0; c < ncpus; c++)
			json_hex_string(value + (size_t)c * stride, vs);
		cli_json_end(']');
	} else {
		json_hex_string(value, vs);
	}
	if (rc->btf && (kid || vid)) {
		cli_json_name("formatted");
		cli_json_begin('{');
		if (kid) {
			cli_json_name("key");
			json_btf(rc->btf, kid, key, ks);
		}
		if (vid) {
			cli_json_name("value");
			if (cli_map_is_percpu(type)) {
				cli_json_begin('[');
				for (int c = 0; c < ncpus; c++)
					json_btf(rc->btf, vid, value + (size_t)c * stride, vs);
				cli_json_end(']');
			} else {
				json_btf(rc->btf, vid, value, vs);
			}
		}
		cli_json_end('}');
	}
	cli_json_end('}');
}

static int dump_maps(const struct run_ctx *rc)
{
	int ncpus = uebpf_num_possible_cpus();
	struct uebpf_map *m;
	if (rc->json) {
		cli_json_begin('{');
		cli_json_name("maps");
		cli_json_begin('{');
	} else {
		printf("maps:\n");
	}
	uebpf_object_for_each_map(m, rc->obj) {
		uint32_t type = uebpf_map_type(m), ks = uebpf_map_key_size(m);
		uint32_t vs = uebpf_map_value_size(m), max = uebpf_map_max_entries(m);
		int fd = uebpf_map_fd(m);
		if (rc->json) {
			cli_json_name(uebpf_map_name(m));
			cli_json_begin('{');
			cli_json_name("type");
			cli_json_string(cli_map_type_name(type) ? cli_map_type_name(type) : "unknown");
			cli_json_name("key_size");
			cli_json_uint(ks);
			cli_json_name("value_size");
			cli_json_uint(vs);
			cli_json_name("max_entries");
			cli_json_uint(max);
			cli_json_name("entries");
			cli_json_begin('[');
		} else {
			printf("  %s: %s, key %u, value %u, max_entries %u%s\n", uebpf_map_name(m),
			       cli_map_type_name(type) ? cli_map_type_name(type) : "unknown", ks, vs, max,
			       dumpable(type) ? "" : " (entries not listed)");
		}
		if (dumpable(type) && fd >= 0) {
			size_t vbytes = cli_map_is_percpu(type) ? (size_t)ncpus * ((vs + 7u) & ~7u) : vs;
			uint8_t *key = calloc(1, ks ? ks : 1), *next = calloc(1, ks ? ks : 1);
			uint8_t *value = calloc(1, vbytes ? vbytes : 1);
			bool first = true;
			size_t n = 0;
			while (key && next && value &&
			       !uebpf_map_get_next_key(fd, first ? NULL : key, next)) {
				first = false;
				memcpy(key, next, ks);
				/* Program arrays hold programs, not values to show. */
				if (uebpf_map_lookup_elem(fd, key, value))
					continue;
				if (type == BPF_MAP_TYPE_PROG_ARRAY)
					continue;
				dump_entry(rc, m, key, value, ncpus);
				n++;
			}
			if (!rc->json)
				printf("    %zu entr%s\n", n, n == 1 ? "y" : "ies");
			free(key);
			free(next);
			free(value);
		}
		if (rc->json) {
			cli_json_end(']');
			cli_json_end('}');
		}
	}
	if (rc->json) {
		cli_json_end('}');
		cli_json_end('}');
		json_line_end();
	}
	return 0;
}

/* ---- setting the object up ---- */

static int set_global(struct uebpf_object *obj, const struct btf *btf, const char *var,
		      const char *hex)
{
	if (!btf)
		return cli_error("--global %s: the object has no BTF to find variables in", var);
	size_t len;
	const char *bad;
	uint8_t *bytes = cli_parse_hex(hex, &len, &bad);
	if (!bytes)
		return cli_error("--global %s: bad hex at '%.16s'", var, bad);
	struct uebpf_map *m;
	uebpf_object_for_each_map(m, obj) {
		uint32_t sec = uebpf_map_is_internal(m) ? datasec_type(btf, uebpf_map_name(m)) : 0;
		const struct btf_type *t = sec ? btf__type_by_id(btf, sec) : NULL;
		const struct btf_var_secinfo *v = t ? btf_var_secinfos(t) : NULL;
		for (uint16_t i = 0; t && i < btf_vlen(t); i++, v++) {
			const struct btf_type *vt = btf__type_by_id(btf, v->type);
			const char *name = vt ? btf__name_by_offset(btf, vt->name_off) : NULL;
			if (!name || strcmp(name, var))
				continue;
			if (len != v->size) {
				free(bytes);
				return cli_error("--global %s: %zu byte%s given, the variable has %u",
						 var, len, len == 1 ? "" : "s", v->size);
			}
			size_t size;
			const void *cur = uebpf_map_initial_value(m, &size);
			uint8_t *img = calloc(1, size ? size : 1);
			if (!img || v->offset + v->size > size) {
				free(img);
				free(bytes);
				return cli_error("--global %s: outside its section", var);
			}
			if (cur)
				memcpy(img, cur, size);
			memcpy(img + v->offset, bytes, len);
			int err = uebpf_map_set_initial_value(m, img, size);
			free(img);
			free(bytes);
			if (err)
				return cli_error("--global %s: %s", var, strerror(-err));
			return 0;
		}
	}
	free(bytes);
	return cli_error("--global %s: no such variable in .data, .bss or .rodata", var);
}

static struct uebpf_map *find_map(struct uebpf_object *obj, const char *name)
{
	struct uebpf_map *m = uebpf_object_find_map(obj, name);
	if (!m)
		cli_error("no map named '%s' in the object", name);
	return m;
}

static int map_update(struct uebpf_object *obj, const char *name, const char *khex,
		      const char *vhex)
{
	struct uebpf_map *m = find_map(obj, name);
	if (!m)
		return 1;
	size_t klen, vlen;
	const char *bad;
	uint8_t *key = cli_parse_hex(khex, &klen, &bad);
	if (!key)
		return cli_error("--map-update %s: bad key hex at '%.16s'", name, bad);
	uint8_t *value = cli_parse_hex(vhex, &vlen, &bad);
	if (!value) {
		free(key);
		return cli_error("--map-update %s: bad value hex at '%.16s'", name, bad);
	}
	uint32_t type = uebpf_map_type(m), ks = uebpf_map_key_size(m), vs = uebpf_map_value_size(m);
	int status = 0;
	uint8_t *full = NULL;
	if (klen != ks) {
		status = cli_error("--map-update %s: the key has %u bytes, not %zu", name, ks, klen);
	} else if (vlen != vs) {
		status = cli_error("--map-update %s: the value has %u bytes, not %zu", name, vs, vlen);
	} else if (cli_map_is_percpu(type)) {
		/* One value for every CPU. */
		int ncpus = uebpf_num_possible_cpus();
		size_t stride = (vs + 7u) & ~7u;
		full = calloc((size_t)ncpus, stride);
		for (int c = 0; full && c < ncpus; c++)
			memcpy(full + (size_t)c * stride, value, vs);
		if (!full)
			status = cli_error("out of memory");
	}
	if (!status) {
		int err = uebpf_map_update_elem(uebpf_map_fd(m), key, full ? full : value, BPF_ANY);
		if (err)
			status = cli_error("--map-update %s: %s", name, strerror(-err));
	}
	free(full);
	free(key);
	free(value);
	return status;
}

static int prog_array_set(struct uebpf_object *obj, const char *name, const char *index,
			  const char *prog_name)
{
	struct uebpf_map *m = find_map(obj, name);
	if (!m)
		return 1;
	char *end;
	errno = 0;
	unsigned long idx = strtoul(index, &end, 0);
	if (errno || *end || idx > UINT32_MAX)
		return cli_error("--prog-array %s: bad index '%s'", name, index);
	struct uebpf_program *p = uebpf_object_find_program(obj, prog_name);
	if (!p)
		return cli_error("--prog-array %s: no program named '%s'", name, prog_name);
	uint32_t key = (uint32_t)idx;
	int fd = uebpf_program_fd(p);
	int err = uebpf_map_update_elem(uebpf_map_fd(m), &key, &fd, BPF_ANY);
	if (err)
		return cli_error("--prog-array %s %s %s: %s", name, index, prog_name, strerror(-err));
	return 0;
}

/* ---- ring buffer records ---- */

struct record {
	const char *map;
	uint8_t *data;
	size_t len;
};

struct records {
	struct record *v;
	size_t n, cap;
};

/* One ring buffer of the object: where its records go, under its name. */
struct ring_src {
	struct records *out;
	const char *map;
};

static int on_record(void *ctx, void *data, size_t size)
{
	const struct ring_src *src = ctx;
	struct records *r = src->out;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 8;
		struct record *v = realloc(r->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		r->v = v;
		r->cap = cap;
	}
	uint8_t *copy = malloc(size ? size : 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, data, size);
	r->v[r->n++] = (struct record){ src->map, copy, size };
	return 0;
}

static void records_clear(struct records *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].data);
	r->n = 0;
}

/* A consumer of every ring buffer of the object, made once: each input's
 * records are taken after its run. NULL in *rb when there is none. */
static int rings_open(struct uebpf_object *obj, struct records *out, struct uebpf_ringbuf **rb,
		      struct ring_src **srcs)
{
	struct uebpf_map *m;
	size_t n = 0;
	*rb = NULL;
	uebpf_object_for_each_map(m, obj)
		n += uebpf_map_type(m) == BPF_MAP_TYPE_RINGBUF;
	*srcs = calloc(n ? n : 1, sizeof(**srcs));
	if (!*srcs)
		return cli_error("out of memory");
	struct ring_src *src = *srcs;
	uebpf_object_for_each_map(m, obj) {
		if (uebpf_map_type(m) != BPF_MAP_TYPE_RINGBUF)
			continue;
		*src = (struct ring_src){ out, uebpf_map_name(m) };
		int err;
		if (*rb)
			err = uebpf_ringbuf_add(*rb, uebpf_map_fd(m), on_record, src);
		else
			err = (*rb = uebpf_ringbuf_new(uebpf_map_fd(m), on_record, src)) ? 0 : -errno;
		if (err)
			return cli_error("ring buffer %s: %s", src->map, strerror(-err));
		src++;
	}
	return 0;
}

/* ---- one input ---- */

static void print_ctx_json(enum bpf_prog_type type, const void *ctx)
{
	cli_json_name("ctx_out");
	cli_json_begin('{');
	if (type == BPF_PROG_TYPE_XDP) {
		const struct xdp_md *x = ctx;
		const struct {
			const char *name;
			uint32_t v;
		} f[] = { { "data", x->data }, { "data_end", x->data_end },
			  { "data_meta", x->data_meta }, { "ingress_ifindex", x->ingress_ifindex },
			  { "rx_queue_index", x->rx_queue_index },
			  { "egress_ifindex", x->egress_ifindex } };
		for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
			cli_json_name(f[i].name);
			cli_json_uint(f[i].v);
		}
	} else {
		const struct __sk_buff *s = ctx;
		const struct {
			const char *name;
			uint64_t v;
		} f[] = {
			{ "len", s->len }, { "pkt_type", s->pkt_type }, { "mark", s->mark },
			{ "queue_mapping", s->queue_mapping }, { "protocol", s->protocol },
			{ "vlan_present", s->vlan_present }, { "vlan_tci", s->vlan_tci },
			{ "vlan_proto", s->vlan_proto }, { "priority", s->priority },
			{ "ingress_ifindex", s->ingress_ifindex }, { "ifindex", s->ifindex },
			{ "tc_index", s->tc_index }, { "hash", s->hash },
			{ "tc_classid", s->tc_classid }, { "napi_id", s->napi_id },
			{ "family", s->family }, { "remote_ip4", s->remote_ip4 },
			{ "local_ip4", s->local_ip4 }, { "remote_port", s->remote_port },
			{ "local_port", s->local_port }, { "tstamp", s->tstamp },
			{ "wire_len", s->wire_len }, { "gso_segs", s->gso_segs },
			{ "gso_size", s->gso_size }, { "tstamp_type", s->tstamp_type },
			{ "hwtstamp", s->hwtstamp },
		};
		for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
			cli_json_name(f[i].name);
			cli_json_uint(f[i].v);
			if (!strcmp(f[i].name, "tc_index")) {
				cli_json_name("cb");
				cli_json_begin('[');
				for (int c = 0; c < 5; c++)
					cli_json_uint(s->cb[c]);
				cli_json_end(']');
			}
		}
	}
	cli_json_end('}');
}

static void print_ctx_text(enum bpf_prog_type type, const void *ctx)
{
	if (type == BPF_PROG_TYPE_XDP) {
		const struct xdp_md *x = ctx;
		printf("  ctx: data %u data_end %u data_meta %u ingress_ifindex %u rx_queue_index %u\n",
		       x->data, x->data_end, x->data_meta, x->ingress_ifindex, x->rx_queue_index);
		return;
	}
	const struct __sk_buff *s = ctx;
	printf("  ctx: mark %u priority %u ifindex %u ingress_ifindex %u wire_len %u "
	       "gso_segs %u tstamp %llu cb %u %u %u %u %u\n",
	       s->mark, s->priority, s->ifindex, s->ingress_ifindex, s->wire_len, s->gso_segs,
	       (unsigned long long)s->tstamp, s->cb[0], s->cb[1], s->cb[2], s->cb[3], s->cb[4]);
}

struct action_count {
	uint32_t retval;
	size_t n;
};

struct run_state {
	struct run_ctx rc;
	enum bpf_prog_type type;
	int prog_fd;
	int repeat;
	uint8_t *ctx_in;
	size_t ctx_in_len;
	const char *data_out_path, *ctx_out_path;
	pcap_dumper_t *dumper;
	struct records records;
	struct uebpf_ringbuf *rings; /* NULL: no ring buffer */
	struct ring_src *ring_srcs;
	struct action_count counts[64];
	size_t count_n, errors, written;
};

static void count_action(struct run_state *st, uint32_t retval)
{
	for (size_t i = 0; i < st->count_n; i++)
		if (st->counts[i].retval == retval) {
			st->counts[i].n++;
			return;
		}
	if (st->count_n < sizeof(st->counts) / sizeof(st->counts[0]))
		st->counts[st->count_n++] = (struct action_count){ retval, 1 };
}

/* The largest packet a test run gives back: a page. */
#define DATA_OUT_MAX 65536u


/* The tunnel a program set (bpf_skb_set_tunnel_key): its addresses as
 * text. */
static void tunnel_addr(const struct uebpf_tunnel *t, const uint32_t addr[4], char *out,
			size_t size)
{
	if (!inet_ntop(t->ipv6 ? AF_INET6 : AF_INET, addr, out, (socklen_t)size))
		snprintf(out, size, "?");
}

static void print_tunnel_json(const struct uebpf_tunnel *t)
{
	char remote[INET6_ADDRSTRLEN], local[INET6_ADDRSTRLEN];
	tunnel_addr(t, t->remote, remote, sizeof(remote));
	tunnel_addr(t, t->local, local, sizeof(local));
	cli_json_name("tunnel");
	cli_json_begin('{');
	cli_json_name("id");
	cli_json_uint(t->id);
	cli_json_name("remote");
	cli_json_string(remote);
	cli_json_name("local");
	cli_json_string(local);
	cli_json_name("tos");
	cli_json_uint(t->tos);
	cli_json_name("ttl");
	cli_json_uint(t->ttl);
	if (t->ipv6) {
		cli_json_name("label");
		cli_json_uint(t->label);
	}
	cli_json_name("flags");
	cli_json_uint(t->flags);
	cli_json_name("options");
	json_hex_string(t->opts, t->opts_len);
	cli_json_end('}');
}

static void print_tunnel_text(const struct uebpf_tunnel *t)
{
	char remote[INET6_ADDRSTRLEN], local[INET6_ADDRSTRLEN];
	tunnel_addr(t, t->remote, remote, sizeof(remote));
	tunnel_addr(t, t->local, local, sizeof(local));
	printf("  tunnel: id %u remote %s local %s tos %u ttl %u", t->id, remote, local, t->tos,
	       t->ttl);
	if (t->ipv6)
		printf(" label %u", t->label);
	printf(" flags %#x", t->flags);
	if (t->opts_len) {
		printf(" options ");
		print_hex_string(t->opts, t->opts_len);
	}
	printf("\n");
}

static int run_input(struct run_state *st, const struct input *in)
{
	static uint8_t data_out[DATA_OUT_MAX];
	uint8_t ctx_out[sizeof(struct __sk_buff)];
	bool want_ctx = st->ctx_in || is_skb_type(st->type);
	size_t ctx_size = st->type == BPF_PROG_TYPE_XDP ? sizeof(struct xdp_md)
							: sizeof(struct __sk_buff);
	char err_buf[256] = "";
	struct uebpf_test_run_opts o = {
		.sz = sizeof(o),
		.data_in = in->data,
		.data_size_in = (uint32_t)(in->len > UINT32_MAX ? UINT32_MAX : in->len),
		.data_out = data_out,
		.data_size_out = sizeof(data_out),
		.ctx_in = st->ctx_in,
		.ctx_size_in = (uint32_t)st->ctx_in_len,
		.ctx_out = want_ctx ? ctx_out : NULL,
		.ctx_size_out = want_ctx ? (uint32_t)ctx_size : 0,
		.repeat = st->repeat,
		.err_buf = err_buf,
		.err_size = sizeof(err_buf),
	};
	memset(ctx_out, 0, sizeof(ctx_out));
	int err = uebpf_prog_test_run(st->prog_fd, &o);
	records_clear(&st->records);
	if (st->rings)
		uebpf_ringbuf_consume(st->rings);

	if (err) {
		st->errors++;
		if (st->rc.json) {
			cli_json_begin('{');
			cli_json_name("packet");
			cli_json_string(in->name);
			cli_json_name("error");
			cli_json_string(errno_name(-err));
			cli_json_name("errno");
			cli_json_uint((uint64_t)-err);
			if (err_buf[0]) {
				cli_json_name("message");
				cli_json_string(err_buf);
			}
			cli_json_end('}');
			json_line_end();
		} else {
			printf("%s: %zu bytes: error %s (%s)%s%s\n", in->name, in->len,
			       errno_name(-err), strerror(-err), err_buf[0] ? ": " : "", err_buf);
		}
		return 0;
	}
	uint32_t out_len = o.data_size_out < sizeof(data_out) ? o.data_size_out : sizeof(data_out);
	const char *name = retval_name(st->type, o.retval);
	bool redirected = (st->type == BPF_PROG_TYPE_XDP && o.retval == XDP_REDIRECT) ||
			  (st->type != BPF_PROG_TYPE_XDP && o.retval == 7 /* TC_ACT_REDIRECT */) ||
			  o.redirect.clones;
	count_action(st, o.retval);
	if (st->rc.json) {
		cli_json_begin('{');
		cli_json_name("packet");
		cli_json_string(in->name);
		cli_json_name("retval");
		cli_json_uint(o.retval);
		cli_json_name("retval_name");
		cli_json_string(name);
		if (redirected && is_skb_type(st->type) == (st->type != BPF_PROG_TYPE_XDP)) {
			cli_json_name("redirect");
			cli_json_begin('{');
			cli_json_name("ifindex");
			cli_json_uint(o.redirect.ifindex);
			cli_json_name("flags");
			cli_json_uint(o.redirect.flags);
			if (o.redirect.map_id) {
				cli_json_name("map_id");
				cli_json_uint(o.redirect.map_id);
			}
			if (o.redirect.clones) {
				cli_json_name("clones");
				cli_json_uint(o.redirect.clones);
			}
			cli_json_end('}');
		}
		if (o.tunnel.set)
			print_tunnel_json(&o.tunnel);
		cli_json_name("data_out");
		json_hex_string(data_out, out_len);
		if (want_ctx)
			print_ctx_json(st->type, ctx_out);
		cli_json_name("ringbuf");
		cli_json_begin('[');
		for (size_t i = 0; i < st->records.n; i++) {
			cli_json_begin('{');
			cli_json_name("map");
			cli_json_string(st->records.v[i].map);
			cli_json_name("data");
			json_hex_string(st->records.v[i].data, st->records.v[i].len);
			cli_json_end('}');
		}
		cli_json_end(']');
		cli_json_name("duration_ns");
		cli_json_uint(o.duration);
		cli_json_end('}');
		json_line_end();
	} else {
		printf("%s: %zu bytes: %s (%u)", in->name, in->len, name, o.retval);
		if (redirected)
			printf(" to ifindex %u%s", o.redirect.ifindex,
			       o.redirect.map_id ? " (from a map)" : "");
		printf(", %u ns per run\n", o.duration);
		if (o.tunnel.set)
			print_tunnel_text(&o.tunnel);
		/* Programs that see the packet from its network header give
		 * it back behind a zeroed Ethernet header. */
		size_t skip = is_skb_type(st->type) && st->type != BPF_PROG_TYPE_SCHED_CLS &&
					      st->type != BPF_PROG_TYPE_SCHED_ACT && out_len >= 14 &&
					      in->len >= 14
				      ? 14
				      : 0;
		if (out_len != in->len || memcmp(data_out + skip, in->data + skip, out_len - skip)) {
			printf("  packet out (%u bytes):\n", out_len);
			print_dump("    ", data_out, out_len);
		}
		if (st->ctx_in)
			print_ctx_text(st->type, ctx_out);
		for (size_t i = 0; i < st->records.n; i++) {
			printf("  %s: ", st->records.v[i].map);
			print_hex_string(st->records.v[i].data, st->records.v[i].len);
			printf("\n");
		}
	}
	if (st->dumper && passes(st->type, o.retval)) {
		struct pcap_pkthdr h = { .caplen = out_len, .len = out_len };
		pcap_dump((u_char *)st->dumper, &h, data_out);
		st->written++;
	}
	if (st->data_out_path && cli_write_file(st->data_out_path, data_out, out_len))
		return 1;
	if (st->ctx_out_path && want_ctx && cli_write_file(st->ctx_out_path, ctx_out, ctx_size))
		return 1;
	return 0;
}

/* ---- the command ---- */

/* Runs stay on one CPU (the first this process may use), so that per-CPU
 * maps fill the same slot from run to run, as a test run in the kernel
 * fills the slot of the CPU it is on. */
static void stay_on_one_cpu(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set))
		return;
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, &set))
			continue;
		CPU_ZERO(&set);
		CPU_SET(c, &set);
		sched_setaffinity(0, sizeof(set), &set);
		return;
	}
}

struct pending {
	int kind; /* 'm' map update, 'a' prog array, 'g' global */
	const char *a, *b, *c;
};

static int take_args(int argc, char **argv, int n, const char **out, const char *opt)
{
	/* optarg is the first; the others follow it. */
	out[0] = optarg;
	for (int i = 1; i < n; i++) {
		if (optind >= argc)
			return cli_error("%s takes %d arguments", opt, n);
		out[i] = argv[optind++];
	}
	return 0;
}

int cli_run_object(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "prog", required_argument, NULL, 'P' },
		{ "data-in", required_argument, NULL, 'd' },
		{ "pcap", required_argument, NULL, 'c' },
		{ "data-out", required_argument, NULL, 'D' },
		{ "ctx-in", required_argument, NULL, 'x' },
		{ "ctx-out", required_argument, NULL, 'X' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "engine", required_argument, NULL, 'e' },
		{ "map-update", required_argument, NULL, 'm' },
		{ "prog-array", required_argument, NULL, 'a' },
		{ "global", required_argument, NULL, 'g' },
		{ "dump-maps", no_argument, NULL, 'M' },
		{ "write", required_argument, NULL, 'w' },
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	const char *prog_name = NULL, *ctx_in_path = NULL, *pcap_out = NULL;
	struct run_state st = { .repeat = 1 };
	struct inputs inputs = { 0 };
	struct pending *pend = calloc((size_t)argc + 1, sizeof(*pend));
	size_t npend = 0;
	bool dump = false;
	int status = 1, c;

	if (!pend)
		return cli_error("out of memory");
	optind = 1;
	while ((c = getopt_long(argc, argv, "jw:", longopts, NULL)) != -1) {
		const char *args[3];
		switch (c) {
		case 'P':
			prog_name = optarg;
			break;
		case 'd':
			if (add_file(&inputs, optarg))
				goto out;
			break;
		case 'c':
			if (add_pcap(&inputs, optarg))
				goto out;
			break;
		case 'D':
			st.data_out_path = optarg;
			break;
		case 'x':
			ctx_in_path = optarg;
			break;
		case 'X':
			st.ctx_out_path = optarg;
			break;
		case 'r': {
			char *end;
			errno = 0;
			unsigned long n = strtoul(optarg, &end, 10);
			if (errno || *end || n == 0 || n > 1000000000ul) {
				cli_error("--repeat takes a count from 1 to 1000000000");
				goto out;
			}
			st.repeat = (int)n;
			break;
		}
		case 'e':
			if (!strcmp(optarg, "jit")) {
				cli_error("--engine jit: the JIT is not built yet; use interp");
				goto out;
			}
			if (strcmp(optarg, "interp")) {
				cli_error("--engine takes interp or jit, not '%s'", optarg);
				goto out;
			}
			break;
		case 'm':
		case 'a':
		case 'g':
			if (take_args(argc, argv, c == 'g' ? 2 : 3, args,
				      c == 'm' ? "--map-update" : c == 'a' ? "--prog-array" : "--global"))
				goto out;
			pend[npend++] = (struct pending){ c, args[0], args[1], c == 'g' ? NULL : args[2] };
			break;
		case 'M':
			dump = true;
			break;
		case 'w':
			pcap_out = optarg;
			break;
		case 'j':
			st.rc.json = true;
			break;
		default:
			cli_error("%s", obj_usage);
			goto out;
		}
	}
	if (optind != argc - 1) {
		cli_error("%s", obj_usage);
		goto out;
	}
	const char *path = argv[optind];
	if (!inputs.n) {
		cli_error("no input: give packets with --data-in FILE or --pcap FILE");
		goto out;
	}
	if (ctx_in_path) {
		st.ctx_in = (uint8_t *)cli_read_file(ctx_in_path, &st.ctx_in_len);
		if (!st.ctx_in)
			goto out;
		if (!st.ctx_in_len) {
			cli_error("%s: an empty context", ctx_in_path);
			goto out;
		}
	}

	char open_err[512] = "";
	struct uebpf_object_open_opts oo = { .sz = sizeof(oo), .err_buf = open_err,
					     .err_size = sizeof(open_err) };
	st.rc.obj = uebpf_object_open_file(path, &oo);
	if (!st.rc.obj) {
		cli_error("%s", open_err[0] ? open_err : strerror(errno));
		goto out;
	}
	st.rc.btf = btf__parse_elf(path, NULL);
	if (!st.rc.btf)
		st.rc.btf = NULL;
	struct uebpf_program *prog = NULL, *p;
	uebpf_object_for_each_program(p, st.rc.obj) {
		if (prog_name ? !strcmp(uebpf_program_name(p), prog_name) : !prog)
			prog = p;
	}
	if (!prog) {
		if (prog_name)
			cli_error("%s: no program named '%s'", path, prog_name);
		else
			cli_error("%s: the object has no program", path);
		goto out;
	}
	st.type = uebpf_program_type(prog);
	for (size_t i = 0; i < npend; i++)
		if (pend[i].kind == 'g' && set_global(st.rc.obj, st.rc.btf, pend[i].a, pend[i].b))
			goto out;
	char log[4096] = "";
	uebpf_program_set_log_buf(prog, log, sizeof(log));
	int err = uebpf_object_load(st.rc.obj);
	if (err) {
		cli_error("%s: cannot load: %s%s%s", path, strerror(-err), log[0] ? "\n" : "", log);
		goto out;
	}
	for (size_t i = 0; i < npend; i++) {
		if (pend[i].kind == 'm' && map_update(st.rc.obj, pend[i].a, pend[i].b, pend[i].c))
			goto out;
		if (pend[i].kind == 'a' && prog_array_set(st.rc.obj, pend[i].a, pend[i].b, pend[i].c))
			goto out;
	}
	st.prog_fd = uebpf_program_fd(prog);
	if (rings_open(st.rc.obj, &st.records, &st.rings, &st.ring_srcs))
		goto out;
	stay_on_one_cpu();
	if (pcap_out) {
		pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
		st.dumper = dead ? pcap_dump_open(dead, pcap_out) : NULL;
		if (!st.dumper) {
			cli_error("%s: %s", pcap_out, dead ? pcap_geterr(dead) : "out of memory");
			if (dead)
				pcap_close(dead);
			goto out;
		}
		pcap_close(dead);
	}
	if (!st.rc.json)
		printf("%s: %s program %s, %zu input%s\n", path,
		       sec_def_prog_type_name(st.type) ? sec_def_prog_type_name(st.type) : "?", uebpf_program_name(prog), inputs.n,
		       inputs.n == 1 ? "" : "s");
	for (size_t i = 0; i < inputs.n; i++)
		if (run_input(&st, &inputs.v[i]))
			goto out;
	if (!st.rc.json) {
		printf("summary:");
		for (size_t i = 0; i < st.count_n; i++)
			printf(" %s %zu", retval_name(st.type, st.counts[i].retval)[0]
						  ? retval_name(st.type, st.counts[i].retval)
						  : "retval",
			       st.counts[i].n);
		if (st.errors)
			printf(" errors %zu", st.errors);
		if (st.dumper)
			printf(", %zu packet%s written to %s", st.written,
			       st.written == 1 ? "" : "s", pcap_out);
		printf("\n");
	}
	if (dump)
		dump_maps(&st.rc);
	status = 0;
out:
	if (st.dumper)
		pcap_dump_close(st.dumper);
	uebpf_ringbuf_free(st.rings);
	free(st.ring_srcs);
	records_clear(&st.records);
	free(st.records.v);
	btf__free(st.rc.btf);
	uebpf_object_close(st.rc.obj);
	free(st.ctx_in);
	inputs_free(&inputs);
	free(pend);
	return status;
}
