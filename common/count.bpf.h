/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Counters keyed by what was seen (a socket kind, an option, a port), in a
 * BPF_MAP_TYPE_PERCPU_HASH with __u64 values; user space sums the CPUs
 * with percpu_sum().
 */
#ifndef CATALOG_COUNT_BPF_H
#define CATALOG_COUNT_BPF_H

static __always_inline void count_key(void *map, const void *key)
{
	__u64 one = 1, *v;

	v = bpf_map_lookup_elem(map, key);
	if (v) {
		(*v)++;
		return;
	}
	/* Another CPU may have inserted the key meanwhile: count there. */
	if (bpf_map_update_elem(map, key, &one, BPF_NOEXIST)) {
		v = bpf_map_lookup_elem(map, key);
		if (v)
			(*v)++;
	}
}

#endif
