/*
 * The log format in git (docs/format.md): commit messages with trailers, and trees holding the
 * entries' changesets: format 2 (written) keeps all the entries of a commit in one blob of
 * length-prefixed records, format 1 (still read) one blob per entry. Everything read here comes
 * from the network: parsed defensively. The commits that carry them are written, read and
 * walked in commit.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync_int.h"
#include "core/i18n.h"

void sync_message_dispose(sync_message *m)
{
	free(m->entries);
	memset(m, 0, sizeof(*m));
}

static int parse_i64(int64_t *out, const char *s, size_t len)
{
	int64_t v = 0;
	size_t i;

	if (len == 0 || len > 18)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int bad(const char *what, int line)
{
	return hearth_error_set(HEARTH_ECORRUPT, _("commit message: %s (line %d)"), what, line);
}

static int add_entry(sync_message *m, int *cap, const char *v, size_t len, int line)
{
	const char *sp = memchr(v, ' ', len);
	char clock[HEARTH_CLOCK_HEX + 1];
	sync_entry_head *e;

	if (!sp || (size_t)(v + len - sp - 1) != HEARTH_CLOCK_HEX)
		return bad("malformed Hearth-Entry", line);
	if (m->nentries == *cap) {
		int ncap = *cap ? *cap * 2 : 16;
		sync_entry_head *n;
		if (ncap > 1000000)
			return bad("too many entries", line);
		if (!(n = realloc(m->entries, (size_t)ncap * sizeof(*n))))
			return hearth_error_set(HEARTH_ERROR, _("out of memory"));
		m->entries = n;
		*cap = ncap;
	}
	e = &m->entries[m->nentries];
	memcpy(clock, sp + 1, HEARTH_CLOCK_HEX);
	clock[HEARTH_CLOCK_HEX] = '\0';
	if (parse_i64(&e->seq, v, (size_t)(sp - v)) < 0 || e->seq < 1 ||
	    hearth_clock_parse(&e->clock, clock) < 0)
		return bad("malformed Hearth-Entry", line);
	if (m->nentries > 0 && e->seq <= m->entries[m->nentries - 1].seq)
		return bad("entries not in ascending order", line);
	m->nentries++;
	return 0;
}

static int field(const char *line, size_t len, const char *key, const char **v, size_t *vlen)
{
	size_t k = strlen(key);

	if (len < k + 2 || memcmp(line, key, k) != 0 || line[k] != ':' || line[k + 1] != ' ')
		return 0;
	*v = line + k + 2;
	*vlen = len - k - 2;
	return 1;
}

static int copy_id(char *dst, const char *v, size_t len, int line)
{
	if (len > HEARTH_ID_MAX)
		return bad("node id too long", line);
	memcpy(dst, v, len);
	dst[len] = '\0';
	if (!hearth_id_valid(dst))
		return bad("invalid node id", line);
	return 0;
}

/* "<count> <first> <last>" of Hearth-Entries (format 2) */
static int parse_entries(sync_message *m, const char *v, size_t len, int line)
{
	const char *sp1 = memchr(v, ' ', len), *sp2;
	int64_t count;

	if (!sp1 || !(sp2 = memchr(sp1 + 1, ' ', (size_t)(v + len - sp1 - 1))) ||
	    parse_i64(&count, v, (size_t)(sp1 - v)) < 0 ||
	    parse_i64(&m->first_seq, sp1 + 1, (size_t)(sp2 - sp1 - 1)) < 0 ||
	    parse_i64(&m->last_seq, sp2 + 1, (size_t)(v + len - sp2 - 1)) < 0)
		return bad("malformed Hearth-Entries", line);
	/* count seqs between first and last, both included */
	if (count < 1 || count > SYNC_COMMIT_ENTRIES || m->first_seq < 1 ||
	    m->last_seq < m->first_seq || count - 1 > m->last_seq - m->first_seq ||
	    (count == 1) != (m->first_seq == m->last_seq))
		return bad("impossible Hearth-Entries", line);
	m->count = (int)count;
	return 0;
}

/* The number on the first Hearth-Format line, or -1: a newer format is refused as such before
 * its other trailers are judged (a newer format may have trailers this build does not know). */
static int64_t first_format(const char *p, const char *end)
{
	static const char key[] = "Hearth-Format: ";
	int64_t num;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (l >= sizeof(key) - 1 && memcmp(p, key, sizeof(key) - 1) == 0)
			return parse_i64(&num, p + sizeof(key) - 1, l - (sizeof(key) - 1)) < 0 ? -1 : num;
		p = nl ? nl + 1 : end;
	}
	return -1;
}

/* What the trailers say about the entries, checked once the format is known. */
static int check_entries(sync_message *out, int seen_entries, int lineno)
{
	int i;

	if (out->format == 1 && seen_entries)
		return bad("Hearth-Entries in a format 1 commit", lineno);
	if (out->format >= 2 && out->nentries)
		return bad("Hearth-Entry in a format 2 commit (its entries are in the blob)", lineno);
	if (out->format == 1 && out->nentries) {
		out->count = out->nentries;
		out->first_seq = out->entries[0].seq;
		out->last_seq = out->entries[out->nentries - 1].seq;
	}
	if (!out->is_down && out->count == 0)
		return bad("up commit must list entries and no range or ack", lineno);
	if (!out->is_down && out->last_seq - out->first_seq != out->count - 1)
		return bad("up entries are not contiguous", lineno);
	if (out->is_snapshot) {
		/* a snapshot adds no log entries (empty range); its entries are parts 1..k */
		if (!out->is_down || out->range_from != out->range_to || out->count == 0)
			return bad("snapshot must be a down commit with an empty range", lineno);
		for (i = 0; i < out->nentries; i++)
			if (out->entries[i].seq != i + 1)
				return bad("snapshot parts must be numbered 1..k", lineno);
		if (out->first_seq != 1 || out->last_seq != out->count)
			return bad("snapshot parts must be numbered 1..k", lineno);
	} else if (out->is_down && out->count &&
		   (out->first_seq <= out->range_from || out->last_seq > out->range_to))
		return bad("down entries outside Hearth-Range", lineno);
	return 0;
}

int sync_message_parse(sync_message *out, const char *msg, size_t len)
{
	const char *p = msg, *end = msg + len;
	int lineno = 0, cap = 0, rc = 0, seen_format = 0, seen_node = 0, seen_dir = 0;
	int seen_schema = 0, seen_fp = 0, seen_range = 0, seen_ack = 0, seen_entries = 0;
	int64_t newer;

	memset(out, 0, sizeof(*out));
	if (memchr(msg, '\0', len))
		return bad("NUL byte", 0);
	if ((newer = first_format(msg, end)) > HEARTH_FORMAT_VERSION && newer <= 1000000)
		return hearth_error_set(HEARTH_ENEWER,
			_("commit uses log format %d, this hearth reads up to %d: upgrade hearth"),
			(int)newer, HEARTH_FORMAT_VERSION);
	while (rc == 0 && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *v;
		size_t vl;
		int64_t num = 0;

		lineno++;
		if (field(p, l, "Hearth-Format", &v, &vl)) {
			/* bounded like Hearth-Schema: 4294967297 must not read as format 1 */
			if (parse_i64(&num, v, vl) < 0 || num > 1000000)
				rc = bad("malformed Hearth-Format", lineno);
			out->format = (int)num;
			seen_format++;
		} else if (field(p, l, "Hearth-Direction", &v, &vl)) {
			if (vl == 2 && memcmp(v, "up", 2) == 0)
				out->is_down = 0;
			else if (vl == 4 && memcmp(v, "down", 4) == 0)
				out->is_down = 1;
			else
				rc = bad("unknown Hearth-Direction", lineno);
			seen_dir++;
		} else if (field(p, l, "Hearth-Node", &v, &vl)) {
			rc = copy_id(out->node, v, vl, lineno);
			seen_node++;
		} else if (field(p, l, "Hearth-Schema", &v, &vl)) {
			if (parse_i64(&num, v, vl) < 0 || num > 1000000)
				rc = bad("malformed Hearth-Schema", lineno);
			out->schema = (int)num;
			seen_schema++;
		} else if (field(p, l, "Hearth-Fingerprint", &v, &vl)) {
			hearth_clock fp;
			if (vl != HEARTH_CLOCK_HEX)
				rc = bad("malformed Hearth-Fingerprint", lineno);
			else {
				memcpy(out->fingerprint, v, vl);
				out->fingerprint[vl] = '\0';
				if (hearth_clock_parse(&fp, out->fingerprint) < 0)
					rc = bad("malformed Hearth-Fingerprint", lineno);
			}
			seen_fp++;
		} else if (field(p, l, "Hearth-Range", &v, &vl)) {
			const char *sp = memchr(v, ' ', vl);
			if (!sp || parse_i64(&out->range_from, v, (size_t)(sp - v)) < 0 ||
			    parse_i64(&out->range_to, sp + 1, (size_t)(v + vl - sp - 1)) < 0 ||
			    out->range_to < out->range_from)
				rc = bad("malformed Hearth-Range", lineno);
			seen_range++;
		} else if (field(p, l, "Hearth-Ack", &v, &vl)) {
			if (parse_i64(&out->ack, v, vl) < 0)
				rc = bad("malformed Hearth-Ack", lineno);
			seen_ack++;
		} else if (field(p, l, "Hearth-Snapshot", &v, &vl)) {
			if (vl != 1 || v[0] != '1' || out->is_snapshot)
				rc = bad("malformed Hearth-Snapshot", lineno);
			out->is_snapshot = 1;
		} else if (field(p, l, "Hearth-Entry", &v, &vl)) {
			rc = add_entry(out, &cap, v, vl, lineno);
		} else if (field(p, l, "Hearth-Entries", &v, &vl)) {
			rc = seen_entries++ ? bad("repeated Hearth-Entries", lineno)
					    : parse_entries(out, v, vl, lineno);
		} else if (l >= 7 && memcmp(p, "Hearth-", 7) == 0) {
			rc = bad("unknown trailer", lineno);
		} else if (lineno > 1 && !out->opens && field(p, l, "Opens-Packing", &v, &vl)) {
			/* an announcement, not a trailer: one that does not parse says nothing */
			if (parse_i64(&num, v, vl) == 0 && num <= 1000000)
				out->opens = (int)num;
		}
		p = nl ? nl + 1 : end;
	}
	if (rc == 0 && (seen_format != 1 || seen_dir != 1 || seen_node != 1 || seen_schema != 1 ||
			       seen_fp != 1))
		rc = bad("missing or repeated trailer", lineno);
	if (rc == 0 && out->format < 1)
		rc = bad("malformed Hearth-Format", lineno);
	if (rc == 0 && out->format > HEARTH_FORMAT_VERSION)
		rc = hearth_error_set(HEARTH_ENEWER,
			_("commit uses log format %d, this hearth reads up to %d: upgrade hearth"),
			out->format, HEARTH_FORMAT_VERSION);
	if (rc == 0 && out->is_down && (seen_range != 1 || seen_ack != 1))
		rc = bad("down commit without Hearth-Range and Hearth-Ack", lineno);
	if (rc == 0 && !out->is_down && (seen_range || seen_ack))
		rc = bad("up commit must list entries and no range or ack", lineno);
	if (rc == 0)
		rc = check_entries(out, seen_entries, lineno);
	if (rc < 0)
		sync_message_dispose(out);
	return rc;
}

int sync_message_format(hearth_buf *out, const char *subject, const sync_message *m)
{
	int i, rc;

	/* which packings the writer opens: its own paragraph before the trailers, not one of them
	 * (a line that does not begin with Hearth-: a reader that does not know it ignores it) */
	rc = hearth_buf_printf(out, "%s\n\n", subject);
	if (rc == 0 && m->opens > 0)
		rc = hearth_buf_printf(out, "Opens-Packing: %d\n\n", m->opens);
	if (rc == 0)
		rc = hearth_buf_printf(out,
			"Hearth-Format: %d\nHearth-Direction: %s\nHearth-Node: %s\n"
			"Hearth-Schema: %d\nHearth-Fingerprint: %s\n",
			m->format, m->is_down ? "down" : "up", m->node, m->schema, m->fingerprint);
	if (rc == 0 && m->is_down)
		rc = hearth_buf_printf(out, "Hearth-Range: %lld %lld\nHearth-Ack: %lld\n",
			(long long)m->range_from, (long long)m->range_to, (long long)m->ack);
	if (rc == 0 && m->is_snapshot)
		rc = hearth_buf_puts(out, "Hearth-Snapshot: 1\n");
	if (rc == 0 && m->format >= 2 && m->count > 0)
		rc = hearth_buf_printf(out, "Hearth-Entries: %d %lld %lld\n", m->count,
			(long long)m->first_seq, (long long)m->last_seq);
	for (i = 0; rc == 0 && m->format == 1 && i < m->nentries; i++) {
		char hex[HEARTH_CLOCK_HEX + 1];
		hearth_clock_format(hex, m->entries[i].clock);
		rc = hearth_buf_printf(out, "Hearth-Entry: %lld %s\n",
			(long long)m->entries[i].seq, hex);
	}
	return rc;
}

/* ---- format 2: the entries blob ----------------------------------------------------------- */

/* A varint at p[*pos..n), in its shortest form only (one encoding per value); -1 if not. */
static int varint_get(const unsigned char *p, size_t n, size_t *pos, uint64_t *out)
{
	unsigned char again[9];
	size_t start = *pos;

	if (hearth_varint_get(p, n, pos, out) < 0)
		return -1;
	return (size_t)hearth_varint_put(again, *out) == *pos - start ? 0 : -1;
}

/* Clocks are written as the difference from the previous entry's, zigzag-folded so that a
 * small step back (down entries come in office order, not clock order) stays small. */
static uint64_t zigzag(uint64_t d)
{
	return (d << 1) ^ (0 - (d >> 63));
}

static uint64_t unzigzag(uint64_t z)
{
	return (z >> 1) ^ (0 - (z & 1));
}

/* The header of entry `e` after `prev`: seq step, clock step, changeset length. */
static int record_head(unsigned char out[27], const sync_entry *e, const sync_entry_head *prev)
{
	int n = hearth_varint_put(out, (uint64_t)(e->head.seq - prev->seq));

	n += hearth_varint_put(out + n, zigzag(e->head.clock - prev->clock));
	return n + hearth_varint_put(out + n, (uint64_t)e->cs.size);
}

size_t sync_blob_record_size(const sync_entry *e, const sync_entry_head *prev)
{
	unsigned char head[27];

	return (size_t)record_head(head, e, prev) + e->cs.size;
}

int sync_blob_append(hearth_buf *blob, const sync_entry *e, sync_entry_head *prev)
{
	unsigned char head[27];
	int rc;

	if ((rc = hearth_buf_put(blob, head, (size_t)record_head(head, e, prev))) < 0 ||
	    (rc = hearth_buf_put(blob, e->cs.ptr, e->cs.size)) < 0)
		return rc;
	*prev = e->head;
	return 0;
}

static int bad_entry(int blob_no, int index, const char *what)
{
	return hearth_error_set(HEARTH_ECORRUPT, _("entries blob %d, entry %d: %s"), blob_no, index,
		what);
}

/* Room for one more entry in c->entries and c->msg.entries (zeroed). */
static int grow_entries(sync_commit *c, int *cap)
{
	int ncap = *cap ? *cap * 2 : 16;
	sync_entry *ne;
	sync_entry_head *nh;

	if (c->msg.nentries < *cap)
		return 0;
	if (ncap > c->msg.count)
		ncap = c->msg.count;
	if (!(ne = realloc(c->entries, (size_t)ncap * sizeof(*ne))))
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	c->entries = ne;
	if (!(nh = realloc(c->msg.entries, (size_t)ncap * sizeof(*nh))))
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	c->msg.entries = nh;
	memset(ne + *cap, 0, (size_t)(ncap - *cap) * sizeof(*ne));
	*cap = ncap;
	return 0;
}

int sync_blob_decode(sync_commit *c, int *cap, int blob_no, const void *blob, size_t n,
	sync_entry_head *prev)
{
	const unsigned char *p = blob;
	size_t pos = 0;
	int rc;

	if (n == 0)
		return bad_entry(blob_no, c->msg.nentries + 1, "the blob is empty");
	while (pos < n) {
		int index = c->msg.nentries + 1;
		uint64_t step, zclock, len;
		sync_entry *e;

		if (c->msg.nentries >= c->msg.count)
			return bad_entry(blob_no, index, "more entries than Hearth-Entries lists");
		if (varint_get(p, n, &pos, &step) < 0 || varint_get(p, n, &pos, &zclock) < 0 ||
		    varint_get(p, n, &pos, &len) < 0)
			return bad_entry(blob_no, index, "malformed header (truncated or not minimal)");
		/* seqs ascend up to the last one listed: the step is bounded, nothing overflows */
		if (step < 1 || step > (uint64_t)(c->msg.last_seq - prev->seq))
			return bad_entry(blob_no, index, "seq not ascending or beyond Hearth-Entries");
		if (len > SYNC_ENTRY_MAX)
			return hearth_error_set(HEARTH_ECORRUPT,
				_("entry %lld is larger than the limit of %u bytes"),
				(long long)(prev->seq + (int64_t)step), SYNC_ENTRY_MAX);
		if (len > n - pos)
			return bad_entry(blob_no, index, "length runs past the end of the blob");
		if ((rc = grow_entries(c, cap)) < 0)
			return rc;
		e = &c->entries[c->msg.nentries++];
		hearth_buf_init(&e->cs, SYNC_ENTRY_MAX);
		e->head.seq = prev->seq + (int64_t)step;
		e->head.clock = prev->clock + unzigzag(zclock);
		c->msg.entries[c->msg.nentries - 1] = e->head;
		*prev = e->head;
		if ((rc = hearth_buf_put(&e->cs, p + pos, (size_t)len)) < 0)
			return rc;
		pos += (size_t)len;
		if (!hearth_changeset_wellformed(e->cs.ptr, e->cs.size))
			return hearth_error_set(HEARTH_ECORRUPT,
				_("entry %lld: changeset does not parse (malformed bytes)"),
				(long long)e->head.seq);
	}
	return 0;
}

int sync_blob_finish(const sync_commit *c)
{
	const sync_message *m = &c->msg;

	if (m->nentries != m->count ||
	    (m->count && (m->entries[0].seq != m->first_seq ||
				 m->entries[m->nentries - 1].seq != m->last_seq)))
		return hearth_error_set(HEARTH_ECORRUPT,
			_("Hearth-Entries lists %d entries (%lld to %lld), the blobs hold %d%s"), m->count,
			(long long)m->first_seq, (long long)m->last_seq, m->nentries,
			m->nentries == m->count ? _(" with other seqs") : "");
	return 0;
}


/* ---- authors ------------------------------------------------------------------------------ */

/* An author's name as it may stand in a line: 1-64 bytes, no space, no control character. */
static int author_ok(const char *p, size_t n)
{
	size_t i;

	if (n == 0 || n > SYNC_AUTHOR_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] <= ' ' || (unsigned char)p[i] == 0x7f)
			return 0;
	return 1;
}

int sync_message_author(char out[SYNC_AUTHOR_MAX + 1], const char *msg, int64_t seq)
{
	static const char key[] = "Author: ";
	const char *p = msg, *end = msg + strlen(msg);

	out[0] = '\0';
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *v = p + sizeof(key) - 1, *sp1, *sp2, *e = p + l;
		int64_t first, last;

		p = nl ? nl + 1 : end;
		if (l < sizeof(key) - 1 || memcmp(v - (sizeof(key) - 1), key, sizeof(key) - 1) != 0 ||
		    !(sp1 = memchr(v, ' ', (size_t)(e - v))) ||
		    !(sp2 = memchr(sp1 + 1, ' ', (size_t)(e - sp1 - 1))) ||
		    parse_i64(&first, v, (size_t)(sp1 - v)) < 0 ||
		    parse_i64(&last, sp1 + 1, (size_t)(sp2 - sp1 - 1)) < 0 ||
		    !author_ok(sp2 + 1, (size_t)(e - sp2 - 1)))
			continue;
		if (first <= seq && seq <= last) {
			memcpy(out, sp2 + 1, (size_t)(e - sp2 - 1));
			out[e - sp2 - 1] = '\0';
			return 1;
		}
	}
	return 0;
}

int sync_message_author_line(hearth_buf *out, int64_t first, int64_t last, const char *author)
{
	/* an author that cannot stand in the line is left out, never mangled */
	if (!author_ok(author, strlen(author)))
		return 0;
	return hearth_buf_printf(out, "Author: %lld %lld %s\n", (long long)first, (long long)last,
		author);
}
