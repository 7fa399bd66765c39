/* SPDX-License-Identifier: GPL-2.0-or-later */
/* metrics.c - Prometheus text exposition over HTTP.  See metrics.h. */
#include "metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "endpoint.h"

/* RFC 6076 §4.1 RRD buckets, seconds: a LAN answers in milliseconds, a
 * challenged registration across the internet in a few hundred. */
static const double rrd_le[] = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };
#define NRRD (sizeof rrd_le / sizeof *rrd_le)
#define MAX_CODES 64

struct metrics {
	int fd;
	int stop_pipe[2];
	pthread_t thr;
	bool started;
	pthread_mutex_t mu;
	char *page;                  /* under mu: the last page published */
	size_t page_len;
	/* main thread only */
	struct { int code; uint64_t n; } codes[MAX_CODES];
	size_t ncodes;
	uint64_t att_timeout, att_none, att_other_codes;
	uint64_t rrd_bucket[NRRD];
	uint64_t rrd_count;
	double rrd_sum;
};

/* ------------------------------------------------------------ events */

void metrics_on_attempt(struct metrics *mt, const struct reg_attempt *a)
{
	if (a->result == ATT_TIMEOUT) {
		mt->att_timeout++;
	} else if (a->final_status <= 0) {
		mt->att_none++;
	} else {
		size_t i = 0;
		while (i < mt->ncodes && mt->codes[i].code != a->final_status)
			i++;
		if (i == mt->ncodes) {
			if (mt->ncodes == MAX_CODES) {
				mt->att_other_codes++;
				goto rrd;
			}
			mt->codes[mt->ncodes++].code = a->final_status;
		}
		mt->codes[i].n++;
	}
rrd:
	/* RRD: from the first REGISTER of the attempt to its 2xx, challenges included */
	if (a->result == ATT_OK && a->t_end >= a->t_start && !a->deregister && !a->query) {
		double s = (double)(a->t_end - a->t_start) / 1e9;
		for (size_t i = 0; i < NRRD; i++)
			if (s <= rrd_le[i])
				mt->rrd_bucket[i]++;
		mt->rrd_count++;
		mt->rrd_sum += s;
	}
}

/* ------------------------------------------------------------ the page */

struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int n = b->oom ? -1 : vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		size_t nc = (b->cap + (size_t)n + 1) * 2;
		char *np = realloc(b->p, nc);
		if (!np) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = nc;
	}
}

static void head(struct sbuf *b, const char *name, const char *type, const char *help)
{
	sb_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void metrics_publish(struct metrics *mt, const struct model *m, const struct metrics_counts *c)
{
	struct sbuf b = { .p = malloc(4096), .cap = 4096 };
	if (!b.p)
		return;
	b.p[0] = '\0';
	static const enum aor_state states[] = { AOR_REGISTERED, AOR_FAILED, AOR_CHALLENGED,
						 AOR_UNREGISTERED, AOR_EXPIRED, AOR_TIMEOUT, AOR_UNKNOWN };
	uint64_t per[8] = { 0 };
	for (size_t i = 0; m && i < m->aors.n; i++) {
		enum aor_state st = aor_state_now(m, m->aors.v[i]);
		if ((unsigned)st < 8)
			per[st]++;
	}
	head(&b, "regtrace_registrations", "gauge", "Addresses of record by registration state.");
	for (size_t i = 0; i < sizeof states / sizeof *states; i++)
		sb_printf(&b, "regtrace_registrations{state=\"%s\"} %llu\n", aor_state_name(states[i]),
			  (unsigned long long)per[states[i]]);

	head(&b, "regtrace_attempts_total", "counter",
	     "Registration attempts that ended, by the final response code (timeout: no answer).");
	for (size_t i = 0; i < mt->ncodes; i++)
		sb_printf(&b, "regtrace_attempts_total{code=\"%d\"} %llu\n", mt->codes[i].code,
			  (unsigned long long)mt->codes[i].n);
	sb_printf(&b, "regtrace_attempts_total{code=\"timeout\"} %llu\n", (unsigned long long)mt->att_timeout);
	if (mt->att_none)
		sb_printf(&b, "regtrace_attempts_total{code=\"none\"} %llu\n", (unsigned long long)mt->att_none);
	if (mt->att_other_codes)
		sb_printf(&b, "regtrace_attempts_total{code=\"other\"} %llu\n",
			  (unsigned long long)mt->att_other_codes);

	head(&b, "regtrace_findings_total", "counter", "Diagnosis findings by rule and severity.");
	struct rule_count { const char *rule; int sev; uint64_t n; } fr[256];
	size_t nfr = 0;
	for (size_t i = 0; m && i < m->findings.n; i++) {
		const struct finding *f = m->findings.v[i];
		size_t k = 0;
		while (k < nfr && !(fr[k].sev == (int)f->sev && strcmp(fr[k].rule, f->rule) == 0))
			k++;
		if (k == nfr) {
			if (nfr == sizeof fr / sizeof *fr)
				continue;
			fr[nfr++] = (struct rule_count){ f->rule, (int)f->sev, 0 };
		}
		fr[k].n++;
	}
	for (size_t k = 0; k < nfr; k++)
		sb_printf(&b, "regtrace_findings_total{rule=\"%s\",severity=\"%s\"} %llu\n", fr[k].rule,
			  finding_sev_name((enum finding_sev)fr[k].sev), (unsigned long long)fr[k].n);

	head(&b, "regtrace_registration_request_delay_seconds", "histogram",
	     "RFC 6076 registration request delay: first REGISTER to its 2xx, challenges included.");
	for (size_t i = 0; i < NRRD; i++)
		sb_printf(&b, "regtrace_registration_request_delay_seconds_bucket{le=\"%g\"} %llu\n", rrd_le[i],
			  (unsigned long long)mt->rrd_bucket[i]);
	sb_printf(&b, "regtrace_registration_request_delay_seconds_bucket{le=\"+Inf\"} %llu\n",
		  (unsigned long long)mt->rrd_count);
	sb_printf(&b, "regtrace_registration_request_delay_seconds_sum %.9g\n", mt->rrd_sum);
	sb_printf(&b, "regtrace_registration_request_delay_seconds_count %llu\n",
		  (unsigned long long)mt->rrd_count);

	struct { const char *name, *help; uint64_t v; } ctr[] = {
		{ "regtrace_packets_total", "Packets read.", c->packets },
		{ "regtrace_sip_messages_total", "SIP messages read.", c->sip_msgs },
		{ "regtrace_kernel_drops_total", "Packets the kernel or the interface dropped (live).", c->kernel_drops },
		{ "regtrace_evicted_bytes_total", "Message detail dropped from RAM under the memory bound.",
		  c->evicted_bytes },
		{ "regtrace_hep_sent_total", "HEP packets handed to collectors (--hep-send).", c->hep_sent },
		{ "regtrace_hep_dropped_total", "HEP packets a collector did not take.", c->hep_dropped },
	};
	for (size_t i = 0; i < sizeof ctr / sizeof *ctr; i++) {
		head(&b, ctr[i].name, "counter", ctr[i].help);
		sb_printf(&b, "%s %llu\n", ctr[i].name, (unsigned long long)ctr[i].v);
	}
	if (b.oom) {
		free(b.p);
		return;
	}
	pthread_mutex_lock(&mt->mu);
	free(mt->page);
	mt->page = b.p;
	mt->page_len = b.len;
	pthread_mutex_unlock(&mt->mu);
}

/* ------------------------------------------------------------ HTTP */

static void reply(int fd, const char *status, const char *type, const char *body, size_t n)
{
	char hdr[256];
	int h = snprintf(hdr, sizeof hdr, "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n", status, type, n);
	if (send(fd, hdr, (size_t)h, MSG_NOSIGNAL) == h && n)
		send(fd, body, n, MSG_NOSIGNAL);   /* best effort: the scraper retries */
}

/* One request per connection; at most 8 KiB of request, 2 s to send it. */
static void serve(struct metrics *mt, int cfd)
{
	char req[8192];
	size_t n = 0;
	while (n < sizeof req - 1) {
		struct pollfd p = { .fd = cfd, .events = POLLIN };
		if (poll(&p, 1, 2000) <= 0)
			return;
		ssize_t k = recv(cfd, req + n, sizeof req - 1 - n, 0);
		if (k <= 0)
			return;
		n += (size_t)k;
		req[n] = '\0';
		if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
			break;
	}
	req[n] = '\0';
	if (strncmp(req, "GET /metrics ", 13) != 0 && strncmp(req, "GET /metrics?", 13) != 0) {
		const char *nf = "regtrace serves /metrics only\n";
		reply(cfd, "404 Not Found", "text/plain", nf, strlen(nf));
		return;
	}
	pthread_mutex_lock(&mt->mu);
	char *copy = mt->page ? malloc(mt->page_len) : NULL;
	size_t len = copy ? mt->page_len : 0;
	if (copy)
		memcpy(copy, mt->page, len);
	pthread_mutex_unlock(&mt->mu);
	reply(cfd, "200 OK", "text/plain; version=0.0.4; charset=utf-8", copy ? copy : "", len);
	free(copy);
}

static void *server(void *arg)
{
	struct metrics *mt = arg;
	for (;;) {
		struct pollfd p[2] = { { .fd = mt->fd, .events = POLLIN }, { .fd = mt->stop_pipe[0], .events = POLLIN } };
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break;
		if (!(p[0].revents & POLLIN))
			continue;
		int cfd = accept4(mt->fd, NULL, NULL, SOCK_CLOEXEC);
		if (cfd < 0)
			continue;
		serve(mt, cfd);
		close(cfd);
	}
	return NULL;
}

struct metrics *metrics_new(const char *spec, char *err, size_t errlen)
{
	struct rt_endpoint ep;
	if (rt_endpoint_parse(spec, false, &ep) < 0 || ep.proto != RT_EP_UDP || !strncmp(spec, "udp:", 4)) {
		snprintf(err, errlen, "--metrics %s: want [ADDR:]PORT", spec);
		return NULL;
	}
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV | AI_PASSIVE };
	struct addrinfo *res = NULL;
	/* loopback unless an address is given: metrics are not for the world */
	int rc = getaddrinfo(ep.host[0] ? ep.host : "127.0.0.1", ep.port, &hints, &res);
	if (rc) {
		snprintf(err, errlen, "--metrics %s: %s", spec, gai_strerror(rc));
		return NULL;
	}
	struct metrics *mt = calloc(1, sizeof *mt);
	if (!mt) {
		freeaddrinfo(res);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	mt->fd = -1;
	mt->stop_pipe[0] = mt->stop_pipe[1] = -1;
	pthread_mutex_init(&mt->mu, NULL);
	int e = 0;
	for (struct addrinfo *ai = res; ai && mt->fd < 0; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			e = errno;
			continue;
		}
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 16) == 0) {
			mt->fd = fd;
			break;
		}
		e = errno;
		close(fd);
	}
	freeaddrinfo(res);
	if (mt->fd < 0) {
		snprintf(err, errlen, "--metrics %s: %s", spec, strerror(e));
		metrics_free(mt);
		return NULL;
	}
	if (pipe2(mt->stop_pipe, O_CLOEXEC) != 0 || pthread_create(&mt->thr, NULL, server, mt) != 0) {
		snprintf(err, errlen, "--metrics %s: cannot start the server thread", spec);
		metrics_free(mt);
		return NULL;
	}
	mt->started = true;
	metrics_publish(mt, NULL, &(struct metrics_counts){ 0 });   /* a page from the first scrape */
	return mt;
}

void metrics_free(struct metrics *mt)
{
	if (!mt)
		return;
	if (mt->started) {
		if (write(mt->stop_pipe[1], "x", 1) < 0) {
			/* the thread then only ends with the process */
		}
		pthread_join(mt->thr, NULL);
	}
	for (int i = 0; i < 2; i++)
		if (mt->stop_pipe[i] >= 0)
			close(mt->stop_pipe[i]);
	if (mt->fd >= 0)
		close(mt->fd);
	pthread_mutex_destroy(&mt->mu);
	free(mt->page);
	free(mt);
}
