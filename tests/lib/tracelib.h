/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Helpers of the --trace unit tests (tests/xdp/trace_test.c,
 * tests/sched_cls/trace_test.c): the lines a program left in its ring
 * buffer, its shown/missed counters, and what a program costs the
 * verifier and the kernel, loaded from its skeleton or from the build
 * without tracing (.output/tests/untraced/DIR/NAME.bpf.o).
 * Include after testlib.h.
 */
#ifndef CATALOG_TRACELIB_H
#define CATALOG_TRACELIB_H

#include <bpf/btf.h>
#include "trace.h"

#define TL_MAX_LINES 64

struct tl_lines {
	char line[TL_MAX_LINES][256];
	int n;
};

static int tl_on_event(void *ctx, void *data, size_t size)
{
	struct tl_lines *l = ctx;

	if (l->n < TL_MAX_LINES && size >= sizeof(struct trace_pkt))
		trace_format(data, l->line[l->n++], sizeof(l->line[0]));
	return 0;
}

/* Everything in the object's trace ring buffer, formatted; -1 on error. */
static inline int tl_collect(struct bpf_object *obj, struct tl_lines *l)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, "trace_rb");
	struct ring_buffer *rb;

	l->n = 0;
	if (!map)
		return -1;
	rb = ring_buffer__new(bpf_map__fd(map), tl_on_event, l, NULL);
	if (!rb)
		return -1;
	ring_buffer__consume(rb);
	ring_buffer__free(rb);
	return l->n;
}

/* The trace_counts map, summed over CPUs; returns 0 and zeroes it. */
static inline int tl_counts(struct bpf_object *obj, uint64_t *shown, uint64_t *missed)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, "trace_counts");
	int ncpu = libbpf_num_possible_cpus(), fd;
	uint64_t v[512];

	*shown = *missed = 0;
	if (!map || ncpu < 1 || ncpu > 512)
		return -1;
	fd = bpf_map__fd(map);
	for (uint32_t k = 0; k < TRACE_NCOUNTS; k++) {
		memset(v, 0, sizeof(v));
		if (bpf_map_lookup_elem(fd, &k, v))
			return -1;
		for (int c = 0; c < ncpu; c++)
			*(k == TRACE_SHOWN ? shown : missed) += v[c];
		memset(v, 0, sizeof(v));
		bpf_map_update_elem(fd, &k, v, BPF_ANY);
	}
	return 0;
}

/* Run prog `repeat` times over pkt (the rate limit's test). */
static inline int tl_run_repeat(int prog_fd, const void *pkt, size_t len, int repeat)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = len, .repeat = repeat);

	return bpf_prog_test_run_opts(prog_fd, &o) ? -errno : 0;
}

/* What a loaded program costs: instructions the verifier walked, bytes it loaded. */
struct tl_cost {
	long verified;		/* bpf_prog_info.verified_insns */
	long xlated;		/* xlated_prog_len: the program as the kernel runs it */
};

static inline int tl_prog_cost(int prog_fd, struct tl_cost *c)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	c->verified = c->xlated = -1;
	if (bpf_prog_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	c->verified = info.verified_insns;
	c->xlated = info.xlated_prog_len;
	return 0;
}

/* Set a bool of the object's .rodata before load; 0 or -1 when absent. */
static inline int tl_set_rodata_bool(struct bpf_object *obj, const char *name, bool val)
{
	struct btf *btf = bpf_object__btf(obj);
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;
	struct bpf_map *map;
	size_t size;
	char *data = NULL;
	int id;

	bpf_object__for_each_map(map, obj) {
		const char *n = bpf_map__name(map);
		size_t nl = strlen(n);

		if (bpf_map__is_internal(map) && nl >= 7 && !strcmp(n + nl - 7, ".rodata"))
			data = bpf_map__initial_value(map, &size);
	}
	id = btf ? btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC) : -1;
	if (!data || id < 0)
		return -1;
	sec = btf__type_by_id(btf, id);
	vs = btf_var_secinfos(sec);
	for (int i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *var = btf__type_by_id(btf, vs->type);

		if (!strcmp(btf__name_by_offset(btf, var->name_off), name) && vs->size == 1) {
			data[vs->offset] = val;
			return 0;
		}
	}
	return -1;
}

/*
 * The cost of the program `prog` of the object file `path` (an example
 * built without tracing), with the named bools of its .rodata set true
 * first. 0, or -1 when it could not be loaded.
 */
static inline int tl_untraced_cost(const char *path, const char *prog,
				   const char *const *set_true, struct tl_cost *c)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_program *p;
	int err = -1;

	c->verified = c->xlated = -1;
	if (!obj)
		return -1;
	for (; set_true && *set_true; set_true++)
		if (tl_set_rodata_bool(obj, *set_true, true))
			goto out;
	if (bpf_object__load(obj))
		goto out;
	p = bpf_object__find_program_by_name(obj, prog);
	if (p)
		err = tl_prog_cost(bpf_program__fd(p), c);
out:
	bpf_object__close(obj);
	return err;
}

/* "want" among the collected lines? */
static inline bool tl_has(const struct tl_lines *l, const char *want)
{
	for (int i = 0; i < l->n; i++)
		if (!strcmp(l->line[i], want))
			return true;
	return false;
}

#endif
