/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hep_listen.c - receive HEP over UDP or TCP (--hep-listen).  See hep_listen.h. */
#include "hep_listen.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "endpoint.h"

#define HL_MAX_CONN 64
#define HL_BUF (65536 + 16)      /* one HEP3 packet at most (16-bit length) */

struct hl_conn {
	int fd;
	size_t len;
	uint8_t *buf;
};

struct hl {
	const char *spec;
	const char *key;
	struct dis_ctx *d;
	struct cap_result *r;
	struct pkt_info pi;
	struct hep_listen_stats st;
};

static int open_socket(const char *spec, struct rt_endpoint *ep)
{
	if (rt_endpoint_parse(spec, false, ep) < 0) {
		fprintf(stderr, "regtrace: --hep-listen %s: want [udp:|tcp:][ADDR:]PORT\n", spec);
		return -1;
	}
	bool tcp = ep->proto == RT_EP_TCP;
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = tcp ? SOCK_STREAM : SOCK_DGRAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(ep->host[0] ? ep->host : NULL, ep->port, &hints, &res);
	if (rc) {
		fprintf(stderr, "regtrace: --hep-listen %s: %s\n", spec, gai_strerror(rc));
		return -1;
	}
	int fd = -1, err = 0;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		int big = 8 * 1024 * 1024;
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && (!tcp || listen(fd, 16) == 0))
			break;
		err = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		fprintf(stderr, "regtrace: --hep-listen %s: %s\n", spec, strerror(err));
	return fd;
}

/* One received HEP packet (a datagram, or one framed out of a stream). */
static void hl_packet(struct hl *h, const uint8_t *p, size_t n)
{
	h->st.received++;
	if (h->key && !dis_hep_has_key(p, n, h->key)) {
		h->st.bad_key++;
		return;
	}
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	h->pi.frame++;
	h->pi.ts_ns = (int64_t)now.tv_sec * 1000000000LL + now.tv_nsec;
	h->pi.wirelen = (uint32_t)n;
	if (!h->r->packets++)
		h->r->first_ts_ns = h->pi.ts_ns;
	h->r->last_ts_ns = h->pi.ts_ns;
	dis_hep(h->d, &h->pi, p, n);
}

static void conn_close(struct hl_conn *c)
{
	close(c->fd);
	free(c->buf);
	*c = (struct hl_conn){ .fd = -1 };
}

/* Reads what a TCP peer sent and hands over every complete HEP packet. */
static void conn_read(struct hl *h, struct hl_conn *c)
{
	ssize_t n = recv(c->fd, c->buf + c->len, HL_BUF - c->len, 0);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		if (c->len)
			h->st.truncated++;   /* the peer left in the middle of a packet */
		conn_close(c);
		return;
	}
	c->len += (size_t)n;
	size_t off = 0;
	for (;;) {
		long len = dis_hep_frame(c->buf + off, c->len - off);
		if (len < 0) {
			/* not HEP: no way to find the next packet boundary */
			h->st.not_hep++;
			conn_close(c);
			return;
		}
		if (len == 0)
			break;
		hl_packet(h, c->buf + off, (size_t)len);
		off += (size_t)len;
	}
	memmove(c->buf, c->buf + off, c->len - off);
	c->len -= off;
}

int hep_listen_run(const char *spec, const char *key, const struct cap_opts *o, struct dis_ctx *d,
		   struct cap_result *r, struct hep_listen_stats *st,
		   volatile sig_atomic_t *stop, cap_tick_fn tick, void *user)
{
	struct rt_endpoint ep;
	int fd = open_socket(spec, &ep);
	if (fd < 0 || (o->after_open && o->after_open(o->after_open_ctx) != 0)) {
		if (fd >= 0)
			close(fd);
		r->unreadable = true;
		return 2;
	}
	bool tcp = ep.proto == RT_EP_TCP;
	struct hl h = { .spec = spec, .key = key, .d = d, .r = r, .pi = { .file = 0, .linktype = -1 } };
	struct hl_conn conn[HL_MAX_CONN];
	for (int i = 0; i < HL_MAX_CONN; i++)
		conn[i] = (struct hl_conn){ .fd = -1 };
	uint8_t *dgram = tcp ? NULL : malloc(HL_BUF);
	if (!tcp && !dgram) {
		close(fd);
		return 2;
	}
	while (!*stop) {
		struct pollfd pfd[1 + HL_MAX_CONN];
		int map[1 + HL_MAX_CONN];
		nfds_t np = 0;
		pfd[np++] = (struct pollfd){ .fd = fd, .events = POLLIN };
		for (int i = 0; tcp && i < HL_MAX_CONN; i++)
			if (conn[i].fd >= 0) {
				map[np] = i;
				pfd[np++] = (struct pollfd){ .fd = conn[i].fd, .events = POLLIN };
			}
		int pr = poll(pfd, np, 100);
		if (pr < 0 && errno != EINTR)
			break;
		if (pr > 0 && (pfd[0].revents & POLLIN)) {
			if (tcp) {
				int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
				int slot = -1;
				for (int i = 0; cfd >= 0 && i < HL_MAX_CONN && slot < 0; i++)
					if (conn[i].fd < 0)
						slot = i;
				if (cfd >= 0 && slot >= 0 && (conn[slot].buf = malloc(HL_BUF))) {
					conn[slot].fd = cfd;
					conn[slot].len = 0;
					h.st.connections++;
				} else if (cfd >= 0) {
					h.st.refused++;   /* every slot taken */
					close(cfd);
				}
			} else {
				ssize_t n = recv(fd, dgram, HL_BUF, 0);
				if (n < 0 && errno != EINTR && errno != EAGAIN) {
					fprintf(stderr, "regtrace: --hep-listen: %s\n", strerror(errno));
					break;
				}
				if (n > 0)
					hl_packet(&h, dgram, (size_t)n);
			}
		}
		for (nfds_t i = 1; pr > 0 && i < np; i++)
			if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
				conn_read(&h, &conn[map[i]]);
		if (tick)
			tick(user, r);
		if (o->max_packets && r->packets >= o->max_packets)
			break;
	}
	r->interrupted = *stop != 0;
	for (int i = 0; i < HL_MAX_CONN; i++)
		if (conn[i].fd >= 0) {
			if (conn[i].len)
				h.st.truncated++;
			conn_close(&conn[i]);
		}
	free(dgram);
	close(fd);
	if (st)
		*st = h.st;
	return 0;
}
