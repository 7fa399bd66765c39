/* ipfrag.c - IP fragment reassembly (placeholder: fragments are counted
 * and dropped until the reassembly table lands). */
#include "dissect_int.h"

void ipfrag_print(struct dis_ctx *d, const struct l3info *l3, uint32_t id,
		  uint16_t offset, bool more, struct cur c)
{
	(void)l3; (void)id; (void)offset; (void)more; (void)c;
	d->st.frag_dropped++;
}
