/*
 * The keys a node shares with the office (docs/security.md): issued, rotated and revoked at the
 * office, carried to the node as an enrolment code, kept only in the two databases (hearth_key,
 * schemas/007_keys.sql), never in git.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sync_int.h"
#include "core/i18n.h"

#define ENROL_PREFIX "hearth-enrol-1:"

static int keys_table(hearth_db *db)
{
	if (hearth_sql_count(hearth_db_sqlite(db),
		    "SELECT count(*) FROM sqlite_master WHERE name = 'hearth_key'") != 1)
		return hearth_error_set(HEARTH_ENEWER,
			_("this database has no table of keys: upgrade hearth"));
	return 0;
}

static int office_only(hearth_db *db, const char *node)
{
	int rc;

	if (!hearth_db_is_office(db))
		return hearth_error_set(HEARTH_EUSAGE, _("keys are issued at the office"));
	if ((rc = hearth_id_check("node id", node)) < 0)
		return rc;
	if (strcmp(node, HEARTH_OFFICE) == 0)
		return hearth_error_set(HEARTH_EUSAGE, _("the office has no key of its own: give a node"));
	return keys_table(db);
}

/* The enrolment code of `node`: every key of it not revoked, "gen.hex" joined by ','. */
static int enrol_code(hearth_buf *out, hearth_db *db, const char *node)
{
	sqlite3_stmt *st = NULL;
	int rc, n = 0;

	if ((rc = hearth_sql_prepare(&st, hearth_db_sqlite(db),
		     "SELECT generation, key FROM hearth_key WHERE node = ?1 AND state <> 'revoked' "
		     "ORDER BY generation")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, node, -1, SQLITE_STATIC);
	rc = hearth_buf_printf(out, ENROL_PREFIX "%s:", node);
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		char hex[SYNC_KEY_BYTES * 2 + 1];
		sodium_bin2hex(hex, sizeof(hex), sqlite3_column_blob(st, 1), SYNC_KEY_BYTES);
		rc = hearth_buf_printf(out, "%s%lld.%s", n++ ? "," : "",
			(long long)sqlite3_column_int64(st, 0), hex);
		sodium_memzero(hex, sizeof(hex));
	}
	sqlite3_finalize(st);
	return rc;
}

int hearth_key_issue(hearth_db *db, const char *node, int rotate, hearth_buf *code)
{
	sqlite3 *h = hearth_db_sqlite(db);
	sqlite3_stmt *st = NULL;
	unsigned char key[SYNC_KEY_BYTES];
	int64_t gen = 0, active = 0;
	char due[HEARTH_ID_MAX + 32];
	int rc;

	hearth_buf_clear(code);
	if ((rc = office_only(db, node)) < 0 || (rc = sync_seal_init()) < 0)
		return rc;
	if ((rc = hearth_db_begin(db)) < 0)
		return rc;
	if ((rc = hearth_sql_prepare(&st, h,
		     "SELECT coalesce(max(generation), 0), count(*) FILTER (WHERE state = 'active') "
		     "FROM hearth_key WHERE node = ?1")) < 0)
		goto fail;
	sqlite3_bind_text(st, 1, node, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		gen = sqlite3_column_int64(st, 0);
		active = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rotate && !active) {
		rc = hearth_error_set(HEARTH_ENOTFOUND,
			_("'%s' has no key in use to rotate: issue one (hearth key issue %s)"), node, node);
		goto fail;
	}
	if (!rotate && active) {
		rc = hearth_error_set(HEARTH_ECONFLICT,
			_("'%s' has a key already: rotate it (hearth key rotate %s), or revoke it first"),
			node, node);
		goto fail;
	}
	randombytes_buf(key, sizeof(key));
	if ((rc = hearth_sql_prepare(&st, h,
		     "INSERT INTO hearth_key (node, generation, key, state, in_use, issued) "
		     "VALUES (?1, ?2, ?3, 'active', 0, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))")) < 0)
		goto fail;
	sqlite3_bind_text(st, 1, node, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, gen + 1);
	sqlite3_bind_blob(st, 3, key, sizeof(key), SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = hearth_error_sqlite(h, HEARTH_ERROR, _("cannot store the key"));
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	/* the node's next down starts with a snapshot sealed with the new key, so a device
	 * enrolled with it (clone) never needs a revoked one */
	snprintf(due, sizeof(due), "snapshot_due.%s", node);
	if ((rc = hearth_meta_set(db, due, "1")) < 0 || (rc = enrol_code(code, db, node)) < 0 ||
	    (rc = hearth_db_commit(db)) < 0)
		goto fail;
	sodium_memzero(key, sizeof(key));
	return 0;
fail:
	sodium_memzero(key, sizeof(key));
	sqlite3_finalize(st);
	hearth_db_rollback(db);
	hearth_buf_clear(code);
	return rc;
}

int hearth_key_revoke(hearth_db *db, const char *node)
{
	sqlite3 *h = hearth_db_sqlite(db);
	int64_t n = 0;
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = office_only(db, node)) < 0)
		return rc;
	if ((rc = hearth_sql_prepare(&st, h,
		     "UPDATE hearth_key SET state = 'revoked' WHERE node = ?1 AND state <> 'revoked'")) <
	    0)
		return rc;
	sqlite3_bind_text(st, 1, node, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = hearth_error_sqlite(h, HEARTH_ERROR, "cannot revoke the key");
	n = sqlite3_changes(h);
	sqlite3_finalize(st);
	if (rc == 0 && n == 0)
		rc = hearth_error_set(HEARTH_ENOTFOUND, _("'%s' has no key to revoke"), node);
	return rc;
}

int hearth_key_code(hearth_db *db, const char *node, hearth_buf *code)
{
	int rc;

	hearth_buf_clear(code);
	if ((rc = office_only(db, node)) < 0 || (rc = enrol_code(code, db, node)) < 0)
		return rc;
	if (!strchr(code->ptr + strlen(ENROL_PREFIX), '.')) {
		hearth_buf_clear(code);
		return hearth_error_set(HEARTH_ENOTFOUND,
			_("'%s' has no key in use: issue one (hearth key issue %s)"), node, node);
	}
	return 0;
}

/* Parse one "gen.hex" of an enrolment code. */
static int parse_key(int64_t *gen, unsigned char key[SYNC_KEY_BYTES], const char *p, size_t len)
{
	const char *dot = memchr(p, '.', len), *end = p + len;
	size_t bin = 0;
	char *e = NULL;

	if (!dot || dot == p || dot - p > 10)
		return -1;
	*gen = strtoll(p, &e, 10);
	if (e != dot || *gen < 1 || *gen > 4294967295LL || (size_t)(end - dot - 1) != 64)
		return -1;
	if (sodium_hex2bin(key, SYNC_KEY_BYTES, dot + 1, 64, NULL, &bin, NULL) != 0 ||
	    bin != SYNC_KEY_BYTES)
		return -1;
	return 0;
}

int hearth_key_code_check(const char *code, const char *node)
{
	size_t plen = strlen(ENROL_PREFIX), nlen = strlen(node);

	if (strncmp(code, ENROL_PREFIX, plen) != 0)
		return hearth_error_set(HEARTH_EUSAGE,
			_("not an enrolment code: ask the office for one (hearth key issue %s)"), node);
	if (strncmp(code + plen, node, nlen) != 0 || code[plen + nlen] != ':')
		return hearth_error_set(HEARTH_EUSAGE,
			_("this enrolment code is for another node, not '%s'"), node);
	return 0;
}

int hearth_key_import(hearth_db *db, const char *code_in)
{
	sqlite3 *h = hearth_db_sqlite(db);
	const char *node = hearth_db_node(db), *p, *end;
	size_t plen = strlen(ENROL_PREFIX), nlen = strlen(node), len = strlen(code_in);
	sqlite3_stmt *st = NULL;
	int rc, n = 0;

	/* a code pasted from a file keeps its line end */
	while (len && (code_in[len - 1] == '\n' || code_in[len - 1] == '\r' ||
			      code_in[len - 1] == ' '))
		len--;
	if ((rc = keys_table(db)) < 0)
		return rc;
	if (hearth_db_is_office(db))
		return hearth_error_set(HEARTH_EUSAGE,
			_("the office issues keys: import an enrolment code at the node"));
	if ((rc = hearth_key_code_check(code_in, node)) < 0)
		return rc;
	p = code_in + plen + nlen + 1;
	end = code_in + len;
	if (p > end)
		return hearth_error_set(HEARTH_EUSAGE, _("the enrolment code holds no key"));
	if ((rc = hearth_db_begin(db)) < 0)
		return rc;
	if ((rc = hearth_sql_prepare(&st, h,
		     "INSERT INTO hearth_key (node, generation, key, state, in_use, issued) "
		     "VALUES (?1, ?2, ?3, 'active', 0, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')) "
		     "ON CONFLICT (node, generation) DO NOTHING")) < 0)
		goto fail;
	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		size_t l = comma ? (size_t)(comma - p) : (size_t)(end - p);
		unsigned char key[SYNC_KEY_BYTES];
		int64_t gen;
		if (parse_key(&gen, key, p, l) < 0) {
			rc = hearth_error_set(HEARTH_EUSAGE,
				_("the enrolment code is damaged (a key does not read): copy it again"));
			goto fail;
		}
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, node, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, gen);
		sqlite3_bind_blob(st, 3, key, sizeof(key), SQLITE_TRANSIENT);
		sodium_memzero(key, sizeof(key));
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = hearth_error_sqlite(h, HEARTH_ERROR, _("cannot store the key"));
			goto fail;
		}
		n++;
		p = comma ? comma + 1 : end;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (n == 0) {
		rc = hearth_error_set(HEARTH_EUSAGE, _("the enrolment code holds no key"));
		goto fail;
	}
	if ((rc = hearth_db_commit(db)) < 0)
		goto fail;
	return 0;
fail:
	sqlite3_finalize(st);
	hearth_db_rollback(db);
	return rc;
}

int hearth_key_status(hearth_db *db, hearth_buf *out)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (hearth_sql_count(hearth_db_sqlite(db),
		    "SELECT count(*) FROM sqlite_master WHERE name = 'hearth_key'") != 1)
		return 0;
	/* per node: its newest key, and whether the log is sealed with it yet */
	if ((rc = hearth_sql_prepare(&st, hearth_db_sqlite(db), HEARTH_KEY_STATES_SQL)) < 0)
		return rc;
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW)
		rc = hearth_buf_printf(out, "%s\t%lld\t%s\n", sqlite3_column_text(st, 0),
			(long long)sqlite3_column_int64(st, 1), sqlite3_column_text(st, 2));
	sqlite3_finalize(st);
	return rc;
}

int sync_snapshot_due(hearth_db *db, const char *node, int clear)
{
	hearth_buf v = HEARTH_BUF_INIT;
	char due[HEARTH_ID_MAX + 32];
	int rc;

	snprintf(due, sizeof(due), "snapshot_due.%s", node);
	if (clear)
		return hearth_meta_set(db, due, "0");
	rc = hearth_meta_get(db, due, &v);
	rc = rc == 0 && strcmp(v.ptr, "1") == 0;
	hearth_buf_dispose(&v);
	return rc;
}

/* ---- retiring keys (a purge that forgets: docs/security.md) ------------------------------- */

/* Overwrite the stored key (node, generation) with `key`. */
static int key_store(hearth_db *db, const sync_seal_key *k)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = hearth_sql_prepare(&st, hearth_db_sqlite(db),
		     "UPDATE hearth_key SET key = ?3 WHERE node = ?1 AND generation = ?2")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, k->node, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, k->generation);
	sqlite3_bind_blob(st, 3, k->key, SYNC_KEY_BYTES, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = hearth_error_sqlite(hearth_db_sqlite(db), HEARTH_ERROR, _("cannot store the key"));
	sqlite3_finalize(st);
	return rc;
}

int sync_keys_retire(hearth_db *db, const char *node)
{
	sync_keyring r = { NULL, 0 };
	char due[HEARTH_ID_MAX + 32];
	int i, rc;

	if ((rc = sync_keyring_load(&r, db, node)) < 0)
		return rc;
	for (i = 0; rc == 0 && i < r.n; i++)
		if ((rc = sync_ratchet(r.keys[i].key, r.keys[i].key)) == 0)
			rc = key_store(db, &r.keys[i]);
	sync_keyring_dispose(&r);
	/* the node's next down is a snapshot sealed with the new key: a device that clones with a
	 * new code needs nothing older */
	snprintf(due, sizeof(due), "snapshot_due.%s", node);
	if (rc == 0)
		rc = hearth_meta_set(db, due, "1");
	snprintf(due, sizeof(due), "retire_due.%s", node);
	return rc < 0 ? rc : hearth_meta_set(db, due, "0");
}

int sync_keyring_ratcheted(const sync_keyring *r)
{
	int i;

	for (i = 0; r && i < r->n; i++)
		if (r->keys[i].ratcheted)
			return 1;
	return 0;
}

int sync_keyring_store_ratcheted(hearth_db *db, const sync_keyring *r)
{
	int i, rc = 0;

	for (i = 0; rc == 0 && r && i < r->n; i++)
		if (r->keys[i].ratcheted)
			rc = key_store(db, &r->keys[i]);
	return rc;
}

int sync_retire_due(hearth_db *db, const char *node)
{
	hearth_buf v = HEARTH_BUF_INIT;
	char due[HEARTH_ID_MAX + 32];
	int is_due;

	snprintf(due, sizeof(due), "retire_due.%s", node);
	is_due = hearth_meta_get(db, due, &v) == 0 && strcmp(v.ptr, "1") == 0;
	hearth_buf_dispose(&v);
	return is_due;
}
