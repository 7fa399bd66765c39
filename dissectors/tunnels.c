/* tunnels.c - encapsulations (placeholder until GRE/GTP-U/HEP land). */
#include "dissect_int.h"

void ipx_print(struct dis_ctx *d, const struct l3info *l3, struct cur c)
{
	(void)d; (void)l3; (void)c;
}

bool udp_encap_print(struct dis_ctx *d, const struct l3info *l3, const struct rt_addr *src,
		     const struct rt_addr *dst, struct cur c)
{
	(void)d; (void)l3; (void)src; (void)dst; (void)c;
	return false;
}
