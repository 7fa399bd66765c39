/* SPDX-License-Identifier: GPL-2.0-or-later */
/* model_int.h - internals shared by model.c, txn.c, dialog.c and reg.c.
 *
 * Owns: the string-keyed hash map (mdl_map_*), struct model_priv (the
 * lookup tables and the timeout queue) and the calls between the model's
 * modules.  Not for use outside the model.
 */
#ifndef RT_MODEL_INT_H
#define RT_MODEL_INT_H

#include "model.h"

/* Open-addressing map from a NUL-terminated key to an object.  Grows at
 * half load, so it is sized to the data.  An entry is the object and the
 * key's hash (16 bytes): the key itself is a string field of the object, at
 * key_off.  With own_keys, put stores a copy of the key there (mdl_strdup_m;
 * the object's free function frees it);
 * without, that field already is the key (a dialog's Call-ID, an AOR's
 * name). */
struct mdl_map_ent {
	void *val;                      /* NULL: empty slot */
	uint32_t h;
};
struct mdl_map {
	struct mdl_map_ent *e;
	size_t cap, n;
	size_t key_off;                 /* offsetof(object, its char *key field) */
	bool own_keys;
};

void *mdl_map_get(const struct mdl_map *mp, const char *key);
int mdl_map_put(struct model *m, struct mdl_map *mp, const char *key, void *val);
/* Removes the entry of hash h whose value is val, if there is one (the key
 * is not read, so it may already be gone with a shed record; it stays with
 * val). */
void mdl_map_del(struct mdl_map *mp, uint32_t h, const void *val);
void mdl_map_free(struct mdl_map *mp);
uint32_t mdl_hash(const char *s);

/* An interned text (model_intern): the map's own copy of the key. */
struct mdl_istr {
	char *s;
};

/* A transaction whose key leaves the transaction map once capture time
 * passes `deadline` (Timer J, see txn_sweep). */
struct mdl_expiry {
	struct txn *t;
	uint32_t h;                     /* hash of its key in txn_by_key */
	int64_t deadline;
};

struct model_priv {
	struct mdl_map txn_by_key;      /* transaction key -> latest struct txn */
	struct mdl_map dialog_by_cid;   /* Call-ID -> struct dialog */
	struct mdl_map aor_by_name;     /* canonical AOR -> struct aor_hist */
	struct mdl_map sess_by_key;     /* AOR "\x1f" Call-ID -> struct reg_session */
	struct mdl_map bind_by_key;     /* AOR id "\x1f" binding key -> struct binding */
	struct ptr_vec pending;         /* struct txn * waiting for Timer F, creation order */
	size_t pending_head;
	struct mdl_expiry *exp;         /* finished transactions still in txn_by_key, FIFO */
	size_t exp_n, exp_head, exp_cap;
	int64_t rewind_end;             /* latest time of the inputs before a rewind */
	struct mdl_map istr;            /* text -> struct mdl_istr (model_intern) */
	/* live objects, for model_fixed_bytes() */
	uint64_t nsessions, nattempts, nbindings;
};

/* model.c */
void model_txn_done(struct model *m, struct txn *t);      /* outcome settled: event */
void model_attempt_done(struct model *m, struct reg_attempt *a);
char *mdl_strdup(const char *s);
/* A finding and what it owns (message, fix, frames). */
void mdl_finding_free(struct model *m, struct finding *f);
/* The n (<= 8) strings one after the other (NULL as "(null)", like the
 * printf it replaces), malloc'd: the
 * per-message keys, without printf's cost. */
char *mdl_concat(const char *const *parts, size_t n);
char *mdl_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *mdl_xcalloc(size_t n, size_t sz);
/* The model's own objects, arrays and strings: calloc'd.  Never NULL
 * (out of memory aborts with a message). */
void *mdl_alloc(struct model *m, size_t n);
char *mdl_strdup_m(struct model *m, const char *s);
/* s (malloc'd, e.g. by mdl_concat) as a model string: s itself. */
char *mdl_adopt(struct model *m, char *s);
/* free() for what mdl_alloc & co. gave. */
void mdl_free(struct model *m, void *p);
/* ptr_vec_push for the model's vectors, starting at 2 (most hold one or two). */
void mdl_vec_push(struct model *m, struct ptr_vec *v, void *p);
/* Room for element n of an array of elements of size sz holding n, whose
 * capacity is the next power of two of n (1, 2, 4, ...): the array itself,
 * or a bigger copy (the old block released as by mdl_free). */
void *mdl_grow_pow2(struct model *m, void *arr, size_t n, size_t sz);

/* txn.c */
void txn_on_msg(struct model *m, struct sip_msg *msg, struct dialog *d);
void txn_sweep(struct model *m, int64_t now);             /* Timer F over capture time */
void txn_finish(struct model *m);
void txn_free(struct model *m, struct txn *t);
/* A timer queue let go of t (qrefs--): a shed transaction goes when none holds it. */
void txn_unref(struct model *m, struct txn *t);
void txn_free_zombies(struct model *m);
/* Shed transactions leave the timer queues at once, order kept: freed with
 * the pass, not held (~200k of them on the benchmark) until Timer J. */
void txn_queues_drop_shed(struct model *m);
void txn_add_icmp(struct model *m, const struct icmp_evt *e);

/* dialog.c */
struct dialog *dialog_on_msg(struct model *m, struct sip_msg *msg);
void dialog_add_txn(struct model *m, struct dialog *d, struct txn *t);
void dialog_free(struct model *m, struct dialog *d);

/* reg.c: REGISTER transactions feed the registration histories */
void reg_on_new_txn(struct model *m, struct txn *t);
void reg_on_final(struct model *m, struct txn *t);
void reg_on_timeout(struct model *m, struct txn *t);
void reg_finish(struct model *m);
void reg_free_aor(struct model *m, struct aor_hist *a);
/* t (a REGISTER of t->aor) is being shed: what the summary reads of it
 * goes into the AOR (shed_ua, shed_last_status, shed_contact). */
void reg_on_shed(struct model *m, struct txn *t);

#endif
