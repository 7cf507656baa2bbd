/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Incremental Internet checksum updates (RFC 1624, equation 3:
 * HC' = ~(~HC + ~m + m')), with the carries folded back in. Values are
 * used in network byte order throughout: the one's complement sum does
 * not care about byte order as long as every term has the same one.
 */
#ifndef CATALOG_CSUM_BPF_H
#define CATALOG_CSUM_BPF_H

static __always_inline __u16 csum_fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/*
 * A 16-bit field of the covered data changed from old to new.
 *
 * One corner: when every covered word of the result is zero (an ICMP echo
 * reply with id 0, seq 0 and no payload), this gives 0x0000 where a sum
 * computed from scratch gives 0xffff, and a receiver's check fails. Where
 * that can happen, compute the checksum whole instead (xdp_icmp_server).
 */
static __always_inline void csum_replace2(__sum16 *sum, __be16 old, __be16 new)
{
	__u32 s = (__u16)~*sum;

	s += (__u16)~old;
	s += new;
	*sum = csum_fold(s);
}

/* A 32-bit field (an IPv4 address) changed from old to new. */
static __always_inline void csum_replace4(__sum16 *sum, __be32 old, __be32 new)
{
	__u32 s = (__u16)~*sum;

	s += (__u16)~(old >> 16);
	s += (__u16)~(old & 0xffff);
	s += new >> 16;
	s += new & 0xffff;
	*sum = csum_fold(s);
}

/* Full checksum of a small, fixed-size header (e.g. an IPv4 header). */
static __always_inline __u16 csum_buf(const __u16 *buf, __u32 nwords)
{
	__u32 s = 0;

	for (__u32 i = 0; i < nwords; i++)
		s += buf[i];
	return csum_fold(s);
}

#endif
