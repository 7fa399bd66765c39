/* SPDX-License-Identifier: GPL-2.0-or-later */
/* model.h - the correlation model: messages -> transactions, dialogs and
 * per-AOR registration histories.
 *
 * Owns: struct model and every object hanging off it (struct txn, struct
 * dialog, struct aor_hist with its sessions, attempts and bindings, struct
 * finding), the entry points main.c calls (model_new / model_add_msg /
 * model_add_icmp / model_finish / model_free) and the read-only accessors
 * the outputs, the diagnosis rules, the TUI and the ladder layout use.
 *
 * Rules (RFC 3261 §10.2-§10.3 registrations, §17 transactions):
 *  - Transaction key: top-Via branch + sent-by + CSeq method; Call-ID and
 *    CSeq number must match too, so a branch reused with a new CSeq (or a
 *    new Call-ID) opens a new transaction flagged branch_reused.  Without a
 *    z9hG4bK branch (RFC 2543): Call-ID + CSeq number + method + From tag +
 *    sent-by.  An ACK to a non-2xx final belongs to the INVITE transaction.
 *  - Outcome: the first final response's code; TXN_TIMEOUT when no final
 *    came within 64*T1 = 32 s of capture time after the first copy (INVITE:
 *    only while no provisional came, as Timer B), or when the capture ended
 *    after >= 3 unanswered copies; otherwise TXN_UNKNOWN.  Capture time is
 *    the packets' timestamps, never the wall clock.
 *  - Dialogs: every message with a Call-ID is grouped by Call-ID.
 *  - Registrations: AOR = canonical To URI (aor.c).  Attempts chain
 *    REGISTER -> 401/407 -> REGISTER(CSeq+1, same Call-ID, same AOR) -> final.
 *    A session is every attempt of one (AOR, Call-ID).  Bindings per (AOR,
 *    +sip.instance/reg-id or canonical contact URI) from the 200's Contacts.
 *
 * Every object is owned by the model and lives until model_free(), except
 * what model_shed() evicts under a memory bound: the records and the
 * transactions of what is over (src/model/shed.c).  Between two calls of it
 * pointers handed out stay valid; AORs, dialogs, sessions, attempts and
 * bindings stay until model_free().  Objects carry a 1-based `id` that the
 * JSON output uses for cross references.  Nothing here touches a terminal.
 */
#ifndef RT_MODEL_H
#define RT_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "sip_msg.h"

struct model;
struct txn;
struct dialog;
struct aor_hist;
struct reg_session;
struct reg_attempt;
struct binding;

/* Timer F / Timer B = 64 * T1 (T1 = 500 ms). */
#define MODEL_TIMER_F_NS (32LL * 1000000000LL)
/* What model_shed() keeps whole per AOR, and per binding timeline. */
#define MODEL_KEEP_ATTEMPTS 2
#define MODEL_KEEP_SESSIONS 1
#define MODEL_KEEP_EVENTS 16
#define MODEL_KEEP_BINDINGS 2
/* Unanswered copies that make a transaction cut short by the capture end a timeout. */
#define MODEL_TIMEOUT_MIN_COPIES 3

/* A growable array of pointers (messages, transactions, ...), in insertion order. */
struct ptr_vec {
	void **v;
	size_t n, cap;
};

/* ---------------------------------------------------------------- transactions */

enum txn_outcome {
	TXN_PENDING = 0,   /* still open (only before model_finish) */
	TXN_FINAL,         /* a final response came: see final_status */
	TXN_TIMEOUT,       /* Timer F passed, or capture ended after >= 3 copies */
	TXN_UNKNOWN,       /* capture ended before an answer could be expected */
	TXN_NO_ANSWER,     /* ACK (2xx ACK is a transaction of its own): no response by design */
};

/* An ICMP error that answered one of the transaction's request copies. */
struct txn_icmp {
	uint32_t file;
	uint64_t frame;
	int64_t ts_ns;
	uint8_t version, type, code;
	struct rt_addr from;         /* who sent it (the host, or a router on the way) */
};

struct txn {
	uint32_t id;                 /* 1-based, in creation order */
	const char *method;          /* CSeq method of the request (owned by the request msg) */
	const char *call_id;
	uint32_t cseq;
	const char *branch;          /* top-Via branch, NULL when absent */
	char *sent_by;               /* top-Via host[:port], lower-case host (owned) */
	bool rfc2543;                /* matched with the RFC 2543 fallback key */
	bool branch_reused;          /* same branch+sent-by+method as an earlier
					transaction with another CSeq or Call-ID */
	bool orphan;                 /* responses only: the request was not captured */

	struct sip_msg *req;         /* first copy of the request; NULL for an orphan */
	struct ptr_vec reqs;         /* struct sip_msg *: every request copy, first included */
	struct ptr_vec resps;        /* struct sip_msg *: every response, retransmissions included */
	struct ptr_vec acks;         /* struct sip_msg *: ACKs to a non-2xx final (INVITE only) */
	struct txn_icmp *icmps;      /* ICMP errors quoting a copy of the request (room
					for the next power of two of nicmps) */
	size_t nicmps;

	uint32_t req_retrans;        /* request copies beyond the first */
	uint32_t resp_retrans;       /* responses equal (code + To tag) to an earlier one */
	struct sip_msg *first_prov;  /* first provisional response, NULL if none */
	struct sip_msg *final;       /* first final response, NULL if none */
	int final_status;            /* its code; 0 when none */
	bool late_final;             /* the final came after the timeout was declared */

	int64_t t_first;             /* first request copy (or first response for an orphan) */
	int64_t t_last;              /* last message of the transaction */
	int64_t t_final;             /* first final response; 0 when none */
	enum txn_outcome outcome;

	struct dialog *dialog;       /* the Call-ID group; NULL without Call-ID */
	struct reg_attempt *attempt; /* REGISTER only: the attempt it belongs to */
	struct aor_hist *aor;        /* REGISTER only */
	char *map_key;               /* model internal: its key in the lookup table */
	uint16_t qrefs;              /* model internal: entries in the timer queues */
	bool evicted;                /* model internal: shed (records gone, leaving) */
};

/* ---------------------------------------------------------------- dialogs */

/* Every message of one Call-ID (all methods): the "call flow" of sngrep, but
 * also for REGISTER, OPTIONS, SUBSCRIBE, MESSAGE ... */
struct dialog {
	uint32_t id;
	char *call_id;               /* owned */
	struct ptr_vec msgs;         /* struct sip_msg *, in arrival order */
	struct ptr_vec txns;         /* struct txn *, in creation order */
	int64_t t_first, t_last;
	const char *from_uri, *to_uri; /* of the first message (owned by it) */
	const char *first_method;    /* method of the first request seen, NULL if none */
	uint32_t evicted_msgs;       /* messages of it shed under the memory bound */
	uint8_t own_strs;            /* model internal: bits 0-2, from_uri, to_uri and
					first_method are copies (their message was shed) */
	bool shed_mark;              /* model internal, during model_shed() */
};

/* ---------------------------------------------------------------- registrations */

enum attempt_result {
	ATT_OPEN = 0,                /* not finished (only before model_finish) */
	ATT_OK,                      /* 2xx */
	ATT_FAILED,                  /* final >= 300 other than a challenge */
	ATT_REJECTED,                /* credentials answered with 401/407 (no stale)
					and no further retry: credentials refused */
	ATT_CHALLENGED,              /* ended on a challenge the UA did not answer */
	ATT_TIMEOUT,                 /* the last transaction timed out */
	ATT_UNKNOWN,                 /* capture ended before the answer */
};

/* REGISTER -> (401/407 -> REGISTER with credentials, CSeq+1)* -> final. */
struct reg_attempt {
	uint32_t id;
	struct aor_hist *aor;
	struct reg_session *session;
	struct ptr_vec txns;         /* struct txn *: the chain, in order */
	enum attempt_result result;
	int final_status;            /* status ending the chain (last txn's), 0 if none */
	uint32_t challenges;         /* 401/407 answers inside the chain */
	bool deregister;             /* Expires: 0 on every contact, or Contact: * */
	bool query;                  /* no Contact at all: a binding query */
	long expires_requested;      /* of the first contact (param, else header); -1 unknown */
	long expires_granted;        /* from the 200 for our contact, -1 unknown */
	int64_t t_start, t_end;      /* first request copy, final (or last message) */
	bool emitted;                /* the JSONL line was written */
};

/* All attempts of one (AOR, Call-ID): one boot cycle of one UA. */
struct reg_session {
	uint32_t id;
	struct aor_hist *aor;
	const char *call_id;         /* the end of map_key */
	struct ptr_vec attempts;     /* struct reg_attempt * */
	struct ptr_vec txns;         /* struct txn * */
	int64_t t_first, t_last;
	char *map_key;               /* model internal: its key in the lookup table */
};

enum binding_event_kind {
	BEV_CREATED,                 /* first seen in a 200 (or after removal/expiry) */
	BEV_REFRESHED,               /* active, and listed again by a later 200 */
	BEV_REMOVED,                 /* Expires 0 / Contact: * / absent from a later 200 */
	BEV_EXPIRED,                 /* grant elapsed inside the capture without refresh */
};

struct binding_event {
	enum binding_event_kind kind;
	int64_t ts_ns;
	long expires;                /* granted seconds (CREATED / REFRESHED) */
	uint64_t msg_id;             /* the 200 (or, for EXPIRED, 0) */
	uint32_t txn_id;             /* the REGISTER transaction (0 for EXPIRED) */
};

struct binding {
	uint32_t id;
	char *key;                   /* "+sip.instance;reg-id" or canonical contact URI (owned) */
	char *contact;               /* contact URI as last seen (owned) */
	char *instance, *reg_id;     /* owned, NULL when absent */
	bool active;
	int64_t expires_at;          /* ts of the last grant + granted seconds */
	struct binding_event *ev;
	size_t nev, capev;
	uint32_t shed_events;        /* events dropped from the middle of the timeline
					(model_shed keeps the first and the last
					MODEL_KEEP_EVENTS - 1) */
	char *map_key;               /* model internal: its key in the lookup table */
	bool seen;                   /* model internal: listed by the 200 at hand */
};

enum aor_state {
	AOR_UNKNOWN = 0,
	AOR_REGISTERED,
	AOR_FAILED,
	AOR_CHALLENGED,
	AOR_UNREGISTERED,
	AOR_EXPIRED,
	AOR_TIMEOUT,
};

/* Diagnosis results: findings, added by diag_run() (src/diag/diag.h). */
enum finding_sev { SEV_INFO = 0, SEV_WARN, SEV_ERR, SEV_CRIT };

/* What a finding says about the failure (docs/rules.md, "Which finding is
 * the cause"): a cause names what is wrong (a wrong password, a private
 * Contact), a pattern is behaviour a cause explains (an auth loop), an
 * outcome only what the registrar answered (403, timeout). */
enum finding_kind { FK_PATTERN = 0, FK_CAUSE, FK_OUTCOME };

struct finding {
	const char *rule;            /* rule id, static */
	enum finding_sev sev;
	enum finding_kind kind;      /* the rule's (ranking the cause) */
	uint32_t rule_ix;            /* the rule's place in the table (the last tie-break) */
	char *message;               /* owned */
	char *fix;                   /* may be NULL; owned unless fix_shared */
	uint64_t *frames;            /* owned evidence frames */
	size_t nframes;
	struct aor_hist *aor;        /* NULL for a capture-wide finding */
	uint32_t weight;             /* a once-per-AOR rule's: how bad (diag_weigh) */
	int64_t episode;             /* a rule with episodes: which (diag_episode), 0: unsaid */
	bool fix_shared;             /* fix is the model's (model_intern) */
};

/* Per-AOR summary, computed by model_finish(). */
struct aor_summary {
	uint32_t attempts;           /* registration attempts */
	uint32_t failures;           /* attempts that ended FAILED, REJECTED or TIMEOUT */
	int last_status;             /* final code of the last answered REGISTER, 0 if none */
	int64_t time_to_register_ns; /* first REGISTER -> first 200; -1 when never */
	long expires_requested;      /* last attempt's request; -1 unknown */
	long expires_granted;        /* last 2xx grant for our contact; -1 unknown */
	uint32_t contacts;           /* bindings active at capture end */
	const struct binding *contact; /* the active binding of the last REGISTER's
					  first Contact, else the first active one; NULL if none */
	const char *user_agent;      /* last User-Agent seen on a REGISTER (owned by the msg) */
	struct rt_addr *sources;     /* distinct source addresses of its REGISTERs (owned;
					room for the next power of two of nsources) */
	size_t nsources;
};

/* Everything known about one address-of-record. */
struct aor_hist {
	uint32_t id;
	char *aor;                   /* canonical AOR (owned) */
	enum aor_state state;
	struct ptr_vec txns;         /* struct txn *: REGISTER transactions in frame order */
	struct ptr_vec sessions;     /* struct reg_session * */
	struct ptr_vec attempts;     /* struct reg_attempt *, in start order */
	struct ptr_vec bindings;     /* struct binding * */
	struct ptr_vec findings;     /* struct finding * (diagnosis) */
	const struct finding *cause; /* the finding that leads (finding_rank_cmp); NULL: none */
	struct aor_summary sum;
	int64_t t_first, t_last;
	/* what shed transactions leave for the summary (model_shed) */
	char *shed_ua;               /* the last User-Agent of its shed REGISTERs (owned) */
	int shed_last_status;        /* the last final code among them, 0: none */
	const struct binding *shed_contact; /* the binding the last of them asked for */
	uint32_t evicted_txns;       /* its REGISTER transactions shed */
	/* old attempts and sessions folded into counters (model_shed keeps the
	 * last MODEL_KEEP_ATTEMPTS / MODEL_KEEP_SESSIONS of them whole) */
	uint32_t shed_attempts, shed_failures, shed_sessions;
	uint32_t shed_bindings;      /* inactive bindings beyond the last
					MODEL_KEEP_BINDINGS, idle for 2 x Timer F */
	int64_t shed_first_ok_end;   /* t_end of the first ok attempt among them, 0: none */
	long shed_exp_requested, shed_exp_granted; /* as aor_summary's, of the last of them */
	struct ptr_vec kept;         /* struct finding * (owned): findings made before
					their evidence was shed (diag_keep_shed) */
	bool shed_mark;              /* model internal, during model_shed() */
};

/* ---------------------------------------------------------------- the model */

struct model_opts {
	/* Event callbacks (all optional), used by --jsonl.  They run inside
	 * model_add_msg()/model_finish(); the object is complete and stays valid. */
	void (*on_txn_done)(void *user, const struct model *m, const struct txn *t);
	void (*on_attempt_done)(void *user, const struct model *m, const struct reg_attempt *a);
	void *user;
	int64_t timer_f_ns;          /* 0 = MODEL_TIMER_F_NS */
	bool keep_dialogs;           /* model_shed() leaves empty dialogs (a screen
					holds them between refreshes) */
};

/* What model_shed() evicted, for capture.evicted and stderr. */
struct model_evicted {
	uint64_t messages, bytes;    /* records (and their text) freed */
	uint64_t transactions;
	uint64_t dialogs, aors;      /* objects aged out (--aor-idle) */
	uint64_t passes;             /* model_shed() calls that freed something */
};

struct model_stats {
	uint64_t msgs, requests, responses, malformed;
	uint64_t no_call_id;         /* messages that could not be grouped */
	uint64_t txns, txns_final, txns_timeout, txns_unknown, orphan_responses;
	uint64_t req_retrans, resp_retrans, branch_reuse, icmp_matched, icmp_unmatched;
	uint32_t max_file;           /* highest input file index seen */
};

/* TCP connections refused (a RST answering a SYN), one per (client IP,
 * server address): no SIP was ever sent on them, so no transaction holds
 * them.  At most MODEL_REFUSED_MAX of them; more go to refused_more. */
struct tcp_refusal {
	struct rt_addr cli, srv;     /* the SYN's source (port of the first) and destination */
	struct rt_addr from;         /* who sent the RST */
	uint32_t n;                  /* SYNs refused */
	uint32_t file;
	uint64_t frame_first, frame_last;   /* the RSTs */
	int64_t t_first, t_last;
};
#define MODEL_REFUSED_MAX 64

struct model {
	struct model_opts opt;
	struct ptr_vec msgs;         /* struct sip_msg *, owned, arrival order */
	struct ptr_vec txns;         /* struct txn * */
	struct ptr_vec dialogs;      /* struct dialog * */
	struct ptr_vec aors;         /* struct aor_hist *, first-seen order */
	struct ptr_vec findings;     /* struct finding *: every finding (owned here) */
	struct model_stats st;
	struct tcp_refusal *refused; /* malloc'ed, nrefused of them */
	size_t nrefused;
	uint64_t refused_more;       /* refusals of further (client, server) pairs */
	int64_t now_ns;              /* latest capture time seen */
	int64_t first_ns;            /* the first message's time (kept when its record is shed) */
	int64_t capture_end_ns;      /* set by model_finish */
	bool finished;
	uint32_t dialog_ids;         /* ids given to dialogs so far (the highest) */
	struct model_evicted ev;
	struct ptr_vec kept;         /* struct finding * (owned): capture-wide findings
					made before their evidence was shed */
	struct model_priv *priv;     /* hash tables and queues (model.c) */
};

struct model *model_new(const struct model_opts *o);
/* Takes ownership of msg (freed by model_free). */
void model_add_msg(struct model *m, struct sip_msg *msg);
/* The event is only valid during the call; what is kept is copied. */
void model_add_icmp(struct model *m, const struct icmp_evt *e);
/* Capture ended at capture_end_ns (last packet's time; 0 = last message's):
 * settles timeouts, attempts, bindings, AOR states and summaries. */
void model_finish(struct model *m, int64_t capture_end_ns);
/* Time goes back: the next input (several, read in the given order) starts
 * before seg_end_ns, the latest time of those before.  What they left open
 * is settled as model_finish settles it at seg_end_ns (Timer F up to there,
 * then timeout or unknown), transaction matching starts afresh and capture
 * time restarts, so the next input's transactions time out on their own
 * clock.  Attempts, bindings and AOR states carry on; model_finish judges
 * bindings at the latest time of all inputs. */
void model_rewind(struct model *m, int64_t seg_end_ns);
void model_free(struct model *m);

/* Live capture: no packet came, but the wall clock (which is the live
 * capture time) moved on to now_ns: run the timers (Timer F) up to it. */
void model_advance(struct model *m, int64_t now_ns);
/* Before model_finish(): the AOR's state and summary as of m->now_ns, and
 * its grants that ran out by then expired (the events model_finish()
 * would add too).  Only when none of its attempts is still open: false
 * (and nothing changed) otherwise.  model_finish() recomputes everything. */
bool model_aor_settle_now(struct model *m, struct aor_hist *a);
/* When the AOR's first active grant runs out (capture time), 0: none. */
int64_t model_aor_next_expiry(const struct aor_hist *a);

/* --fail-on: 1 when COND holds ("failed": an AOR failed or timed out;
 * "expired": an AOR expired; "any-finding": a finding of severity WARN or
 * above exists — none exist before the diagnosis rules run).  -1 for an
 * unknown COND. */
int model_fail_on(const struct model *m, const char *cond);
bool model_fail_cond_valid(const char *cond);

/* One copy of a text the model keeps for its life (a rule's fix: a few
 * texts per rule, repeated on every finding): the copy, NULL for NULL. */
char *model_intern(struct model *m, const char *s);

/* Add a finding (diagnosis); the model takes ownership. */
void model_add_finding(struct model *m, struct finding *f);

/* Memory bound (shed.c): evict, oldest first, the records and transactions
 * of what is over until about `bytes` of records are freed: transactions
 * settled (a REGISTER's attempt settled too, or older than 2 x Timer F)
 * and messages no transaction holds that are older than 2 x Timer F.
 * Before anything goes, keep(user, m, aors) sees the AORs that lose
 * detail (an array of naff struct aor_hist *), with everything still in
 * place: the diagnosis keeps what it finds there (diag_keep_shed).  The
 * vectors of the model are compacted, order kept; counts in m->ev.
 * Returns the record bytes freed. */
typedef void (*model_keep_fn)(void *user, struct model *m, struct aor_hist **aors, size_t naff);
uint64_t model_shed(struct model *m, uint64_t bytes, model_keep_fn keep, void *user);
/* Bytes of records the model holds now (what model_shed can free from). */
uint64_t model_held_bytes(const struct model *m);
/* An estimate of the bytes of everything else (registrations, transactions,
 * dialogs) from their counts: it depends on the input alone. */
uint64_t model_fixed_bytes(const struct model *m);

/* Names for outputs. */
const char *txn_outcome_name(enum txn_outcome o);   /* "final", "timeout", ... */
const char *attempt_result_name(enum attempt_result r);
const char *aor_state_name(enum aor_state s);
/* The AOR's state, or before model_finish() (live) what its last REGISTER
 * transaction says: 2xx registered (unregistered for a removal), 401/407
 * challenged, other >= 300 failed, timed out timeout. */
enum aor_state aor_state_now(const struct model *m, const struct aor_hist *a);
const char *binding_event_name(enum binding_event_kind k);
const char *finding_sev_name(enum finding_sev s);   /* "INFO", "WARN", ... */
/* The order in which an AOR's findings explain it, the cause first
 * (docs/rules.md, "Which finding is the cause"): CRIT/ERR before WARN
 * before INFO; within that cause before pattern before outcome; then the
 * higher severity; then the earlier first evidence frame; then the rule
 * table's order.
 * A qsort comparator over struct finding * const *. */
int finding_rank_cmp(const void *a, const void *b);
/* The AOR's findings in that order (malloc'ed; *n their count), NULL when none. */
const struct finding **finding_ranked(const struct aor_hist *a, size_t *n);

/* Lookups (NULL when absent). */
const struct aor_hist *model_find_aor(const struct model *m, const char *canonical_aor);
const struct dialog *model_find_dialog(const struct model *m, const char *call_id);

/* ---------------------------------------------------------------- AOR canonical form */

/* Canonical AOR of a URI (RFC 3261 §10.3, §19.1.4): "scheme:user@host[:port]"
 * with display name, <>, password, URI parameters and headers removed,
 * %-escapes decoded (except those that would give a control character),
 * scheme and host lower-case.  tel: URIs keep the number without parameters.
 * Returns a malloc'd string, or NULL for NULL/empty input. */
char *aor_canonical(const char *uri);

/* Canonical contact for binding identity (§19.1.4): as aor_canonical() but
 * the user part kept verbatim and the transport/user/ttl/maddr/method uri
 * parameters that take part in comparison kept, lower-cased, sorted. */
char *aor_contact_key(const char *uri);

/* ---------------------------------------------------------------- helpers */

int ptr_vec_push(struct ptr_vec *v, void *p);
void ptr_vec_free(struct ptr_vec *v);

#endif
