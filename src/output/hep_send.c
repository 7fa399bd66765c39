/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hep_send.c - HEPv3 out to HOMER collectors.  See hep_send.h. */
#include "hep_send.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "endpoint.h"

#define HEP_MAX_TARGETS 8
#define HEP_BACKOFF_MIN_MS 500
#define HEP_BACKOFF_MAX_MS 30000
#define HEP_FILE_WAIT_MS 2000    /* reading a file: how long a full queue waits */

/* ------------------------------------------------------------ encoding */

struct hep_w {
	uint8_t *p, *end;
	bool full;
};

static void put_chunk(struct hep_w *w, uint16_t type, const void *v, size_t n)
{
	if (w->full || n > 65535 - 6 || (size_t)(w->end - w->p) < 6 + n) {
		w->full = true;
		return;
	}
	uint16_t len = (uint16_t)(6 + n);
	uint8_t h[6] = { 0, 0, (uint8_t)(type >> 8), (uint8_t)type, (uint8_t)(len >> 8), (uint8_t)len };
	memcpy(w->p, h, 6);
	memcpy(w->p + 6, v, n);
	w->p += 6 + n;
}

static void put_u8(struct hep_w *w, uint16_t type, uint8_t v) { put_chunk(w, type, &v, 1); }

static void put_u16(struct hep_w *w, uint16_t type, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	put_chunk(w, type, b, 2);
}

static void put_u32(struct hep_w *w, uint16_t type, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	put_chunk(w, type, b, 4);
}

/* IP protocol of the transport the message travelled on. */
static uint8_t hep_ip_proto(enum rt_transport t)
{
	switch (t) {
	case RT_TP_TCP: case RT_TP_TLS: case RT_TP_WS: case RT_TP_WSS:
		return 6;
	case RT_TP_SCTP:
		return 132;
	default:
		return 17;
	}
}

size_t hep3_encode(const struct sip_msg *m, uint32_t agent_id, const char *key, const char *node,
		   uint8_t *buf, size_t cap)
{
	if (cap < 6 || m->src.family == 0 || m->src.family != m->dst.family)
		return 0;
	struct hep_w w = { buf + 6, buf + (cap > 65535 ? 65535 : cap), false };
	bool v6 = m->src.family == 6;
	put_u8(&w, 0x0001, v6 ? 10 : 2);              /* AF_INET6 / AF_INET, as heplify */
	put_u8(&w, 0x0002, hep_ip_proto(m->transport));
	put_chunk(&w, v6 ? 0x0005 : 0x0003, m->src.ip, v6 ? 16 : 4);
	put_chunk(&w, v6 ? 0x0006 : 0x0004, m->dst.ip, v6 ? 16 : 4);
	put_u16(&w, 0x0007, m->src.port);
	put_u16(&w, 0x0008, m->dst.port);
	int64_t us = m->ts_ns / 1000;
	put_u32(&w, 0x0009, (uint32_t)(us / 1000000));
	put_u32(&w, 0x000a, (uint32_t)(us % 1000000));
	put_u8(&w, 0x000b, 1);                        /* payload type: SIP */
	put_u32(&w, 0x000c, agent_id);
	if (key)
		put_chunk(&w, 0x000e, key, strlen(key));
	if (node)
		put_chunk(&w, 0x0013, node, strlen(node));
	put_chunk(&w, 0x000f, m->raw, m->raw_len);
	if (w.full)
		return 0;
	size_t len = (size_t)(w.p - buf);
	memcpy(buf, "HEP3", 4);
	buf[4] = (uint8_t)(len >> 8);
	buf[5] = (uint8_t)len;
	return len;
}

/* ------------------------------------------------------------ collectors */

struct hep_pkt {
	struct hep_pkt *next;
	size_t len;
	uint8_t b[];
};

enum hep_state { HS_DOWN, HS_CONNECTING, HS_UP };

struct hep_target {
	char spec[300];
	struct rt_endpoint ep;
	struct sockaddr_storage sa;
	socklen_t salen;
	int fd;
	enum hep_state st;
	int64_t next_try_ms;
	int backoff_ms;
	struct hep_pkt *head, *tail;
	size_t qn, head_off;
	uint64_t sent, dropped, connects;
	int last_err;          /* errno of the last failure, 0 none */
};

struct hep_send {
	struct hep_target t[HEP_MAX_TARGETS];
	size_t n;
	uint32_t agent_id;
	char *key, *node;
	size_t qmax;
	bool live;
	uint64_t too_large;
	uint8_t buf[65536];
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void t_down(struct hep_target *t, int err)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	t->st = HS_DOWN;
	t->last_err = err;
	t->head_off = 0;   /* the collector lost the partial packet: resend it whole */
	t->next_try_ms = now_ms() + t->backoff_ms;
	t->backoff_ms = t->backoff_ms * 2 > HEP_BACKOFF_MAX_MS ? HEP_BACKOFF_MAX_MS : t->backoff_ms * 2;
}

static void t_connect(struct hep_target *t)
{
	t->fd = socket(t->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (t->fd < 0) {
		t_down(t, errno);
		return;
	}
	if (connect(t->fd, (struct sockaddr *)&t->sa, t->salen) == 0) {
		t->st = HS_UP;
		t->connects++;
		t->backoff_ms = HEP_BACKOFF_MIN_MS;
	} else if (errno == EINPROGRESS) {
		t->st = HS_CONNECTING;
	} else {
		t_down(t, errno);
	}
}

/* Non-blocking progress on one TCP collector. */
static void t_progress(struct hep_target *t)
{
	if (t->st == HS_DOWN && t->head && now_ms() >= t->next_try_ms)
		t_connect(t);
	if (t->st == HS_CONNECTING) {
		struct pollfd pfd = { .fd = t->fd, .events = POLLOUT };
		if (poll(&pfd, 1, 0) <= 0)
			return;
		int e = 0;
		socklen_t el = sizeof e;
		getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &e, &el);
		if (e) {
			t_down(t, e);
			return;
		}
		t->st = HS_UP;
		t->connects++;
		t->backoff_ms = HEP_BACKOFF_MIN_MS;
	}
	while (t->st == HS_UP && t->head) {
		struct hep_pkt *p = t->head;
		ssize_t n = send(t->fd, p->b + t->head_off, p->len - t->head_off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			t_down(t, errno);
			return;
		}
		t->head_off += (size_t)n;
		if (t->head_off < p->len)
			continue;
		t->head = p->next;
		if (!t->head)
			t->tail = NULL;
		t->qn--;
		t->head_off = 0;
		t->sent++;
		free(p);
	}
}

static bool t_pending(const struct hep_target *t)
{
	return t->ep.proto == RT_EP_TCP && t->head && t->st != HS_DOWN;
}

void hep_send_poll(struct hep_send *s, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	for (;;) {
		struct pollfd pfd[HEP_MAX_TARGETS];
		nfds_t np = 0;
		for (size_t i = 0; i < s->n; i++) {
			struct hep_target *t = &s->t[i];
			if (t->ep.proto != RT_EP_TCP)
				continue;
			t_progress(t);
			if (t_pending(t))
				pfd[np++] = (struct pollfd){ .fd = t->fd, .events = POLLOUT };
		}
		int64_t left = deadline - now_ms();
		if (!np || left <= 0)
			return;
		poll(pfd, np, (int)left);
	}
}

static void t_queue(struct hep_send *s, struct hep_target *t, const uint8_t *b, size_t len)
{
	t_progress(t);
	if (t->qn >= s->qmax && !s->live && t->st != HS_DOWN) {
		/* a file waits for a slow collector, a live capture does not */
		int64_t until = now_ms() + HEP_FILE_WAIT_MS;
		while (t->qn >= s->qmax && t_pending(t) && now_ms() < until) {
			struct pollfd pfd = { .fd = t->fd, .events = POLLOUT };
			poll(&pfd, 1, (int)(until - now_ms()));
			t_progress(t);
		}
	}
	if (t->qn >= s->qmax) {
		t->dropped++;
		return;
	}
	struct hep_pkt *p = malloc(sizeof *p + len);
	if (!p) {
		t->dropped++;
		return;
	}
	p->next = NULL;
	p->len = len;
	memcpy(p->b, b, len);
	if (t->tail)
		t->tail->next = p;
	else
		t->head = p;
	t->tail = p;
	t->qn++;
	t_progress(t);
}

static void t_datagram(struct hep_send *s, struct hep_target *t, const uint8_t *b, size_t len)
{
	for (int tries = 0; tries < 2; tries++) {
		if (sendto(t->fd, b, len, MSG_NOSIGNAL | MSG_DONTWAIT, (struct sockaddr *)&t->sa, t->salen) >= 0) {
			t->sent++;
			return;
		}
		t->last_err = errno;
		if ((errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS) || s->live)
			break;
		struct pollfd pfd = { .fd = t->fd, .events = POLLOUT };
		poll(&pfd, 1, 100);
	}
	t->dropped++;
}

void hep_send_msg(struct hep_send *s, const struct sip_msg *m)
{
	size_t len = hep3_encode(m, s->agent_id, s->key, s->node, s->buf, sizeof s->buf);
	if (!len) {
		s->too_large++;
		return;
	}
	for (size_t i = 0; i < s->n; i++) {
		struct hep_target *t = &s->t[i];
		if (t->ep.proto == RT_EP_UDP)
			t_datagram(s, t, s->buf, len);
		else
			t_queue(s, t, s->buf, len);
	}
}

struct hep_send *hep_send_new(const struct hep_send_opts *o, char *err, size_t errlen)
{
	if (o->ntargets > HEP_MAX_TARGETS) {
		snprintf(err, errlen, "--hep-send: at most %d collectors", HEP_MAX_TARGETS);
		return NULL;
	}
	struct hep_send *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->agent_id = o->agent_id;
	s->qmax = o->queue_max ? o->queue_max : 10000;
	s->live = o->live;
	char host[256] = "";
	if (!o->node && gethostname(host, sizeof host - 1) != 0)
		host[0] = '\0';
	s->key = o->key ? strdup(o->key) : NULL;
	s->node = strdup(o->node ? o->node : host);
	for (size_t i = 0; i < o->ntargets; i++) {
		struct hep_target *t = &s->t[s->n];
		t->fd = -1;
		t->backoff_ms = HEP_BACKOFF_MIN_MS;
		snprintf(t->spec, sizeof t->spec, "%s", o->targets[i]);
		if (rt_endpoint_parse(o->targets[i], true, &t->ep) < 0) {
			snprintf(err, errlen, "--hep-send %s: want [udp:|tcp:]HOST:PORT", o->targets[i]);
			hep_send_close(s, 0, NULL);
			return NULL;
		}
		struct addrinfo hints = { .ai_family = AF_UNSPEC,
					  .ai_socktype = t->ep.proto == RT_EP_TCP ? SOCK_STREAM : SOCK_DGRAM,
					  .ai_flags = AI_NUMERICSERV };
		struct addrinfo *res = NULL;
		int rc = getaddrinfo(t->ep.host, t->ep.port, &hints, &res);
		if (rc || !res) {
			snprintf(err, errlen, "--hep-send %s: %s", o->targets[i], rc ? gai_strerror(rc) : "no address");
			if (res)
				freeaddrinfo(res);
			hep_send_close(s, 0, NULL);
			return NULL;
		}
		memcpy(&t->sa, res->ai_addr, res->ai_addrlen);
		t->salen = res->ai_addrlen;
		freeaddrinfo(res);
		s->n++;
		if (t->ep.proto == RT_EP_UDP) {
			t->fd = socket(t->sa.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
			if (t->fd < 0) {
				snprintf(err, errlen, "--hep-send %s: %s", o->targets[i], strerror(errno));
				hep_send_close(s, 0, NULL);
				return NULL;
			}
		} else {
			t_connect(t);   /* opened now: before any privilege drop */
		}
	}
	return s;
}

void hep_send_get_stats(const struct hep_send *s, struct hep_send_stats *st)
{
	*st = (struct hep_send_stats){ .too_large = s->too_large };
	for (size_t i = 0; i < s->n; i++) {
		st->sent += s->t[i].sent;
		st->dropped += s->t[i].dropped;
		st->queued += s->t[i].qn;
	}
}

void hep_send_close(struct hep_send *s, int flush_ms, FILE *f)
{
	if (!s)
		return;
	if (flush_ms > 0)
		hep_send_poll(s, flush_ms);
	for (size_t i = 0; i < s->n; i++) {
		struct hep_target *t = &s->t[i];
		uint64_t unsent = t->qn;
		while (t->head) {
			struct hep_pkt *p = t->head;
			t->head = p->next;
			free(p);
		}
		t->dropped += unsent;
		if (f) {
			fprintf(f, "regtrace: HEP to %s: %llu sent, %llu dropped", t->spec,
				(unsigned long long)t->sent, (unsigned long long)t->dropped);
			if (t->dropped && t->last_err)
				fprintf(f, " (%s%s)", t->ep.proto == RT_EP_TCP && !t->connects ? "never connected: " : "",
					strerror(t->last_err));
			fputc('\n', f);
		}
		if (t->fd >= 0)
			close(t->fd);
	}
	if (f && s->too_large)
		fprintf(f, "regtrace: HEP: %llu messages over 64 KiB were not sent\n",
			(unsigned long long)s->too_large);
	free(s->key);
	free(s->node);
	free(s);
}
