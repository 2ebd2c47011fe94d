/*
 * Open data: each public table as CSV (UTF-8), CSV with a byte-order mark (Excel opens it as
 * UTF-8), and JSON; public columns only (hearth_column), public rows only
 * (hearth_table.public_rows); plus the aggregates of private tables (vacancies per class,
 * requests solved per type and month). The tables are those listed on data.html.
 */
#include "site_int.h"
#include "core/i18n.h"

#include <string.h>

const char *const site_open_tables[] = { "region", "service_type", "node", "care_class",
	"care_offer", "partnership", "volunteer_team", "event", NULL };

typedef struct {
	hearth_buf *csv, *excel, *json;
	int rc;
} outputs;

static void put_all(outputs *o, const char *s)
{
	if (o->rc == 0)
		o->rc = hearth_buf_puts(o->csv, s);
	if (o->rc == 0)
		o->rc = hearth_buf_puts(o->excel, s);
}

static void csv_field(outputs *o, const char *s)
{
	hearth_buf f = HEARTH_BUF_INIT;

	if (o->rc == 0)
		o->rc = site_esc_csv(&f, s);
	put_all(o, f.ptr);
	hearth_buf_dispose(&f);
}

static int open_files(site_ctx *ctx, outputs *o, const char *name)
{
	o->csv = site_files_add(ctx->files, NULL, "data/%s.csv", name);
	o->excel = o->csv ? site_files_add(ctx->files, NULL, "data/%s-excel.csv", name) : NULL;
	o->json = o->excel ? site_files_add(ctx->files, NULL, "data/%s.json", name) : NULL;
	o->rc = o->json ? hearth_buf_puts(o->excel, "\xef\xbb\xbf") : HEARTH_ERROR;
	if (o->rc == 0)
		o->rc = hearth_buf_puts(o->json, "[");
	return o->rc;
}

/* The public columns of `table` in table order, as a comma-separated quoted list. */
static int public_columns(sqlite3 *db, const char *table, hearth_buf *cols, int *ncols)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;

	*ncols = 0;
	if (sqlite3_prepare_v2(db,
		    "SELECT p.name FROM pragma_table_info(?1) p JOIN hearth_column c "
		    "ON c.tbl = ?1 AND c.col = p.name AND c.visibility = 'public' ORDER BY p.cid",
		    -1, &st, NULL) != SQLITE_OK)
		return hearth_error_sqlite(db, HEARTH_ERROR, _("cannot read column declarations"));
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		rc = hearth_buf_printf(cols, "%s\"%s\"", *ncols ? ", " : "",
			(const char *)sqlite3_column_text(st, 0));
		(*ncols)++;
	}
	sqlite3_finalize(st);
	return rc;
}

/* The rows a table's files show, as the query reads them (the key of its three files). */
static void key_rows(site_ctx *ctx, hearth_buf *b, sqlite3_stmt *st, int ncols)
{
	int i;

	while (sqlite3_step(st) == SQLITE_ROW)
		for (i = 0; i < ncols; i++) {
			int type = sqlite3_column_type(st, i);
			site_key_num(ctx, b, type);
			if (type == SQLITE_INTEGER) {
				site_key_num(ctx, b, sqlite3_column_int64(st, i));
			} else if (type == SQLITE_FLOAT) {
				double d = sqlite3_column_double(st, i);
				long long bits;
				memcpy(&bits, &d, sizeof bits);
				site_key_num(ctx, b, bits);
			} else if (type != SQLITE_NULL) {
				site_key_str(ctx, b, (const char *)sqlite3_column_text(st, i));
			}
		}
	sqlite3_reset(st);
}

/* Keep the three files of `name` when the published tree has them under the key of `data`:
 * 1 kept, 0 render them (*has_key: `key` set), <0 error. */
static int keep_files(site_ctx *ctx, const char *name, const hearth_buf *data, uint64_t key[2],
	int *has_key)
{
	hearth_buf p[3] = { HEARTH_BUF_INIT, HEARTH_BUF_INIT, HEARTH_BUF_INIT };
	const char *paths[3];
	int rc;

	*has_key = 0;
	if (hearth_buf_printf(&p[0], "data/%s.csv", name) < 0 ||
	    hearth_buf_printf(&p[1], "data/%s-excel.csv", name) < 0 ||
	    hearth_buf_printf(&p[2], "data/%s.json", name) < 0)
		rc = hearth_error_set(HEARTH_ERROR, _("cannot build the site: out of memory"));
	else
		paths[0] = p[0].ptr, paths[1] = p[1].ptr, paths[2] = p[2].ptr,
		rc = site_group_keyed(ctx, data, NULL, paths, 3, key, has_key);
	hearth_buf_dispose(&p[0]);
	hearth_buf_dispose(&p[1]);
	hearth_buf_dispose(&p[2]);
	return rc;
}

static int export_table(site_ctx *ctx, sqlite3 *db, const char *table)
{
	hearth_buf cols = HEARTH_BUF_INIT, sql = HEARTH_BUF_INIT, data = HEARTH_BUF_INIT;
	sqlite3_stmt *st = NULL;
	outputs o;
	uint64_t key[2];
	int ncols, i, rows = 0, step, has_key = 0, first;

	o.rc = public_columns(db, table, &cols, &ncols);
	if (o.rc == 0 && ncols > 0) {
		o.rc = hearth_buf_printf(&sql, "SELECT %s FROM \"%s\"", cols.ptr, table);
		if (o.rc == 0)
			o.rc = site_public_rows_where(&sql, db, table);
		if (o.rc == 0)
			o.rc = hearth_buf_puts(&sql, " ORDER BY owner, id");
		if (o.rc == 0 && sqlite3_prepare_v2(db, sql.ptr, -1, &st, NULL) != SQLITE_OK)
			o.rc = hearth_error_sqlite(db, HEARTH_ERROR, _("cannot export open data"));
	}
	if (o.rc == 0 && site_keys_on(ctx)) {
		/* the query names the columns the files show and the rows they hold */
		site_key_str(ctx, &data, ncols > 0 ? sql.ptr : "");
		if (st)
			key_rows(ctx, &data, st, ncols);
		o.rc = keep_files(ctx, table, &data, key, &has_key);
		if (o.rc > 0) {
			o.rc = 0;
			goto done;
		}
	}
	first = ctx->files->n;
	if (o.rc || open_files(ctx, &o, table))
		goto done;
	if (ncols == 0)
		goto finish;
	for (i = 0; o.rc == 0 && i < ncols; i++) {
		put_all(&o, i ? "," : "");
		csv_field(&o, sqlite3_column_name(st, i));
	}
	put_all(&o, "\r\n");
	while (o.rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		o.rc = hearth_buf_puts(o.json, rows++ ? ",\n{" : "\n{");
		for (i = 0; o.rc == 0 && i < ncols; i++) {
			int type = sqlite3_column_type(st, i);
			const char *text = (const char *)sqlite3_column_text(st, i);
			/* a number read as text allocates: NULL for a value that is not NULL is
			 * out of memory (typed columns hold numbers as numbers) */
			if (!text && type != SQLITE_NULL)
				o.rc = o.rc ? o.rc : hearth_error_set(HEARTH_ERROR, _("out of memory"));
			put_all(&o, i ? "," : "");
			o.rc = o.rc ? o.rc : hearth_buf_puts(o.json, i ? "," : "");
			o.rc = o.rc ? o.rc : site_esc_json(o.json, sqlite3_column_name(st, i));
			o.rc = o.rc ? o.rc : hearth_buf_putc(o.json, ':');
			if (type == SQLITE_NULL) {
				o.rc = o.rc ? o.rc : hearth_buf_puts(o.json, "null");
			} else if (type == SQLITE_INTEGER || type == SQLITE_FLOAT) {
				put_all(&o, text);
				o.rc = o.rc ? o.rc : hearth_buf_puts(o.json, text);
			} else {
				csv_field(&o, text);
				o.rc = o.rc ? o.rc : site_esc_json(o.json, text);
			}
		}
		o.rc = o.rc ? o.rc : hearth_buf_putc(o.json, '}');
		put_all(&o, "\r\n");
	}
finish:
	if (o.rc == 0)
		o.rc = hearth_buf_puts(o.json, "\n]\n");
	if (o.rc == 0 && has_key)
		site_group_rendered(ctx, first, key);
done:
	sqlite3_finalize(st);
	hearth_buf_dispose(&cols);
	hearth_buf_dispose(&sql);
	hearth_buf_dispose(&data);
	return o.rc;
}

static int export_vacancies(site_ctx *ctx)
{
	const site_model *m = ctx->m;
	hearth_buf data = HEARTH_BUF_INIT;
	outputs o;
	uint64_t key[2];
	int i, has_key = 0, first = ctx->files->n;

	if (site_keys_on(ctx)) {
		for (i = 0; i < m->nclasses; i++) {
			site_key_str(ctx, &data, m->classes[i].owner);
			site_key_str(ctx, &data, m->classes[i].id);
			site_key_str(ctx, &data, m->classes[i].age_band);
			site_key_num(ctx, &data, m->classes[i].capacity);
			site_key_num(ctx, &data, m->classes[i].vacancies);
		}
		o.rc = keep_files(ctx, "vacancies", &data, key, &has_key);
		hearth_buf_dispose(&data);
		if (o.rc)
			return o.rc < 0 ? o.rc : 0;
	}
	if (open_files(ctx, &o, "vacancies"))
		return o.rc;
	put_all(&o, "owner,class_id,age_band,capacity,vacancies\r\n");
	for (i = 0; o.rc == 0 && i < m->nclasses; i++) {
		const site_class *c = &m->classes[i];
		hearth_buf line = HEARTH_BUF_INIT;
		csv_field(&o, c->owner);
		put_all(&o, ",");
		csv_field(&o, c->id);
		put_all(&o, ",");
		csv_field(&o, c->age_band);
		o.rc = o.rc ? o.rc : hearth_buf_printf(&line, ",%ld,%ld\r\n", c->capacity, c->vacancies);
		put_all(&o, line.ptr);
		hearth_buf_clear(&line);
		o.rc = o.rc ? o.rc : hearth_buf_puts(o.json, i ? ",\n{\"owner\":" : "\n{\"owner\":");
		o.rc = o.rc ? o.rc : site_esc_json(o.json, c->owner);
		o.rc = o.rc ? o.rc : hearth_buf_puts(o.json, ",\"class_id\":");
		o.rc = o.rc ? o.rc : site_esc_json(o.json, c->id);
		o.rc = o.rc ? o.rc : hearth_buf_puts(o.json, ",\"age_band\":");
		o.rc = o.rc ? o.rc : site_esc_json(o.json, c->age_band);
		o.rc = o.rc ? o.rc : hearth_buf_printf(o.json, ",\"capacity\":%ld,\"vacancies\":%ld}",
					     c->capacity, c->vacancies);
		hearth_buf_dispose(&line);
	}
	if (o.rc == 0)
		o.rc = hearth_buf_puts(o.json, "\n]\n");
	if (o.rc == 0 && has_key)
		site_group_rendered(ctx, first, key);
	return o.rc;
}

static int export_solved(site_ctx *ctx)
{
	const site_model *m = ctx->m;
	hearth_buf data = HEARTH_BUF_INIT;
	outputs o;
	uint64_t key[2];
	int i, has_key = 0, first = ctx->files->n;

	if (site_keys_on(ctx)) {
		for (i = 0; i < m->nsolved; i++) {
			site_key_str(ctx, &data, m->solved[i].month);
			site_key_str(ctx, &data, m->solved[i].service_type_id);
			site_key_num(ctx, &data, m->solved[i].count);
		}
		o.rc = keep_files(ctx, "requests_solved", &data, key, &has_key);
		hearth_buf_dispose(&data);
		if (o.rc)
			return o.rc < 0 ? o.rc : 0;
	}
	if (open_files(ctx, &o, "requests_solved"))
		return o.rc;
	put_all(&o, "month,service_type_id,solved\r\n");
	for (i = 0; o.rc == 0 && i < m->nsolved; i++) {
		const site_solved *s = &m->solved[i];
		hearth_buf line = HEARTH_BUF_INIT;
		o.rc = hearth_buf_printf(&line, "%s,", s->month);
		put_all(&o, line.ptr);
		csv_field(&o, s->service_type_id);
		hearth_buf_clear(&line);
		o.rc = o.rc ? o.rc : hearth_buf_printf(&line, ",%ld\r\n", s->count);
		put_all(&o, line.ptr);
		o.rc = o.rc ? o.rc : hearth_buf_printf(o.json, "%s{\"month\":\"%s\",\"service_type_id\":",
					     i ? ",\n" : "\n", s->month);
		o.rc = o.rc ? o.rc : site_esc_json(o.json, s->service_type_id);
		o.rc = o.rc ? o.rc : hearth_buf_printf(o.json, ",\"solved\":%ld}", s->count);
		hearth_buf_dispose(&line);
	}
	if (o.rc == 0)
		o.rc = hearth_buf_puts(o.json, "\n]\n");
	if (o.rc == 0 && has_key)
		site_group_rendered(ctx, first, key);
	return o.rc;
}

int site_opendata_write(site_ctx *ctx, sqlite3 *db)
{
	int i, rc = 0;

	for (i = 0; rc == 0 && site_open_tables[i]; i++)
		rc = export_table(ctx, db, site_open_tables[i]);
	if (rc == 0)
		rc = export_vacancies(ctx);
	if (rc == 0)
		rc = export_solved(ctx);
	return rc;
}
