/*
 * A CSV a person fills in Excel (hearth_csv_template): the labels as headers, a note row with
 * what each column takes and an example row. Both rows start with '#', which the importer
 * skips, so the template imports back as it is and rows typed under it import as they are.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_int.h"
#include "i18n.h"

/* The words of the template, in the language of its labels (the declarations carry both). */
struct words {
	const char *notes, *example, *required, *sep, *text, *or;
};

static const struct words words_zh = { "#填写说明：", "#示例：", "必填", "；", "文字", " / " };
static const struct words words_en = { "#how to fill: ", "#example: ", "required", "; ", "text",
	" / " };

static int put_field(hearth_buf *out, int first, const char *s)
{
	int rc = first ? 0 : hearth_buf_putc(out, ',');
	const char *p;

	if (rc < 0)
		return rc;
	if (!strpbrk(s, ",\"\r\n"))
		return hearth_buf_puts(out, s);
	if ((rc = hearth_buf_putc(out, '"')) < 0)
		return rc;
	for (p = s; *p && rc >= 0; p++)
		rc = *p == '"' ? hearth_buf_puts(out, "\"\"") : hearth_buf_putc(out, *p);
	return rc < 0 ? rc : hearth_buf_putc(out, '"');
}

static int column_required(sqlite3 *h, const hearth_table_decl *t, int c)
{
	sqlite3_stmt *st = NULL;
	int req = 0;

	if (sqlite3_prepare_v2(h,
		    "SELECT \"notnull\" AND dflt_value IS NULL FROM pragma_table_info(?1) "
		    "WHERE name = ?2",
		    -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, t->cols[c].name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		req = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return req;
}

/* What column c takes, in the template's language. */
static int note_cell(hearth_buf *cell, sqlite3 *h, const hearth_table_decl *t, int c, int zh,
	const struct words *w)
{
	const hearth_column_decl *col = &t->cols[c];
	const char *hint = zh ? col->hint_zh : col->hint_en;
	int rc = 0, i;

	hearth_buf_clear(cell);
	if (column_required(h, t, c))
		rc = hearth_buf_puts(cell, w->required);
	if (rc >= 0 && col->kind == HEARTH_KIND_CHOICE && col->nchoices) {
		if (cell->size)
			rc = hearth_buf_puts(cell, w->sep);
		for (i = 0; rc >= 0 && i < col->nchoices; i++)
			rc = hearth_buf_printf(cell, "%s%s", i ? w->or : "",
				zh ? col->choices[i].label_zh : col->choices[i].label_en);
	} else if (rc >= 0 && hint) {
		rc = hearth_buf_printf(cell, "%s%s", cell->size ? w->sep : "", hint);
	}
	return rc;
}

/* A value column c takes, in the forms the importer reads. */
static int example_cell(hearth_buf *cell, const hearth_table_decl *t, int c, int zh,
	const struct words *w)
{
	const hearth_column_decl *col = &t->cols[c];
	double v;

	hearth_buf_clear(cell);
	switch (col->kind) {
	case HEARTH_KIND_INTEGER:
	case HEARTH_KIND_DECIMAL:
		v = col->has_min ? col->min : 0;
		if (col->has_min && col->has_max)
			v = (col->min + col->max) / 2;
		return col->kind == HEARTH_KIND_INTEGER ? hearth_buf_printf(cell, "%.0f", v) :
							  hearth_buf_printf(cell, "%g", v);
	case HEARTH_KIND_DATE:
		return hearth_buf_puts(cell, "2026-12-02");
	case HEARTH_KIND_MONTH:
		return hearth_buf_puts(cell, "2026-12");
	case HEARTH_KIND_TIMESTAMP:
		return hearth_buf_puts(cell, "2026-12-10 09:00");
	case HEARTH_KIND_PHONE:
		return hearth_buf_puts(cell, "13800000000");
	case HEARTH_KIND_CHOICE:
		if (!col->nchoices)
			return 0;
		return hearth_buf_puts(cell, zh ? col->choices[0].label_zh : col->choices[0].label_en);
	case HEARTH_KIND_FLAG:
		return hearth_buf_puts(cell, zh ? "是" : "yes");
	case HEARTH_KIND_REFERENCE:
	case HEARTH_KIND_ID:
		return hearth_buf_puts(cell, "k1");
	default:
		return hearth_buf_puts(cell, w->text);
	}
}

int hearth_csv_template(hearth_db *db, const char *table, const char *lang, hearth_buf *out)
{
	const hearth_schema *s;
	const hearth_table_decl *t;
	const struct words *w;
	hearth_buf cell = HEARTH_BUF_INIT, row = HEARTH_BUF_INIT;
	int zh, c, pass, first, rc = 0;
	const char *label;

	if (!db || !table || !out)
		return hearth_error_set(HEARTH_EUSAGE, "hearth_csv_template needs a database and a table");
	if (lang && strcmp(lang, "zh") != 0 && strcmp(lang, "en") != 0)
		return hearth_error_set(HEARTH_EUSAGE, _("unknown language '%.20s': use zh or en"),
			lang);
	zh = !lang || strcmp(lang, "zh") == 0;
	w = zh ? &words_zh : &words_en;
	if (!(s = hearth_db_schema(db)))
		return hearth_error_code() ? hearth_error_code() : HEARTH_ERROR;
	if (!(t = hearth_schema_table(s, table)))
		return hearth_error_set(HEARTH_EUSAGE, _("no synced table '%.60s'"), table);
	/* the header, then the note row and the example row */
	rc = hearth_buf_puts(out, "\xef\xbb\xbf");
	for (pass = 0; pass < 3 && rc >= 0; pass++) {
		first = 1;
		for (c = 0; c < t->ncol && rc >= 0; c++) {
			if (c == t->owner_col || c == t->id_col)
				continue;
			if (pass == 0) {
				label = zh ? t->cols[c].label_zh : t->cols[c].label_en;
				rc = put_field(out, first, label ? label : t->cols[c].name);
				first = 0;
				continue;
			}
			rc = pass == 1 ? note_cell(&cell, hearth_db_sqlite(db), t, c, zh, w) :
					 example_cell(&cell, t, c, zh, w);
			hearth_buf_clear(&row);
			if (rc >= 0 && first)
				rc = hearth_buf_puts(&row, pass == 1 ? w->notes : w->example);
			if (rc >= 0)
				rc = hearth_buf_put(&row, cell.ptr, cell.size);
			if (rc >= 0)
				rc = put_field(out, first, row.ptr);
			first = 0;
		}
		if (rc >= 0)
			rc = hearth_buf_puts(out, "\r\n");
	}
	hearth_buf_dispose(&cell);
	hearth_buf_dispose(&row);
	return rc;
}
