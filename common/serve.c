// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* accept4 */
#endif
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "serve.h"

static int parse_addr(const char *addr, int port, struct sockaddr_in6 *sa)
{
	struct in_addr a4;

	memset(sa, 0, sizeof(*sa));
	sa->sin6_family = AF_INET6;
	sa->sin6_port = htons(port);
	if (!addr || !strcmp(addr, "::"))
		return 0;
	if (inet_pton(AF_INET6, addr, &sa->sin6_addr) == 1)
		return 0;
	if (inet_pton(AF_INET, addr, &a4) != 1)
		return -EINVAL;
	/* IPv4 as a mapped address: one AF_INET6 code path for both. */
	sa->sin6_addr.s6_addr[10] = sa->sin6_addr.s6_addr[11] = 0xff;
	memcpy(&sa->sin6_addr.s6_addr[12], &a4, 4);
	return 0;
}

int srv_socket(int type, const char *addr, int port, bool reuseport)
{
	struct sockaddr_in6 sa;
	int fd, one = 1, zero = 0, err;

	if (parse_addr(addr, port, &sa))
		return -EINVAL;
	fd = socket(AF_INET6, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (reuseport)
		setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (type == SOCK_DGRAM) {
		/* A steered datagram's reply must come from the port it was sent to. */
		setsockopt(fd, IPPROTO_IP, IP_RECVORIGDSTADDR, &one, sizeof(one));
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVORIGDSTADDR, &one, sizeof(one));
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    (type == SOCK_STREAM && listen(fd, 128))) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

static int add_fd(struct srv *s, int fd, int tag, char kind)
{
	if (s->n == SRV_MAX_FDS)
		return -EMFILE;
	s->pfd[s->n] = (struct pollfd){ .fd = fd, .events = POLLIN };
	s->tag[s->n] = tag;
	s->kind[s->n] = kind;
	s->n++;
	return 0;
}

int srv_add(struct srv *s, int fd, int tag)
{
	int type = 0, listening = 0;
	socklen_t len = sizeof(type);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len))
		return -errno;
	len = sizeof(listening);
	getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len);
	if (type == SOCK_STREAM && !listening)
		return -EINVAL;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return add_fd(s, fd, tag, type == SOCK_STREAM ? 'L' : 'U');
}

static void drop(struct srv *s, int i)
{
	close(s->pfd[i].fd);
	s->n--;
	s->pfd[i] = s->pfd[s->n];
	s->tag[i] = s->tag[s->n];
	s->kind[i] = s->kind[s->n];
}

void srv_close(struct srv *s, int fd)
{
	for (int i = 0; i < s->n; i++)
		if (s->pfd[i].fd == fd) {
			drop(s, i);
			return;
		}
}

void srv_free(struct srv *s)
{
	while (s->n)
		drop(s, s->n - 1);
}

static size_t answer(struct srv *s, int tag, const char *in, size_t len, char *out, size_t outsz)
{
	if (s->reply)
		return s->reply(s->ctx, tag, in, len, out, outsz);
	memcpy(out, in, len < outsz ? len : outsz);
	return len < outsz ? len : outsz;
}

/* Where a datagram was sent to, as a (possibly v4-mapped) IPv6 address. */
static bool orig_dst(struct msghdr *mh, struct sockaddr_in6 *dst)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_ORIGDSTADDR) {
			memcpy(dst, CMSG_DATA(c), sizeof(*dst));
			return true;
		}
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_ORIGDSTADDR) {
			struct sockaddr_in v4;

			memcpy(&v4, CMSG_DATA(c), sizeof(v4));
			memset(dst, 0, sizeof(*dst));
			dst->sin6_family = AF_INET6;
			dst->sin6_port = v4.sin_port;
			dst->sin6_addr.s6_addr[10] = dst->sin6_addr.s6_addr[11] = 0xff;
			memcpy(&dst->sin6_addr.s6_addr[12], &v4.sin_addr, 4);
			return true;
		}
	}
	return false;
}

static void serve_udp(struct srv *s, int i)
{
	char in[2048], out[2048], cbuf[256];
	struct sockaddr_in6 peer, dst, self;
	struct iovec iov = { in, sizeof(in) };
	struct msghdr mh = { .msg_name = &peer, .msg_namelen = sizeof(peer),
			     .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	socklen_t slen = sizeof(self);
	int fd = s->pfd[i].fd, tmp, zero = 0;
	ssize_t n = recvmsg(fd, &mh, 0);
	size_t olen;

	if (n < 0)
		return;
	s->datagrams++;
	s->bytes += n;
	olen = answer(s, s->tag[i], in, n, out, sizeof(out));
	if (!olen)
		return;
	getsockname(fd, (struct sockaddr *)&self, &slen);
	if (!orig_dst(&mh, &dst) || dst.sin6_port == self.sin6_port) {
		sendto(fd, out, olen, 0, (struct sockaddr *)&peer, mh.msg_namelen);
		return;
	}
	/*
	 * The datagram was steered here from a port nobody bound (sk_lookup):
	 * answer from that address and port, or the client's connected socket
	 * would not accept the reply.
	 */
	tmp = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (tmp < 0)
		return;
	setsockopt(tmp, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (!bind(tmp, (struct sockaddr *)&dst, sizeof(dst)))
		sendto(tmp, out, olen, 0, (struct sockaddr *)&peer, mh.msg_namelen);
	close(tmp);
}

/* Returns false when the connection is over. */
static bool serve_conn(struct srv *s, int i)
{
	char in[4096], out[4096];
	ssize_t n = read(s->pfd[i].fd, in, sizeof(in));
	size_t olen;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (n <= 0)
		return false;
	s->bytes += n;
	olen = answer(s, s->tag[i], in, n, out, sizeof(out));
	return !olen || write(s->pfd[i].fd, out, olen) == (ssize_t)olen;
}

int srv_wait(struct srv *s, int timeout_ms)
{
	int ready, fd, n;

	for (int i = 0; i < s->n; i++)
		s->pfd[i].events = s->kind[i] == 'L' && s->paused ? 0 : POLLIN;
	ready = poll(s->pfd, s->n, timeout_ms);
	if (ready < 0)
		return -errno;
	/* Walk backwards: drop() moves the last entry into the hole. */
	for (int i = s->n - 1; i >= 0; i--) {
		if (!s->pfd[i].revents)
			continue;
		switch (s->kind[i]) {
		case 'L':
			fd = accept4(s->pfd[i].fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
			if (fd < 0)
				break;
			s->accepted++;
			n = s->n;
			if (add_fd(s, fd, s->tag[i], 'C'))
				close(fd);
			else
				s->pfd[n].revents = 0;
			break;
		case 'U':
			serve_udp(s, i);
			break;
		default:
			if (!serve_conn(s, i))
				drop(s, i);
		}
	}
	return 0;
}
