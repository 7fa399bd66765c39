/* model_int.h - internals shared by model.c, txn.c, dialog.c and reg.c.
 *
 * Owns: the string-keyed hash map (mdl_map_*), struct model_priv (the
 * lookup tables and the timeout queue) and the calls between the model's
 * modules.  Not for use outside the model.
 */
#ifndef RT_MODEL_INT_H
#define RT_MODEL_INT_H

#include "model.h"

/* Open-addressing map from a NUL-terminated key to a pointer.  Grows at
 * half load, so it is sized to the data; keys are copied. */
struct mdl_map_ent {
	char *key;
	uint32_t h;
	void *val;
};
struct mdl_map {
	struct mdl_map_ent *e;
	size_t cap, n;
};

void *mdl_map_get(const struct mdl_map *mp, const char *key);
int mdl_map_put(struct mdl_map *mp, const char *key, void *val);
void mdl_map_free(struct mdl_map *mp);
uint32_t mdl_hash(const char *s);

struct model_priv {
	struct mdl_map txn_by_key;      /* transaction key -> latest struct txn */
	struct mdl_map dialog_by_cid;   /* Call-ID -> struct dialog */
	struct mdl_map aor_by_name;     /* canonical AOR -> struct aor_hist */
	struct mdl_map sess_by_key;     /* AOR "\x1f" Call-ID -> struct reg_session */
	struct mdl_map bind_by_key;     /* AOR id "\x1f" binding key -> struct binding */
	struct ptr_vec pending;         /* struct txn * waiting for Timer F, creation order */
	size_t pending_head;
};

/* model.c */
void model_txn_done(struct model *m, struct txn *t);      /* outcome settled: event */
void model_attempt_done(struct model *m, struct reg_attempt *a);
char *mdl_strdup(const char *s);
/* The n (<= 8) strings one after the other (NULL as "(null)", like the
 * printf it replaces), malloc'd: the
 * per-message keys, without printf's cost. */
char *mdl_concat(const char *const *parts, size_t n);
char *mdl_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *mdl_xcalloc(size_t n, size_t sz);

/* txn.c */
void txn_on_msg(struct model *m, struct sip_msg *msg, struct dialog *d);
void txn_sweep(struct model *m, int64_t now);             /* Timer F over capture time */
void txn_finish(struct model *m);
void txn_free(struct txn *t);
void txn_add_icmp(struct model *m, const struct icmp_evt *e);

/* dialog.c */
struct dialog *dialog_on_msg(struct model *m, struct sip_msg *msg);
void dialog_add_txn(struct dialog *d, struct txn *t);
void dialog_free(struct dialog *d);

/* reg.c: REGISTER transactions feed the registration histories */
void reg_on_new_txn(struct model *m, struct txn *t);
void reg_on_final(struct model *m, struct txn *t);
void reg_on_timeout(struct model *m, struct txn *t);
void reg_finish(struct model *m);
void reg_free_aor(struct aor_hist *a);

#endif
