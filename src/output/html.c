/* SPDX-License-Identifier: GPL-2.0-or-later */
/* html.c - see html.h. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"
#include "html.h"
#include "ladder.h"
#include "select.h"

#define H(s) rt_fputs_html((s), f)
#define J(s) rt_fputs_js((s), f)

/* The script runs by nonce: markup that slipped into the page could not run. */
static void make_nonce(char out[33])
{
	unsigned char b[16] = { 0 };
	int fd = open("/dev/urandom", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, b, sizeof b) : -1;
	if (fd >= 0)
		close(fd);
	if (n != (ssize_t)sizeof b) {
		uint64_t x = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
		memcpy(b, &x, sizeof x);
	}
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static void utc(int64_t ns, char *buf, size_t n)
{
	time_t s = (time_t)(ns / 1000000000LL);
	struct tm tm;
	gmtime_r(&s, &tm);
	size_t l = strftime(buf, n, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf + l, n - l, ".%03d UTC", (int)((ns / 1000000) % 1000));
}

static long long rel_ms(int64_t ts, int64_t t0)
{
	return ts > t0 ? (long long)((ts - t0) / 1000000) : 0;
}

static const char CSS[] =
	"body{font:14px/1.4 sans-serif;margin:1em 2em;color:#222}"
	"h1{font-size:20px}h2{font-size:16px;margin-top:1.4em}"
	"table{border-collapse:collapse}td,th{padding:2px 8px;text-align:left;vertical-align:top}"
	"#regs>tbody>tr.r{cursor:pointer}#regs>tbody>tr.r:hover{background:#eef}"
	"#regs th{background:#ddd}.sum td{border-bottom:1px solid #eee}"
	".st-registered{color:#070}.st-failed,.st-timeout{color:#b00}.st-challenged,.st-unknown{color:#a60}"
	".CRIT,.ERR{color:#b00;font-weight:bold}.WARN{color:#a60;font-weight:bold}.INFO{color:#666}"
	".det{padding:6px 0 12px 12px;border-left:3px solid #99c}.fd{margin:4px 0}"
	".fd .fix{color:#444;margin-left:2em}.fr{margin-right:4px}"
	".omit{background:#ffd;padding:6px;border:1px solid #cc9}"
	"#ctl{margin:8px 0}#ctl input{width:24em}"
	"svg.ladder{font:12px monospace;display:block;margin:6px 0}"
	"svg .life{stroke:#999;stroke-dasharray:4 3}svg .tag{font-weight:bold}svg .name{fill:#555}"
	"svg .line{stroke:#333;stroke-width:1.5;fill:none}svg .head{fill:#333}"
	"svg .retx .line{stroke-dasharray:5 3}svg .err .label,svg .chal .label{fill:#b00}"
	"svg .ok .label{fill:#070}svg .time,svg .note{fill:#555}svg .hot{fill:transparent}"
	"svg .arrow{cursor:pointer}svg .arrow:hover .hot{fill:#eef}svg .arrow.sel .hot{fill:#ffc}"
	"svg .arrow.flash .hot{fill:#fcc}svg .sep line{stroke:#99c}"
	"svg.tl{display:block;margin:4px 0}svg.tl .bar{fill:#7c7}svg.tl .gap{fill:#f99}"
	"svg.tl .tick{stroke:#060}svg.tl .fail{fill:#c00}svg.tl .axis{stroke:#999}"
	"#panel{position:fixed;right:1em;bottom:1em;width:46%;max-height:60%;overflow:auto;"
	"background:#fff;border:2px solid #669;padding:6px;box-shadow:0 0 8px #999}"
	"#panel pre{white-space:pre-wrap;font-size:12px}#pager button{margin:0 4px}";

/* The page's script: the table from the JSON block (paged, searched,
 * filtered), details on a click (all at once for a small report). */
static const char JS[] =
	"'use strict';\n"
	"const D=JSON.parse(document.getElementById('data').textContent);\n"
	"const PAGE=100;let page=0,shown=D.aors;\n"
	"const $=(id)=>document.getElementById(id);\n"
	"function el(t,cls,txt){const e=document.createElement(t);if(cls)e.className=cls;"
	"if(txt!==undefined&&txt!==null)e.textContent=String(txt);return e;}\n"
	"const NS='http://www.w3.org/2000/svg';\n"
	"function sv(t,a){const e=document.createElementNS(NS,t);for(const k in a)e.setAttribute(k,a[k]);return e;}\n"
	"function ttl(e,s){const t=sv('title',{});t.textContent=s;e.appendChild(t);return e;}\n"
	"function fmt(ms){return new Date(D.t0*1000+ms).toISOString().replace('T',' ').replace('Z',' UTC')+' (+'+(ms/1000).toFixed(3)+' s)';}\n"
	"function timeline(r){const W=640,H=22,span=Math.max(D.span,1),x=(t)=>4+t/span*(W-8);\n"
	" const s=sv('svg',{class:'tl',width:W,height:H+14,viewBox:'0 0 '+W+' '+(H+14)});\n"
	" s.appendChild(sv('line',{class:'axis',x1:4,y1:H,x2:W-4,y2:H}));\n"
	" for(const b of r.t.b)s.appendChild(ttl(sv('rect',{class:'bar',x:x(b[0]),y:4,width:Math.max(x(b[1])-x(b[0]),2),height:H-8}),"
	"'registered '+fmt(b[0])+' .. '+fmt(b[1])));\n"
	" for(const g of r.t.g)s.appendChild(ttl(sv('rect',{class:'gap',x:x(g[0]),y:4,width:Math.max(x(g[1])-x(g[0]),2),height:H-8}),"
	"'binding lapsed '+fmt(g[0])+' .. '+fmt(g[1])));\n"
	" for(const t of r.t.r)s.appendChild(ttl(sv('line',{class:'tick',x1:x(t[0]),y1:1,x2:x(t[0]),y2:H+3}),"
	"(t[1]?'registered':'refresh')+' '+fmt(t[0])+' (200, expires '+t[2]+')'));\n"
	" for(const a of r.t.x)s.appendChild(ttl(sv('path',{class:'fail',d:'M'+x(a[0])+' '+(H+2)+' l-4 8 h8 z'}),"
	"'attempt '+a[2]+' '+fmt(a[0])+(a[1]?' ('+a[1]+')':'')));\n"
	" const tx=sv('text',{x:16,y:H+13,'font-size':10});tx.textContent='capture '+fmt(0)+' .. +'+(span/1000).toFixed(1)+' s';s.appendChild(tx);\n"
	" return s;}\n"
	"function detail(r){const d=el('div','det');\n"
	" const h=el('div');h.appendChild(el('b',null,r.a));h.appendChild(document.createTextNode('  User-Agent: '+(r.u||'-')+'  Call-ID: '+(r.k.join(', ')||'-')));d.appendChild(h);\n"
	" for(const f of r.f){const p=el('div','fd');p.appendChild(el('span',f.s,f.s+' '));p.appendChild(el('b',null,f.r+(f.c?' (cause)':'')+': '));\n"
	"  p.appendChild(el('span','msg',f.m));if(f.x>=0)p.appendChild(el('div','fix','fix: '+D.X[f.x]));\n"
	"  const fr=el('div','fix','frames: ');for(const q of f.fr){const a=el('a','fr',q[1]);a.href='#';a.dataset.t='d'+r.i+'-f'+q[0]+'-'+q[1];fr.appendChild(a);}\n"
	"  if(!f.fr.length)fr.appendChild(document.createTextNode('-'));p.appendChild(fr);d.appendChild(p);}\n"
	" d.appendChild(timeline(r));\n"
	" const t=$('d'+r.i);if(t){const x=el('div');x.innerHTML=t.textContent;d.appendChild(x);}\n"
	" else d.appendChild(el('p','omit','Ladder and raw messages not embedded for this registration (see the note at the top); '"
	"+'regtrace --html FILE --aor '+JSON.stringify(r.a)+' gives them.'));\n"
	" return d;}\n"
	"function toggle(tr,r){let n=tr.nextSibling;if(n&&n.classList.contains('dr')){n.hidden=!n.hidden;return;}\n"
	" const dr=el('tr','dr'),td=el('td');td.colSpan=8;td.appendChild(detail(r));dr.appendChild(td);tr.after(dr);}\n"
	"function cmsg(r){const c=r.f.find(f=>f.c);return c?c.m:'';}\n"
	"function row(r){const tr=el('tr','r');tr.dataset.i=r.i;\n"
	" for(const [v,c] of [[r.a],[r.s,'st-'+r.s],[r.c||'-'],[r.n],[r.u||'-'],[r.k[0]||'-'],[r.w?r.w[0]:'-',r.w?r.w[1]:null],[cmsg(r)]])tr.appendChild(el('td',c,v));\n"
	" tr.addEventListener('click',()=>toggle(tr,r));return tr;}\n"
	"function render(){const tb=$('tbody');tb.textContent='';const n=shown.length,pages=Math.max(1,Math.ceil(n/PAGE));\n"
	" if(page>=pages)page=pages-1;for(const r of shown.slice(page*PAGE,page*PAGE+PAGE)){const tr=row(r);tb.appendChild(tr);if(D.aors.length<=D.small)toggle(tr,r);}\n"
	" $('count').textContent=n+' of '+D.aors.length+' registrations'+(pages>1?', page '+(page+1)+' of '+pages:'');\n"
	" $('prev').disabled=page==0;$('next').disabled=page>=pages-1;}\n"
	"function filter(){const q=$('q').value.toLowerCase(),st=$('st').value;page=0;\n"
	" shown=D.aors.filter(r=>(!st||r.s==st)&&(!q||[r.a,r.u||'',r.k.join(' '),r.w?r.w[0]+' '+cmsg(r):''].join(' ').toLowerCase().includes(q)));render();}\n"
	"$('q').addEventListener('input',filter);$('st').addEventListener('change',filter);\n"
	"$('prev').addEventListener('click',()=>{page--;render();});$('next').addEventListener('click',()=>{page++;render();});\n"
	"$('close').addEventListener('click',()=>{$('panel').hidden=true;});\n"
	"document.addEventListener('click',(e)=>{const a=e.target.closest('a.fr');\n"
	" if(a){e.preventDefault();const g=document.getElementById(a.dataset.t);if(g){g.scrollIntoView({block:'center'});g.classList.add('flash');setTimeout(()=>g.classList.remove('flash'),1500);}return;}\n"
	" const g=e.target.closest('g.arrow');if(!g)return;\n"
	" for(const o of document.querySelectorAll('g.arrow.sel'))o.classList.remove('sel');g.classList.add('sel');\n"
	" const raw=g.closest('.det').querySelector('pre.raw[data-m=\"'+g.dataset.m+'\"]');\n"
	" $('ptitle').textContent=g.querySelector('title').textContent.replace(/ - click for the message$/,'');\n"
	" $('raw').textContent=raw?raw.textContent:'(raw text not embedded: regtrace --html FILE --aor AOR)';$('panel').hidden=false;});\n"
	"{const o=$('omitted');if(o)$('ctl').before(o);}\n"
	"render();\n";

/* Distinct strings, numbered in first-seen order (the fixes: most are one
 * sentence per rule, written once in the page's "X" table). */
struct strtab {
	const char **v;              /* by number */
	size_t n;
	size_t *slot;                /* hash slots: number + 1, 0 free */
	size_t cap;                  /* power of two */
};

static uint64_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static long strtab_ix(struct strtab *t, const char *s)
{
	if ((t->n + 1) * 2 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		size_t *slot = calloc(cap, sizeof *slot);
		const char **v = realloc(t->v, cap * sizeof *v);
		if (!slot || !v) {
			free(slot);
			if (v)
				t->v = v;
			return -1;
		}
		t->v = v;
		for (size_t i = 0; i < t->n; i++) {
			size_t h = (size_t)str_hash(v[i]) & (cap - 1);
			while (slot[h])
				h = (h + 1) & (cap - 1);
			slot[h] = i + 1;
		}
		free(t->slot);
		t->slot = slot;
		t->cap = cap;
	}
	size_t h = (size_t)str_hash(s) & (t->cap - 1);
	while (t->slot[h]) {
		if (!strcmp(t->v[t->slot[h] - 1], s))
			return (long)t->slot[h] - 1;
		h = (h + 1) & (t->cap - 1);
	}
	t->v[t->n] = s;
	t->slot[h] = ++t->n;
	return (long)t->n - 1;
}

static int sev_rank(const struct aor_hist *a)
{
	int s = -1;
	for (size_t i = 0; i < a->findings.n; i++) {
		const struct finding *fd = a->findings.v[i];
		if ((int)fd->sev > s)
			s = (int)fd->sev;
	}
	return s;
}

/* Registered intervals, refreshes and lapses from the bindings; failed
 * attempts from the attempts (times in ms after the capture's start). */
static void w_timeline(FILE *f, const struct aor_hist *a, int64_t t0, int64_t t_end)
{
	fputs(",\"t\":{\"b\":[", f);
	int nb = 0;
	for (size_t i = 0; i < a->bindings.n; i++) {
		const struct binding *b = a->bindings.v[i];
		int64_t open = -1;
		for (size_t k = 0; k < b->nev; k++) {
			const struct binding_event *e = &b->ev[k];
			if (e->kind == BEV_CREATED && open < 0)
				open = e->ts_ns;
			else if ((e->kind == BEV_REMOVED || e->kind == BEV_EXPIRED) && open >= 0) {
				fprintf(f, "%s[%lld,%lld]", nb++ ? "," : "", rel_ms(open, t0), rel_ms(e->ts_ns, t0));
				open = -1;
			}
		}
		if (open >= 0)
			fprintf(f, "%s[%lld,%lld]", nb++ ? "," : "", rel_ms(open, t0), rel_ms(t_end, t0));
	}
	fputs("],\"g\":[", f);
	int ng = 0;
	for (size_t i = 0; i < a->bindings.n; i++) {
		const struct binding *b = a->bindings.v[i];
		for (size_t k = 0; k < b->nev; k++) {
			if (b->ev[k].kind != BEV_EXPIRED)
				continue;
			int64_t until = t_end;
			for (size_t q = k + 1; q < b->nev; q++)
				if (b->ev[q].kind == BEV_CREATED) {
					until = b->ev[q].ts_ns;
					break;
				}
			fprintf(f, "%s[%lld,%lld]", ng++ ? "," : "", rel_ms(b->ev[k].ts_ns, t0), rel_ms(until, t0));
		}
	}
	fputs("],\"r\":[", f);
	int nr = 0;
	for (size_t i = 0; i < a->bindings.n; i++) {
		const struct binding *b = a->bindings.v[i];
		for (size_t k = 0; k < b->nev && nr < 2000; k++)
			if (b->ev[k].kind == BEV_CREATED || b->ev[k].kind == BEV_REFRESHED)
				fprintf(f, "%s[%lld,%d,%ld]", nr++ ? "," : "", rel_ms(b->ev[k].ts_ns, t0),
					b->ev[k].kind == BEV_CREATED, b->ev[k].expires);
	}
	fputs("],\"x\":[", f);
	int nx = 0;
	for (size_t i = 0; i < a->attempts.n && nx < 2000; i++) {
		const struct reg_attempt *at = a->attempts.v[i];
		if (at->result == ATT_OK)
			continue;
		fprintf(f, "%s[%lld,%d,", nx++ ? "," : "", rel_ms(at->t_start, t0), at->final_status);
		J(attempt_result_name(at->result));
		fputc(']', f);
	}
	fputs("]}", f);
}

static void w_record(FILE *f, const struct aor_hist *a, size_t idx, const struct json_capture *c,
		     struct strtab *st)
{
	fprintf(f, "{\"i\":%zu,\"a\":", idx);
	J(a->aor);
	fputs(",\"s\":", f);
	J(aor_state_name(a->state));
	fprintf(f, ",\"c\":%d,\"n\":%u,\"u\":", a->sum.last_status, a->sum.attempts);
	J(a->sum.user_agent);
	fputs(",\"k\":[", f);
	for (size_t i = 0; i < a->sessions.n && i < 8; i++) {
		fputs(i ? "," : "", f);
		J(((const struct reg_session *)a->sessions.v[i])->call_id);
	}
	fputs("],\"w\":", f);
	if (a->cause) {
		fputc('[', f);
		J(a->cause->rule);
		fputc(',', f);
		J(finding_sev_name(a->cause->sev));
		fputc(']', f);
	} else {
		fputs("null", f);
	}
	fputs(",\"f\":[", f);
	size_t n;
	const struct finding **v = finding_ranked(a, &n);
	for (size_t k = 0; k < n; k++) {
		const struct finding *fd = v[k];
		fputs(k ? ",{\"s\":" : "{\"s\":", f);
		J(finding_sev_name(fd->sev));
		fputs(",\"r\":", f);
		J(fd->rule);
		fputs(",\"m\":", f);
		J(fd->message);
		fprintf(f, ",\"x\":%ld", fd->fix ? strtab_ix(st, fd->fix) : -1L);
		fprintf(f, ",\"c\":%d,\"fr\":[", fd == a->cause);
		/* frames are per file; a finding's frames are its AOR's first
		 * file's unless told (the ladder ids carry the file) */
		uint32_t file = 0;
		if (a->txns.n && ((const struct txn *)a->txns.v[0])->req)
			file = ((const struct txn *)a->txns.v[0])->req->file;
		for (size_t q = 0; q < fd->nframes; q++)
			fprintf(f, "%s[%u,%llu]", q ? "," : "", file, (unsigned long long)fd->frames[q]);
		fputs("]}", f);
	}
	free(v);
	fputc(']', f);
	w_timeline(f, a, c ? c->first_ns : a->t_first, c && c->last_ns ? c->last_ns : a->t_last);
	fputc('}', f);
}

/* The ladder and the raw messages of one AOR as text the parser does not
 * build (a text/plain script block: one text node however big), turned
 * into markup only when the AOR is opened.  Our markup has no "</script"
 * and captured text is entity-escaped, so nothing ends the block early. */
static void w_detail(FILE *f, const struct model *m, const struct aor_hist *a, size_t idx)
{
	struct ladder *l = ladder_for_aor(m, a);
	if (!l)
		return;
	char prefix[32];
	snprintf(prefix, sizeof prefix, "d%zu", idx);
	fprintf(f, "<script type=\"text/plain\" id=\"d%zu\">", idx);
	ladder_svg(l, f, prefix);
	for (size_t i = 0; i < l->nrows; i++) {
		const struct sip_msg *msg = l->rows[i].msg;
		if (!msg)
			continue;
		fprintf(f, "<pre class=\"raw\" data-m=\"%llu\" hidden>", (unsigned long long)msg->id);
		rt_fputs_html_n(msg->raw, msg->raw ? msg->raw_len : 0, true, f);
		fputs("</pre>", f);
	}
	fputs("</script>\n", f);
	ladder_free(l);
}

static void w_summary(FILE *f, const struct model *m, const struct json_capture *c,
		      const struct rt_select *sel)
{
	char a[64], b[64];
	fputs("<h2>Capture</h2><table class=\"sum\">", f);
	for (size_t i = 0; c && i < c->nfiles; i++) {
		fputs("<tr><td>file</td><td>", f);
		H(c->files[i].name);
		fputs(c->files[i].truncated ? " (truncated: read up to the damage)" : "", f);
		fputs("</td></tr>", f);
	}
	if (c && c->first_ns) {
		utc(c->first_ns, a, sizeof a);
		utc(c->last_ns, b, sizeof b);
		fprintf(f, "<tr><td>time span</td><td>%s .. %s (%.3f s)</td></tr>", a, b,
			(double)(c->last_ns - c->first_ns) / 1e9);
	}
	if (c)
		fprintf(f, "<tr><td>packets</td><td>%llu</td></tr><tr><td>SIP messages</td><td>%llu "
			"(%llu malformed)</td></tr>", (unsigned long long)c->packets,
			(unsigned long long)c->sip_msgs, (unsigned long long)c->malformed);
	fprintf(f, "<tr><td>transactions</td><td>%llu (%llu timeout)</td></tr></table>",
		(unsigned long long)m->st.txns, (unsigned long long)m->st.txns_timeout);
	if (sel_active(sel)) {
		char d[512];
		sel_describe(sel, d, sizeof d);
		fputs("<p>Selection: ", f);
		H(d);
		fputs("</p>", f);
	}
	size_t ns[AOR_TIMEOUT + 1] = { 0 }, nsev[SEV_CRIT + 1] = { 0 };
	for (size_t i = 0; i < m->aors.n; i++)
		if (sel_aor(sel, m->aors.v[i]))
			ns[((const struct aor_hist *)m->aors.v[i])->state]++;
	fputs("<h2>Registrations by state</h2><table class=\"sum\" id=\"states\">", f);
	for (int s = 0; s <= AOR_TIMEOUT; s++)
		if (ns[s])
			fprintf(f, "<tr><td class=\"st-%s\">%s</td><td>%zu</td></tr>",
				aor_state_name((enum aor_state)s), aor_state_name((enum aor_state)s), ns[s]);
	fputs("</table><h2>Findings</h2><table class=\"sum\" id=\"rules\">", f);
	/* by rule, in table order, with its severity */
	size_t nr = 0;
	const char **rules = calloc(m->findings.n + 1, sizeof *rules);
	size_t *cnt = calloc(m->findings.n + 1, sizeof *cnt);
	enum finding_sev *sv = calloc(m->findings.n + 1, sizeof *sv);
	for (size_t i = 0; rules && cnt && sv && i < m->findings.n; i++) {
		const struct finding *fd = m->findings.v[i];
		if (!sel_finding(sel, fd))
			continue;
		nsev[fd->sev]++;
		size_t k = 0;
		while (k < nr && strcmp(rules[k], fd->rule))
			k++;
		if (k == nr) {
			rules[nr] = fd->rule;
			sv[nr++] = fd->sev;
		}
		cnt[k]++;
	}
	for (int s = SEV_CRIT; s >= SEV_INFO; s--)
		if (nsev[s])
			fprintf(f, "<tr><td class=\"%s\">%s</td><td>%zu</td><td></td></tr>",
				finding_sev_name((enum finding_sev)s), finding_sev_name((enum finding_sev)s), nsev[s]);
	for (size_t k = 0; k < nr; k++)
		fprintf(f, "<tr><td></td><td>%zu</td><td><span class=\"%s\">%s</span> %s</td></tr>", cnt[k],
			finding_sev_name(sv[k]), finding_sev_name(sv[k]), rules[k]);
	if (!nr)
		fputs("<tr><td>none</td></tr>", f);
	fputs("</table>", f);
	free(rules);
	free(cnt);
	free(sv);
	/* capture-wide findings, in words */
	bool head = false;
	for (size_t i = 0; i < m->findings.n; i++) {
		const struct finding *fd = m->findings.v[i];
		if (fd->aor || !sel_finding(sel, fd))
			continue;
		if (!head) {
			fputs("<h2>Capture-wide findings</h2>", f);
			head = true;
		}
		fprintf(f, "<div class=\"fd\"><span class=\"%s\">%s</span> <b>%s:</b> ",
			finding_sev_name(fd->sev), finding_sev_name(fd->sev), fd->rule);
		H(fd->message);
		if (fd->fix) {
			fputs("<div class=\"fix\">fix: ", f);
			H(fd->fix);
			fputs("</div>", f);
		}
		fputs("</div>", f);
	}
}

int html_write(FILE *f, const struct model *m, const struct json_capture *c, const struct rt_select *sel)
{
	char nonce[33];
	make_nonce(nonce);
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		"style-src 'unsafe-inline'; script-src 'nonce-%s'; img-src 'none'; connect-src 'none'\">\n"
		"<title>regtrace report", nonce);
	if (c && c->nfiles) {
		fputs(": ", f);
		H(c->files[0].name);
		if (c->nfiles > 1)
			fprintf(f, " and %zu more", c->nfiles - 1);
	} else if (c && c->interface) {
		fputs(": ", f);
		H(c->interface);
	}
	fprintf(f, "</title>\n<style>%s</style></head><body>\n<h1>regtrace report</h1>\n", CSS);
	w_summary(f, m, c, sel);

	size_t nsel = 0;
	for (size_t i = 0; i < m->aors.n; i++)
		nsel += sel_aor(sel, m->aors.v[i]);
	fputs("<h2>Registrations</h2>\n", f);
	fputs("<div id=\"ctl\"><input id=\"q\" type=\"search\" placeholder=\"search AOR, User-Agent, "
	      "Call-ID, finding\"> <select id=\"st\"><option value=\"\">every state</option>", f);
	for (int s = 0; s <= AOR_TIMEOUT; s++)
		fprintf(f, "<option>%s</option>", aor_state_name((enum aor_state)s));
	fputs("</select> <span id=\"pager\"><button id=\"prev\">&lt; previous</button><button id=\"next\">"
	      "next &gt;</button></span> <span id=\"count\"></span></div>\n"
	      "<table id=\"regs\"><thead><tr><th>AOR</th><th>state</th><th>code</th><th>attempts</th>"
	      "<th>User-Agent</th><th>Call-ID</th><th>WHY</th><th>cause</th></tr></thead>"
	      "<tbody id=\"tbody\"></tbody></table>\n"
	      "<div id=\"panel\" hidden><button id=\"close\">close</button> <b id=\"ptitle\"></b>"
	      "<pre id=\"raw\"></pre></div>\n", f);

	/* the table's data first: what is left of the size bound after it
	 * goes to the ladders and raw text */
	long start = ftell(f);
	struct strtab st = { 0 };
	fprintf(f, "<script type=\"application/json\" id=\"data\">{\"small\":%d,\"t0\":%.3f,\"span\":%lld,"
		"\"aors\":[\n", HTML_SMALL_AORS, c ? (double)c->first_ns / 1e9 : 0.0,
		c && c->last_ns > c->first_ns ? (long long)((c->last_ns - c->first_ns) / 1000000) : 0LL);
	size_t k = 0;
	for (size_t i = 0; i < m->aors.n; i++) {
		if (!sel_aor(sel, m->aors.v[i]))
			continue;
		if (k++)
			fputs(",\n", f);
		w_record(f, m->aors.v[i], i + 1, c, &st);
	}
	fputs("],\"X\":[", f);
	for (size_t i = 0; i < st.n; i++) {
		fputs(i ? "," : "", f);
		J(st.v[i]);
	}
	fputs("]}</script>\n", f);
	free(st.v);
	free(st.slot);
	long pos = ftell(f);
	uint64_t room = HTML_DETAIL_BUDGET;
	if (start >= 0 && pos >= start)
		room = (uint64_t)(pos - start) < HTML_SIZE_BOUND - (8u << 20) ?
			HTML_SIZE_BOUND - (8u << 20) - (uint64_t)(pos - start) : 0;
	if (room > HTML_DETAIL_BUDGET)
		room = HTML_DETAIL_BUDGET;

	/* ladders and raw text: every AOR of a small report; else those with
	 * a WARN or worse finding while they fit, CRIT/ERR ones first (pass 0) */
	bool small = nsel <= HTML_SMALL_AORS;
	size_t ndetail = 0, nquiet = 0, nover = 0;
	uint64_t used = 0;
	for (size_t i = 0; i < 2 * m->aors.n; i++) {
		const struct aor_hist *a = m->aors.v[i % m->aors.n];
		bool pass0 = i < m->aors.n;
		if (!sel_aor(sel, a))
			continue;
		int sev = sev_rank(a);
		if (!small && sev < SEV_WARN) {
			nquiet += pass0;
			continue;
		}
		if (small ? !pass0 : pass0 != (sev >= SEV_ERR))
			continue;   /* each AOR in its one pass */
		if (!small && used >= room) {
			nover++;
			continue;
		}
		long p0 = ftell(f);
		w_detail(f, m, a, i % m->aors.n + 1);
		long p1 = ftell(f);
		used += p0 >= 0 && p1 >= p0 ? (uint64_t)(p1 - p0) : 4096;
		ndetail++;
	}
	if (nquiet || nover) {
		/* written here, where it is known; the script puts it above the table */
		fprintf(f, "<p class=\"omit\" id=\"omitted\">This report has %zu registrations. Ladders and raw "
			"messages are embedded for %zu of them", nsel, ndetail);
		if (nover)
			fprintf(f, " (those with a WARN or worse finding, CRIT and ERR first, until the page "
				"reached its size bound of %llu MB: %zu more with such findings left out)",
				(unsigned long long)(HTML_SIZE_BOUND >> 20), nover);
		if (nquiet)
			fprintf(f, "; %zu without a WARN or worse finding show their findings and timeline only",
				nquiet);
		fputs(". For any registration, <code>regtrace -r FILE --html out.html --aor 'AOR'</code> "
		      "gives the whole of it.</p>\n", f);
	}
	fprintf(f, "<script nonce=\"%s\">\n%s</script>\n</body></html>\n", nonce, JS);
	return ferror(f) ? -1 : 0;
}
