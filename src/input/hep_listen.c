/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hep_listen.c - receive HEP over UDP (--hep-listen [ADDR:]PORT). */
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

/* "PORT", "ADDR:PORT", "[V6]:PORT" -> host (NULL = any) and port strings. */
static int split_spec(const char *spec, char **host, char **port)
{
	*host = *port = NULL;
	const char *colon = strrchr(spec, ':');
	if (spec[0] == '[') {
		const char *rb = strchr(spec, ']');
		if (!rb || rb[1] != ':' || !rb[2])
			return -1;
		*host = strndup(spec + 1, (size_t)(rb - spec - 1));
		*port = strdup(rb + 2);
	} else if (colon && strchr(spec, ':') == colon) {
		*host = colon > spec ? strndup(spec, (size_t)(colon - spec)) : NULL;
		*port = strdup(colon + 1);
	} else {
		*port = strdup(spec);
	}
	if (!*port || !**port) {
		free(*host);
		free(*port);
		return -1;
	}
	return 0;
}

static int open_socket(const char *spec)
{
	char *host, *port;
	if (split_spec(spec, &host, &port) < 0) {
		fprintf(stderr, "regtrace: --hep-listen %s: want [ADDR:]PORT\n", spec);
		return -1;
	}
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(host, port, &hints, &res);
	if (rc) {
		fprintf(stderr, "regtrace: --hep-listen %s: %s\n", spec, gai_strerror(rc));
		free(host);
		free(port);
		return -1;
	}
	int fd = -1, err = 0;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		int big = 8 * 1024 * 1024;
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		err = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		fprintf(stderr, "regtrace: --hep-listen %s: %s\n", spec, strerror(err));
	free(host);
	free(port);
	return fd;
}

int hep_listen_run(const char *spec, const struct cap_opts *o, struct dis_ctx *d,
		   struct cap_result *r, volatile sig_atomic_t *stop, cap_tick_fn tick, void *user)
{
	int fd = open_socket(spec);
	if (fd < 0) {
		r->unreadable = true;
		return 2;
	}
	size_t cap = 65536;
	uint8_t *buf = malloc(cap);
	if (!buf) {
		close(fd);
		return 2;
	}
	struct pkt_info pi = { .file = 0, .linktype = -1 };
	while (!*stop) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int pr = poll(&pfd, 1, 100);
		if (pr < 0 && errno != EINTR)
			break;
		if (pr <= 0) {
			if (tick)
				tick(user, r);
			continue;
		}
		ssize_t n = recv(fd, buf, cap, 0);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			fprintf(stderr, "regtrace: --hep-listen: %s\n", strerror(errno));
			break;
		}
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		pi.frame++;
		pi.ts_ns = (int64_t)now.tv_sec * 1000000000LL + now.tv_nsec;
		pi.wirelen = (uint32_t)n;
		if (!r->packets++)
			r->first_ts_ns = pi.ts_ns;
		r->last_ts_ns = pi.ts_ns;
		dis_hep(d, &pi, buf, (size_t)n);
		if (tick)
			tick(user, r);
		if (o->max_packets && r->packets >= o->max_packets)
			break;
	}
	r->interrupted = *stop != 0;
	free(buf);
	close(fd);
	return 0;
}
