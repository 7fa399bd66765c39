/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diag.h - diagnosis: the rule table that turns the correlation model into
 * findings ("why does my phone not register?").
 *
 * Owns: struct diag_rule (one rule: id, one severity, title, thresholds with
 * the catalog's defaults, a function over the model), the rule tables
 * (rules_auth.c: digest authentication; rules_resp.c: responses, timeouts,
 * retransmissions, request form; rules_time.c: expiry, refresh, bindings;
 * rules_nat.c: NAT, capture point, scanners; rules_gb.c: the GB/T 28181
 * profile; rules_capture.c: the input itself;
 * rules_tls.c: TLS not decrypted), diag_run() that runs every rule after
 * model_finish(), diag_list_rules() for --list-rules, the threshold
 * overrides (--rule-opt NAME=VALUE), struct diag_ctx (one run: the facts
 * every rule asks, each family's own state behind an opaque pointer,
 * released by diag_ctx_release()) and the helpers the rule files share.
 * Rules read SIP through the record's fields (sip_msg.h), never its raw
 * text.
 *
 * A rule adds findings with diag_emit(): the severity is the rule's, the
 * message is one sentence with the concrete values (captured text escaped),
 * the fix a suggestion, the frames the evidence.  Adding a rule is a
 * function plus one line in its file's table plus its entry in
 * docs/rules.md - nothing else.  The conditions and thresholds are
 * defined there.
 */
#ifndef RT_DIAG_H
#define RT_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "anomaly.h"
#include "fnv.h"
#include "model.h"

struct cred_store;

/* One threshold of a rule.  Names are shared across rules on purpose: one
 * --rule-opt sets every rule that uses the name. */
struct diag_param {
	const char *name;       /* e.g. "auth-loop-min"; NULL ends a list */
	double def;             /* the catalog's default */
	const char *unit;       /* "s", "count", "bindings", ... */
	const char *help;
};

struct diag_ctx;
struct diag_rule;

typedef void (*diag_rule_fn)(struct diag_ctx *c, const struct diag_rule *r);

/* How diag_run() calls a rule.  DIAG_PER_AOR: the rule looks at one AOR at
 * a time (FOR_EACH_AOR walks only the AOR being diagnosed), so diag_run()
 * calls every such rule for one AOR before it moves to the next and the
 * AOR's objects are touched while they are in the cache.  DIAG_CAPTURE (the default): one call over the
 * whole capture. */
enum diag_scope { DIAG_CAPTURE = 0, DIAG_PER_AOR };

struct diag_rule {
	const char *id;                 /* "REG-AUTH-LOOP"; NULL ends a table */
	enum finding_sev sev;
	const char *title;
	const struct diag_param *params;/* NULL or ended by a NULL name */
	diag_rule_fn run;
	enum diag_scope scope;
	enum finding_kind kind;         /* cause, pattern (default) or outcome:
					   which finding leads (finding_rank_cmp) */
	bool episodes;                  /* per AOR: one finding per episode, each
					   told by diag_episode() (the others: at
					   most one per AOR).  Tells views of a
					   finding kept before the memory bound shed
					   its evidence from other findings (diag.c,
					   same_subject) */
};

/* A threshold set on the command line. */
struct diag_setting {
	char *name;
	double value;
};

/* TLS connections the dissectors could not decrypt (main.c fills it after
 * the capture is read); the strings are main.c's, valid during diag_run(). */
struct diag_tls {
	uint64_t connections, undecryptable; /* those that can carry SIP */
	uint64_t https;                 /* undecrypted ones left out as HTTPS (docs/rules.md) */
	bool keylog_given;              /* --tls-keylog was given */
	const char *servers;            /* "127.0.0.1:40000 -> 127.0.0.1:5061, ..." */
	const char *reason;             /* the first connection's reason */
};

struct diag_opts {
	const struct cred_store *creds; /* --credentials; NULL: no digest checks */
	struct diag_tls tls;
	struct diag_setting *set;       /* --rule-opt overrides (owned) */
	size_t nset;
	bool gb28181;                   /* --profile gb28181 (rules_gb.c also detects it) */
	const struct dis_anomalies *anomalies; /* the dissectors' (anomaly.h); NULL: none */
};

/* Runs every rule over a finished model; findings go to model_add_finding().
 * Findings kept before their evidence was shed (diag_keep_shed) join them
 * where the rules did not find them again over what is left. */
void diag_run(struct model *m, const struct diag_opts *o);

/* model_shed()'s keep callback: the rules run, as at a checkpoint, over the
 * AORs about to lose detail and over the capture, and what they find is
 * kept (a->kept, m->kept; one per rule, AOR and first frame, the latest
 * view) for diag_run(). */
void diag_keep_shed(struct model *m, const struct diag_opts *o, struct aor_hist **aors, size_t n);

/* ---------------------------------------------------------------- as it happens */

/* Findings while the capture is read (diag_live.c).  An AOR is evaluated
 * again when one of its attempts or REGISTER transactions ends (Timer F
 * included) or a grant of it runs out: at a checkpoint, its per-AOR rules
 * run on the model as it is then, as if the capture ended at that moment
 * (m->now_ns), provided none of its attempts is still open.  The result
 * replaces the AOR's provisional findings (a->findings, a->cause: what the
 * live TUI shows); each finding not reported before, or changed, goes to
 * the callback at once.  At the end diag_live_end() drops the provisional
 * findings, diag_run() evaluates everything as a batch (the truth), and
 * diag_live_reconcile() reports the provisional findings the batch did not
 * confirm (withdrawn).  The facts shared across AORs (the REGISTERs, the
 * messages by address and CSeq, the capture point) cover a sliding window
 * of the last 2 x Timer F; the capture-wide rules (scanner, banned, ...)
 * run over that window at most every 5 s of capture time in a live
 * capture (reading a file, at the end only), and their
 * findings are reported, not kept on the AORs.  REGTRACE_DIAG=batch
 * (main.c) turns all this off and REGTRACE_DIAG=every evaluates before
 * every message over everything: the test aids that show the findings at
 * the end are the same. */
struct diag_live;
enum diag_live_ev {
	DIAG_LIVE_NEW,                  /* a finding not reported before (or changed) */
	DIAG_LIVE_WITHDRAWN,            /* reported, and the end-of-run evaluation has no such finding */
};
/* f is valid during the call only. */
typedef void (*diag_live_fn)(void *user, const struct finding *f, enum diag_live_ev ev);

struct diag_live *diag_live_new(const struct diag_opts *o, diag_live_fn fn, void *user);
/* The AOR changed (an attempt or a transaction of it ended). */
void diag_live_touch(struct diag_live *l, const struct aor_hist *a);
/* A checkpoint is due before a message of time next_ts goes to the model:
 * reading a file, when it is 1 s after the last checkpoint and the model
 * has half as many messages again (so all evaluations together cost about
 * two of the window; never the wall clock, so a file gives the same lines).  Before the message, because the one that moves
 * time on is typically the first of an AOR's next attempt, which would
 * keep that AOR open.  Live, every half second of wall clock unless the
 * last evaluation took more than a tenth of that. */
bool diag_live_due(struct diag_live *l, const struct model *m, int64_t next_ts, bool live);
void diag_live_eval(struct diag_live *l, struct model *m);
/* Test aid (REGTRACE_DIAG=every): a checkpoint before every message, so
 * even a capture of a few milliseconds is evaluated as it goes. */
void diag_live_every(struct diag_live *l);
/* The provisional findings stay on their AORs (a->findings, a->cause) for
 * a screen to show; without it they are reported and freed. */
void diag_live_keep(struct diag_live *l);
/* Before diag_run(): provisional findings off the AORs. */
void diag_live_end(struct diag_live *l, struct model *m);
/* After diag_run(): DIAG_LIVE_WITHDRAWN for what it did not confirm. */
void diag_live_reconcile(struct diag_live *l, struct model *m);
/* f (of the end-of-run evaluation) was already reported, identical. */
bool diag_live_reported(const struct diag_live *l, const struct finding *f);
struct diag_live_stats {
	uint64_t evals, evaluated;      /* checkpoints, AOR evaluations */
	uint64_t reported, changed, confirmed, withdrawn;
};
void diag_live_get_stats(const struct diag_live *l, struct diag_live_stats *st);
void diag_live_free(struct diag_live *l);

/* --list-rules: one line per rule: id, severity, title, thresholds. */
void diag_list_rules(FILE *f);

/* --rule-opt NAME=VALUE: 0, or -1 with a message in err (unknown name,
 * not a number, negative). */
int diag_opts_set(struct diag_opts *o, const char *name_eq_value, char *err, size_t errlen);
void diag_opts_free(struct diag_opts *o);

/* Every rule, in run order (tests and docs checks); *n gets the count. */
const struct diag_rule *diag_rule_at(size_t i);
size_t diag_rule_count(void);
const struct diag_rule *diag_rule_find(const char *id);

/* ---------------------------------------------------------------- for rules_*.c */

/* Rule tables, each ended by an entry with id NULL. */
extern const struct diag_rule diag_rules_auth[];
extern const struct diag_rule diag_rules_resp[];
extern const struct diag_rule diag_rules_time[];   /* rules_time.c: expiry, refresh, bindings */
extern const struct diag_rule diag_rules_nat[];    /* rules_nat.c: NAT, capture point, scanners */
extern const struct diag_rule diag_rules_gb[];     /* rules_gb.c: the GB/T 28181 profile */
extern const struct diag_rule diag_rules_capture[]; /* rules_capture.c: the input itself */
extern const struct diag_rule diag_rules_tls[];    /* rules_tls.c */

/* State private to one rule family, made on its first use in a run and
 * freed by diag_ctx_release(); opaque here, defined in the family's file. */
struct diag_cp_state;           /* capture_point.c */
struct diag_gb_state;           /* rules_gb.c */
struct diag_nat_state;          /* rules_nat.c */
struct diag_resp_state;         /* rules_resp.c */

struct diag_ctx {
	struct model *m;
	const struct diag_opts *o;
	const struct diag_rule *rule;   /* the rule running */
	size_t rule_ix;                 /* its index (diag_rule_at) */
	size_t aor_lo, aor_hi;          /* the AORs FOR_EACH_AOR walks: one for a
					   DIAG_PER_AOR rule, all for a capture-wide one */
	struct ptr_vec *out;            /* findings per rule, added to the model in
					   rule order at the end (the order findings
					   always had: rule by rule, AORs in order) */
	/* facts computed once per run (diag_run), not once per rule */
	struct txn **regs;              /* REGISTER transactions with a request, m->txns order */
	size_t nregs;
	bool any_register;              /* a REGISTER transaction, request seen or not */
	struct txn **tmo_others;        /* other requests that timed out, m->txns order */
	size_t ntmo_others;
	/* the families' own state, NULL until the family first asks */
	struct diag_cp_state *cp;       /* capture point, Contact keys of the AOR */
	struct diag_gb_state *gb;       /* GB/T 28181 switch, keepalives by device */
	struct diag_nat_state *nat;     /* messages by address, first NAT transaction */
	struct diag_resp_state *resp;   /* responses by CSeq */
	bool provisional;               /* diag_live.c: findings stay on the heap */
	struct finding *last;           /* what diag_emit() added last (diag_weigh) */
	size_t msg_lo, txn_lo;          /* m->msgs and m->txns from here on (diag_ctx_new_since) */
	char esc[8][256];               /* diag_esc() ring */
	unsigned esc_i;
};

/* Frees what the run computed: the shared facts (regs, tmo_others) and
 * every family's state, each pointer set to NULL; c itself stays. */
void diag_ctx_release(struct diag_ctx *c);

/* Each family's free, for diag_ctx_release() only (NULL is ignored). */
void diag_cp_free(struct diag_cp_state *s);
void diag_gb_free(struct diag_gb_state *s);
void diag_nat_free(struct diag_nat_state *s);
void diag_resp_free(struct diag_resp_state *s);

/* One evaluation: the shared facts of the model as it is now (diag_prepare),
 * the per-rule finding lists; diag_ctx_free() frees what the rule families
 * built lazily too (diag_ctx_release()).  diag_ctx_run_aor() runs every DIAG_PER_AOR rule for
 * m->aors.v[ai]; its findings wait in c->out[rule index]. */
struct diag_ctx *diag_ctx_new(struct model *m, const struct diag_opts *o);
/* The same over a window (diag_live.c): the shared facts and the families'
 * indexes of messages cover only what came at or after since_ns (the
 * AORs' own histories stay whole), so an evaluation costs what the window
 * holds, not the whole capture. */
struct diag_ctx *diag_ctx_new_since(struct model *m, const struct diag_opts *o, int64_t since_ns);
#define DIAG_WINDOW_MAX 65536   /* messages in such a window at most (transactions: half) */
void diag_ctx_free(struct diag_ctx *c);
void diag_ctx_run_aor(struct diag_ctx *c, size_t ai);
/* Every capture-wide rule (DIAG_CAPTURE) over all AORs. */
void diag_ctx_run_capture(struct diag_ctx *c);
/* a->cause: the finding of a->findings that ranks first (finding_rank_cmp). */
void diag_rank_cause(struct aor_hist *a);
/* Frees a finding not (yet) given to the model: message, fix, frames. */
void diag_finding_drop(struct finding *f);

/* Every AOR a rule looks at (see enum diag_scope). */
#define FOR_EACH_AOR(c, a) \
	for (size_t ai_ = (c)->aor_lo; ai_ < (c)->aor_hi; ai_++) \
		for (struct aor_hist *a = (c)->m->aors.v[ai_]; a; a = NULL)

/* A threshold of the running rule: the --rule-opt value, else its default. */
double diag_param(const struct diag_ctx *c, const char *name);

/* Evidence frames, kept sorted and unique. */
struct diag_frames {
	uint64_t *v;
	size_t n, cap;
};
#define DIAG_MAX_FRAMES 64   /* evidence, not a dump: the first 64 frames */
void diag_frames_add(struct diag_frames *f, uint64_t frame);
void diag_frames_msg(struct diag_frames *f, const struct sip_msg *m);
/* The first request copy and the first final response. */
void diag_frames_txn(struct diag_frames *f, const struct txn *t);
void diag_frames_free(struct diag_frames *f);

/* Adds a finding of the running rule (its id and severity) for aor (NULL:
 * capture-wide).  Takes the frames (f is emptied); fix may be NULL. */
void diag_emit(struct diag_ctx *c, struct aor_hist *aor, struct diag_frames *f,
	       const char *fix, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* For a rule that reports its worst case once per AOR, or episodes: how
 * bad, or how complete (> 0), the finding diag_emit() just added is.  Of
 * two views of it (one kept before the memory bound shed its evidence,
 * one found later) the heavier is shown, the earlier on a tie, as the
 * batch over everything would pick; unweighed, the later view is shown. */
void diag_weigh(struct diag_ctx *c, uint32_t weight);
/* For a rule with episodes: which one the finding diag_emit() just added
 * is about (REG-EXPIRED-GAP: when the lapse began), non-zero. */
void diag_episode(struct diag_ctx *c, int64_t episode);

/* Captured text escaped for a message (control bytes as \xHH, NULL as "-",
 * long values cut); the buffer is one of 8 in a ring: valid for the next
 * 7 calls. */
const char *diag_esc(struct diag_ctx *c, const char *s);

/* A threshold in seconds as capture-time nanoseconds. */
static inline int64_t diag_ns(double s)
{
	return (int64_t)(s * 1e9);
}

/* Seconds between two capture times, for messages. */
double diag_secs(int64_t a_ns, int64_t b_ns);

bool diag_is_challenge(int code);
bool diag_is_register(const struct txn *t);
/* The transaction's request has credentials (Authorization or Proxy-). */
bool diag_has_creds(const struct txn *t);
/* The final response has stale=true on a challenge. */
bool diag_final_stale(const struct txn *t);
/* Effective requested expiry of contact i (param, else header); -1 none. */
long diag_contact_expires(const struct sip_msg *req, int i);

/* Same top-Via sent-by (one UA flow, not a proxy's forwarded copy). */
bool diag_same_flow(const struct txn *a, const struct txn *b);
/* The previous / next REGISTER transaction of the same UA flow: same
 * session (AOR, Call-ID) and same top-Via sent-by (so a proxy's forwarded
 * copy in the same capture is another flow).  NULL when none. */
struct txn *diag_flow_prev(const struct reg_session *s, size_t i);
struct txn *diag_flow_next(const struct reg_session *s, size_t i);
size_t diag_flow_next_index(const struct reg_session *s, size_t i);

/* Credentials of t's request answering challenge ch: same nonce (when both
 * have one).  Prefers the header type that matches ch.  NULL when none. */
const struct sip_cred *diag_cred_for(const struct txn *t, const struct sip_chal *ch);
/* First credential of the request (NULL without). */
const struct sip_cred *diag_first_cred(const struct txn *t);
/* First challenge of the final response (NULL without). */
const struct sip_chal *diag_first_chal(const struct txn *t);

/* Groups items 0..n-1 by a key in one hashed pass (no sort): gid[i] gets
 * the group of item i, groups numbered from 0 in the order of their first
 * item.  Returns the number of groups, (size_t)-1 when out of memory. */
size_t diag_group(size_t n, size_t *gid, uint64_t (*hash)(const void *u, size_t i),
		  bool (*eq)(const void *u, size_t i, size_t j), const void *u);
/* FNV-1a (fnv.h) over bytes, continuing from h (start with DIAG_HASH_INIT). */
#define DIAG_HASH_INIT RT_FNV64_INIT
uint64_t diag_hash_bytes(uint64_t h, const void *p, size_t n);
/* An address's IP as rt_ip_eq() compares it: family and 4 or 16 bytes. */
uint64_t diag_hash_ip(uint64_t h, const struct rt_addr *a);
/* The IP and the port, as rt_addr_eq() compares them. */
uint64_t diag_hash_addr(uint64_t h, const struct rt_addr *a);
/* Spreads the bits of x over all 64 (for keys such as pointers, whose low
 * bits are alike): the first half of MurmurHash3's fmix64. */
uint64_t diag_hash_mix(uint64_t x);

/* Case-insensitive search (captured text; both may be NULL). */
bool diag_contains_ci(const char *hay, const char *needle);

#endif
