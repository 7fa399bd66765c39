/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dialog.c - every message grouped by Call-ID, for every method.
 *
 * Owns: struct dialog creation and membership.  A "dialog" here is the
 * Call-ID group a flow viewer shows (sngrep's call), not an RFC 3261 dialog
 * with tags: REGISTER, OPTIONS and MESSAGE have no dialog in the RFC sense
 * but a support engineer still wants to see their flow.
 */
#include <stdlib.h>
#include <string.h>

#include "model_int.h"

struct dialog *dialog_on_msg(struct model *m, struct sip_msg *msg)
{
	if (!msg->call_id || !msg->call_id[0])
		return NULL;
	struct dialog *d = mdl_map_get(&m->priv->dialog_by_cid, msg->call_id);
	if (!d) {
		d = mdl_alloc(m, sizeof *d);
		mdl_vec_push(m, &m->dialogs, d);
		d->id = ++m->dialog_ids;
		d->call_id = mdl_strdup_m(m, msg->call_id);
		d->t_first = d->t_last = msg->ts_ns;
		d->from_uri = msg->from_uri;
		d->to_uri = msg->to_uri;
		mdl_map_put(m, &m->priv->dialog_by_cid, d->call_id, d);
	}
	mdl_vec_push(m, &d->msgs, msg);
	if (msg->ts_ns < d->t_first)
		d->t_first = msg->ts_ns;
	if (msg->ts_ns > d->t_last)
		d->t_last = msg->ts_ns;
	if (!d->first_method && msg->request)
		d->first_method = msg->method;
	return d;
}

void dialog_add_txn(struct model *m, struct dialog *d, struct txn *t)
{
	if (d)
		mdl_vec_push(m, &d->txns, t);
}

void dialog_free(struct model *m, struct dialog *d)
{
	if (!d)
		return;
	mdl_free(m, d->call_id);
	if (d->own_strs & 1)
		free((char *)d->from_uri);
	if (d->own_strs & 2)
		free((char *)d->to_uri);
	if (d->own_strs & 4)
		free((char *)d->first_method);
	ptr_vec_free(&d->msgs);
	ptr_vec_free(&d->txns);
	mdl_free(m, d);
}
