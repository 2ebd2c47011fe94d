/*
 * The list of a table's rows, made from the schema's declarations: the first three columns a
 * person reads, newest first (this node's rows before the others'), LIST_PAGE rows to a page
 * with links to the pages before and after, and a search over the table's text columns.
 *
 * A search is a POST with the form token (/t/<table>/search), never a query string: what
 * people search for is most often a name, and a name kept out of the URL stays out of the
 * browser's history, the server's log and any Referer. Its result's pages are buttons that
 * post the search again. The plain list's pages are links (?page=N) that the cache keeps like
 * any page (app/cache.c: the key holds the query). The statements are prepared once per table
 * and database handle (hearth_db_stmt). A page is read in two parts, this node's rows and then
 * the others', each by id descending: this node's part walks the primary key (owner, id), so a
 * page of a centre's 10,000 children reads its 50 rows where one ORDER BY over both sorted the
 * whole table; the others' part (owner <> ?) still sorts what it reads, which at the office is
 * nearly every row (ordering it by owner first would use the key but change the order).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "pages_int.h"

#define LIST_PAGE 50
#define LIST_PAGE_MAX 1000000L /* a larger ?page= is the first page */

typedef struct {
	const app_req *r;
	const hearth_table_decl *t;
	const char *q;   /* the search text, NULL: the whole list */
	hearth_buf like; /* q as a LIKE pattern, % and _ and \ escaped */
	long page, pages;
	long long total, own; /* rows, and of them this node's own */
} list_ctx;

int pages_value(hearth_buf *b, const app_req *r, const hearth_column_decl *c, const char *v)
{
	if (!v)
		return 0;
	switch (c->kind) {
	case HEARTH_KIND_CHOICE:
		return pages_esc(b, hearth_choice_label(c, v));
	case HEARTH_KIND_FLAG:
		return hearth_buf_puts(b, strcmp(v, "1") == 0 ? _("yes") : _("no"));
	case HEARTH_KIND_REFERENCE:
		return c->ref_table ? pages_ref_name(b, r, c->ref_table, v) : pages_esc(b, v);
	case HEARTH_KIND_TIMESTAMP:
		if (strlen(v) >= 16 && v[10] == 'T')
			return hearth_buf_printf(b, "%.10s %.5s", v, v + 11);
		return pages_esc(b, v);
	default:
		return pages_esc(b, v);
	}
}

/* The columns a list shows: the first three a person reads (owner and id aside). */
static int list_cols(const hearth_table_decl *t, int *cols)
{
	int i, n = 0;

	for (i = 0; i < t->ncol && n < 3; i++)
		if (i != t->owner_col && i != t->id_col)
			cols[n++] = i;
	return n;
}

/* A column a search looks in: declared text (names, titles, addresses), owner and id aside. */
static int searched(const hearth_table_decl *t, int col)
{
	return col != t->owner_col && col != t->id_col && t->cols[col].kind == HEARTH_KIND_TEXT;
}

static int searchable(const hearth_table_decl *t)
{
	int i;

	for (i = 0; i < t->ncol; i++)
		if (searched(t, i))
			return 1;
	return 0;
}

/* "SELECT `what` FROM t", for a search with its WHERE over the text columns (?1 the pattern),
 * then `own` as a condition of its own (NULL: none). */
static int list_sql(hearth_buf *sql, const list_ctx *l, const char *what, const char *own)
{
	int rc = hearth_buf_printf(sql, "SELECT %s FROM \"%s\"", what, l->t->name), i, n = 0;

	for (i = 0; rc == 0 && l->q && i < l->t->ncol; i++)
		if (searched(l->t, i))
			rc = hearth_buf_printf(sql, "%s\"%s\" LIKE ?1 ESCAPE '\\'",
				n++ ? " OR " : " WHERE (", l->t->cols[i].name);
	if (rc == 0 && n > 0)
		rc = hearth_buf_puts(sql, ")");
	if (rc == 0 && own)
		rc = hearth_buf_printf(sql, " %s %s", n > 0 ? "AND" : "WHERE", own);
	return rc;
}

static int like_pattern(hearth_buf *p, const char *q)
{
	int rc = hearth_buf_puts(p, "%");

	for (; rc == 0 && *q; q++) {
		if (*q == '%' || *q == '_' || *q == '\\')
			rc = hearth_buf_puts(p, "\\");
		if (rc == 0)
			rc = hearth_buf_put(p, q, 1);
	}
	if (rc == 0)
		rc = hearth_buf_puts(p, "%");
	return rc;
}

/* How many rows the list (or the search) has, and so its pages; the page asked kept in them. */
static int list_count(list_ctx *l)
{
	hearth_buf sql = HEARTH_BUF_INIT;
	sqlite3_stmt *st = NULL;
	int rc = list_sql(&sql, l, "count(*), coalesce(sum(owner = ?2), 0)", NULL);

	if (rc == 0 && (rc = hearth_db_stmt(l->r->db, &st, sql.ptr)) == 0) {
		if (l->q)
			sqlite3_bind_text(st, 1, l->like.ptr, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, hearth_db_node(l->r->db), -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			l->total = sqlite3_column_int64(st, 0);
			l->own = sqlite3_column_int64(st, 1);
		} else
			rc = hearth_error_sqlite(hearth_db_sqlite(l->r->db), HEARTH_ERROR,
				_("cannot read the list"));
		hearth_stmt_done(st);
	}
	hearth_buf_dispose(&sql);
	l->pages = l->total > 0 ? (long)((l->total + LIST_PAGE - 1) / LIST_PAGE) : 1;
	if (l->page > l->pages)
		l->page = l->pages;
	return rc;
}

static int row_cells(hearth_buf *b, const list_ctx *l, sqlite3_stmt *st, const int *cols, int n)
{
	int rc = hearth_buf_puts(b, "<tr>"), i;

	for (i = 0; rc == 0 && i < n; i++) {
		const char *v = (const char *)sqlite3_column_text(st, cols[i]);
		rc = hearth_buf_puts(b, "<td>");
		if (rc == 0 && i == 0)
			rc = pages_view_link(b, l->t->name,
				(const char *)sqlite3_column_text(st, l->t->id_col));
		if (rc == 0)
			rc = pages_value(b, l->r, &l->t->cols[cols[i]], v);
		if (rc == 0 && i == 0 && !v)
			rc = hearth_buf_puts(b, _("(open)"));
		if (rc == 0 && i == 0)
			rc = hearth_buf_puts(b, "</a>");
		if (rc == 0)
			rc = hearth_buf_puts(b, "</td>");
	}
	if (rc == 0)
		rc = hearth_buf_puts(b, "</tr>");
	return rc;
}

/* Rows of this node's own (`own`) or of the others, newest first: `want` of them after the
 * first `skip`. Each part is in the primary key's order (owner, id) read backwards, so a page
 * of this node's rows costs its 50 rows, not a sort of the whole table. */
static int list_part(hearth_buf *b, const list_ctx *l, int own, long long skip, int want,
	int *rows)
{
	hearth_buf sql = HEARTH_BUF_INIT;
	sqlite3_stmt *st = NULL;
	int cols[3], n = list_cols(l->t, cols);
	int rc = list_sql(&sql, l, "*", own ? "owner = ?2" : "owner <> ?2");

	if (rc == 0)
		rc = hearth_buf_puts(&sql, " ORDER BY id DESC LIMIT ?3 OFFSET ?4");
	if (rc == 0 && (rc = hearth_db_stmt(l->r->db, &st, sql.ptr)) == 0) {
		if (l->q)
			sqlite3_bind_text(st, 1, l->like.ptr, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, hearth_db_node(l->r->db), -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, want);
		sqlite3_bind_int64(st, 4, (sqlite3_int64)skip);
		while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
			++*rows;
			rc = row_cells(b, l, st, cols, n);
		}
		hearth_stmt_done(st);
	}
	hearth_buf_dispose(&sql);
	return rc;
}

/* The page's rows as a table, this node's own first; *rows how many. */
static int list_table(hearth_buf *b, const list_ctx *l, int *rows)
{
	long long skip = (long long)(l->page - 1) * LIST_PAGE;
	int cols[3], n = list_cols(l->t, cols), i, rc = hearth_buf_puts(b, "<table><thead><tr>");

	for (i = 0; rc == 0 && i < n; i++) {
		rc = hearth_buf_puts(b, "<th scope=\"col\">");
		if (rc == 0)
			rc = pages_esc(b, pages_col_label(l->r, l->t, cols[i]));
		if (rc == 0)
			rc = hearth_buf_puts(b, "</th>");
	}
	if (rc == 0)
		rc = hearth_buf_puts(b, "</tr></thead><tbody>");
	if (rc == 0 && skip < l->own)
		rc = list_part(b, l, 1, skip, LIST_PAGE, rows);
	if (rc == 0 && *rows < LIST_PAGE && l->total > l->own)
		rc = list_part(b, l, 0, skip > l->own ? skip - l->own : 0, LIST_PAGE - *rows, rows);
	if (rc == 0)
		rc = hearth_buf_puts(b, "</tbody></table>");
	return rc;
}

/* A step to page `to`: a link for the list, a button that posts the search again for a
 * search. */
static int page_step(hearth_buf *b, const list_ctx *l, long to, const char *rel,
	const char *label)
{
	char page[24];
	int rc;

	if (!l->q)
		return hearth_buf_printf(b, "<a href=\"/t/%s?page=%ld\" rel=\"%s\">%s</a> ",
			l->t->name, to, rel, label);
	snprintf(page, sizeof(page), "%ld", to);
	rc = pages_form_post(b, l->r, l->t->name, "search", NULL);
	if (rc == 0)
		rc = pages_hidden(b, "q", l->q);
	if (rc == 0)
		rc = pages_hidden(b, "page", page);
	if (rc == 0)
		rc = hearth_buf_printf(b, "<button type=\"submit\" class=\"secondary\">%s</button>"
					  "</form> ",
			label);
	return rc;
}

/* "Page 2 of 7" between the steps before and after, when there is more than one page. */
static int pager(hearth_buf *b, const list_ctx *l)
{
	int rc;

	if (l->pages <= 1)
		return 0;
	rc = hearth_buf_printf(b, "<nav class=\"pager\" aria-label=\"%s\"><p>", _("Pages"));
	if (rc == 0 && l->page > 1)
		rc = page_step(b, l, l->page - 1, "prev", _("Previous page"));
	if (rc == 0)
		rc = hearth_buf_printf(b, _("Page %ld of %ld"), l->page, l->pages);
	if (rc == 0 && l->page < l->pages) {
		rc = hearth_buf_puts(b, " ");
		if (rc == 0)
			rc = page_step(b, l, l->page + 1, "next", _("Next page"));
	}
	if (rc == 0)
		rc = hearth_buf_puts(b, "</p></nav>");
	return rc;
}

/* The search box (the text searched for in it), and with a search how many it found. */
static int search_form(hearth_buf *b, const list_ctx *l)
{
	int rc;

	if (!searchable(l->t))
		return 0;
	rc = pages_form_post(b, l->r, l->t->name, "search", NULL);
	if (rc == 0)
		rc = hearth_buf_printf(b, "<label for=\"q\">%s</label><input id=\"q\" name=\"q\" "
					  "type=\"search\" value=\"",
			_("Search"));
	if (rc == 0)
		rc = pages_esc(b, l->q);
	if (rc == 0)
		rc = hearth_buf_printf(b, "\"><button type=\"submit\">%s</button></form>",
			_("Search"));
	if (rc == 0 && l->q)
		rc = hearth_buf_printf(b, "<p role=\"status\">%s %lld · <a href=\"/t/%s\">%s</a></p>",
			_("Found:"), l->total, l->t->name, _("Show the whole list"));
	return rc;
}

static long page_asked(const char *s)
{
	char *end;
	long p;

	if (!s)
		return 1;
	p = strtol(s, &end, 10);
	return end != s && *end == '\0' && p >= 1 && p <= LIST_PAGE_MAX ? p : 1;
}

static int list_body(hearth_buf *b, list_ctx *l)
{
	int rows = 0, rc = pages_open(b, l->r, pages_table_label(l->t->name));

	if (rc == 0 && l->r->role >= APP_ROLE_STAFF && strcmp(l->t->name, "node") != 0)
		rc = hearth_buf_printf(b, "<p><a class=\"button\" href=\"/t/%s/new\">%s</a></p>",
			l->t->name, _("Add"));
	if (rc == 0 && l->q)
		rc = like_pattern(&l->like, l->q);
	if (rc == 0)
		rc = list_count(l);
	if (rc == 0)
		rc = search_form(b, l);
	if (rc == 0)
		rc = list_table(b, l, &rows);
	if (rc == 0 && rows == 0)
		rc = hearth_buf_printf(b, "<p>%s</p>",
			l->q ? _("Nothing found.") : _("Nothing here yet."));
	if (rc == 0)
		rc = pager(b, l);
	if (rc == 0)
		rc = pages_close(b);
	return rc;
}

int pages_list(const app_req *r, app_resp *out, const hearth_table_decl *t)
{
	int post = strcmp(r->method, "POST") == 0, rc;
	list_ctx l;

	memset(&l, 0, sizeof(l));
	l.r = r;
	l.t = t;
	l.q = post ? app_form_get(r, "q") : NULL;
	if (l.q && (!*l.q || !searchable(t)))
		l.q = NULL;
	l.page = page_asked(post ? app_form_get(r, "page") : app_query_get(r, "page"));
	hearth_buf_init(&l.like, 0);
	out->status = 200;
	hearth_buf_clear(&out->body);
	rc = list_body(&out->body, &l);
	hearth_buf_dispose(&l.like);
	return rc < 0 ? -1 : 1;
}
