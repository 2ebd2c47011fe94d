/* Accounts, sign-in and sessions: local to the node (schemas/006_accounts.sql), never recorded
 * in the outbox (no synced table is touched), never synced. Passwords are Argon2id hashes
 * (libsodium's crypto_pwhash_str at its interactive limits); session tokens are 256 random bits
 * of which only a BLAKE2b hash is stored. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/i18n.h"
#include "server_int.h"

static const char *const role_names[] = { "viewer", "volunteer", "staff", "admin" };

int hearth_app_role_valid(const char *role)
{
	return role && (int)app_role_parse(role) >= 0;
}

app_role app_role_parse(const char *role)
{
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(role, role_names[i]) == 0)
			return (app_role)i;
	return (app_role)-1;
}

const char *app_role_name(app_role role)
{
	return (int)role >= 0 && (int)role < 4 ? role_names[role] : "viewer";
}

static int sodium_ready(void)
{
	if (sodium_init() < 0)
		return hearth_error_set(HEARTH_ERROR, _("cannot initialise libsodium"));
	return 0;
}

static int name_valid(const char *name)
{
	size_t n = strlen(name), i;

	if (n == 0 || n > 64)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (!(c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/* characters, not bytes: a Chinese password counts as people count it */
static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static int hash_password(char out[crypto_pwhash_STRBYTES], const char *password)
{
	if (utf8_chars(password) < HEARTH_APP_PASSWORD_MIN)
		return hearth_error_set(HEARTH_EUSAGE,
			_("the password is too short: use at least %d characters"),
			HEARTH_APP_PASSWORD_MIN);
	if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
		    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return hearth_error_set(HEARTH_ERROR, _("cannot hash the password (out of memory)"));
	return 0;
}

static int step_done(sqlite3 *h, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : hearth_error_sqlite(h, HEARTH_ERROR, what);

	sqlite3_finalize(st);
	return rc;
}

int hearth_app_user_add(hearth_db *db, const char *name, const char *role, const char *password)
{
	sqlite3 *h = hearth_db_sqlite(db);
	char hash[crypto_pwhash_STRBYTES];
	sqlite3_stmt *st = NULL;
	int rc;

	if (!name_valid(name))
		return hearth_error_set(HEARTH_EUSAGE,
			_("invalid account name '%.64s': use 1-64 letters, digits, '.', '_' or '-'"),
			name);
	if (!hearth_app_role_valid(role))
		return hearth_error_set(HEARTH_EUSAGE,
			_("unknown role '%.32s': use admin, staff, volunteer or viewer"), role);
	if ((rc = sodium_ready()) < 0 || (rc = hash_password(hash, password)) < 0)
		return rc;
	if ((rc = hearth_sql_prepare(&st, h,
		     "INSERT INTO hearth_account (name, role, pwhash, created_ms) "
		     "VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, role, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)hearth_time_now_ms());
	if ((rc = step_done(h, st, "cannot add the account")) < 0)
		return rc;
	if (sqlite3_changes(h) == 0)
		return hearth_error_set(HEARTH_ECONFLICT, _("the account '%s' already exists"), name);
	return 0;
}

int hearth_app_user_passwd(hearth_db *db, const char *name, const char *password)
{
	sqlite3 *h = hearth_db_sqlite(db);
	char hash[crypto_pwhash_STRBYTES];
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = sodium_ready()) < 0 || (rc = hash_password(hash, password)) < 0)
		return rc;
	if ((rc = hearth_db_begin(db)) < 0)
		return rc;
	if ((rc = hearth_sql_prepare(&st, h,
		     "UPDATE hearth_account SET pwhash = ?2 WHERE name = ?1")) < 0)
		goto done;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
	if ((rc = step_done(h, st, "cannot change the password")) < 0)
		goto done;
	if (sqlite3_changes(h) == 0) {
		rc = hearth_error_set(HEARTH_ENOTFOUND, _("no account named '%.64s'"), name);
		goto done;
	}
	/* a new password ends every session opened with the old one */
	if ((rc = hearth_sql_prepare(&st, h, "DELETE FROM hearth_app_session WHERE account = ?1")) <
		0)
		goto done;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if ((rc = step_done(h, st, "cannot end the sessions")) < 0)
		goto done;
	rc = hearth_db_commit(db);
done:
	if (rc < 0)
		hearth_db_rollback(db);
	return rc;
}

int hearth_app_user_remove(hearth_db *db, const char *name)
{
	sqlite3 *h = hearth_db_sqlite(db);
	sqlite3_stmt *st = NULL;
	int64_t admins = 0, others = 0, is_admin = 0;
	int rc;

	if ((rc = hearth_db_begin(db)) < 0)
		return rc;
	if ((rc = hearth_sql_prepare(&st, h,
		     "SELECT role = 'admin', (SELECT count(*) FROM hearth_account WHERE role = "
		     "'admin'), (SELECT count(*) FROM hearth_account) - 1 FROM hearth_account WHERE "
		     "name = ?1")) < 0)
		goto done;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		rc = hearth_error_set(HEARTH_ENOTFOUND, _("no account named '%.64s'"), name);
		goto done;
	}
	is_admin = sqlite3_column_int64(st, 0);
	admins = sqlite3_column_int64(st, 1);
	others = sqlite3_column_int64(st, 2);
	sqlite3_finalize(st);
	if (is_admin && admins == 1 && others > 0) {
		rc = hearth_error_set(HEARTH_ECONFLICT,
			_("'%s' is the last admin: add another admin before removing it"), name);
		goto done;
	}
	if ((rc = hearth_sql_prepare(&st, h, "DELETE FROM hearth_app_session WHERE account = ?1")) <
		0)
		goto done;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if ((rc = step_done(h, st, "cannot end the sessions")) < 0 ||
	    (rc = hearth_sql_prepare(&st, h, "DELETE FROM hearth_account WHERE name = ?1")) < 0)
		goto done;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if ((rc = step_done(h, st, "cannot remove the account")) < 0)
		goto done;
	rc = hearth_db_commit(db);
done:
	if (rc < 0)
		hearth_db_rollback(db);
	return rc;
}

int hearth_app_user_list(hearth_db *db, hearth_buf *out)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = hearth_sql_prepare(&st, hearth_db_sqlite(db),
		     "SELECT name, role FROM hearth_account ORDER BY name")) < 0)
		return rc;
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW)
		rc = hearth_buf_printf(out, "%s\t%s\n", sqlite3_column_text(st, 0),
			sqlite3_column_text(st, 1));
	sqlite3_finalize(st);
	return rc;
}

int app_login_check(hearth_db *db, const char *name, const char *password, app_role *role)
{
	/* a hash of nothing anyone knows, checked for unknown names so that they cost the same */
	static const char dummy_pw[] = "hearth-no-such-account";
	char hash[crypto_pwhash_STRBYTES] = "";
	char dummy[crypto_pwhash_STRBYTES];
	sqlite3_stmt *st = NULL;
	int rc, found = 0;

	*role = APP_ROLE_VIEWER;
	if ((rc = sodium_ready()) < 0)
		return rc;
	if ((rc = hearth_sql_prepare(&st, hearth_db_sqlite(db),
		     "SELECT pwhash, role FROM hearth_account WHERE name = ?1")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		found = 1;
		snprintf(hash, sizeof(hash), "%s", sqlite3_column_text(st, 0));
		*role = app_role_parse((const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	if (!found) {
		if (crypto_pwhash_str(dummy, dummy_pw, sizeof(dummy_pw) - 1,
			    crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0 &&
		    crypto_pwhash_str_verify(dummy, password, strlen(password)) == 0)
			found = 0; /* only the time it took matters */
		return hearth_error_set(HEARTH_EDENIED, _("wrong account name or password"));
	}
	if (crypto_pwhash_str_verify(hash, password, strlen(password)) != 0 || (int)*role < 0)
		return hearth_error_set(HEARTH_EDENIED, _("wrong account name or password"));
	return 0;
}

static void token_hash(char out[65], const char *token)
{
	unsigned char h[32];

	crypto_generichash(h, sizeof(h), (const unsigned char *)token, strlen(token), NULL, 0);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

int app_session_new(hearth_db *db, const char *account, app_role role, char token[APP_TOKEN_TEXT],
	app_session *out)
{
	sqlite3 *h = hearth_db_sqlite(db);
	unsigned char raw[32], csrf[32];
	char th[65];
	sqlite3_stmt *st = NULL;
	int64_t now = (int64_t)hearth_time_now_ms();
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = sodium_ready()) < 0)
		return rc;
	randombytes_buf(raw, sizeof(raw));
	randombytes_buf(csrf, sizeof(csrf));
	sodium_bin2base64(token, APP_TOKEN_TEXT, raw, sizeof(raw),
		sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_bin2hex(out->csrf, sizeof(out->csrf), csrf, sizeof(csrf));
	sodium_memzero(raw, sizeof(raw));
	snprintf(out->account, sizeof(out->account), "%s", account);
	out->role = role;
	token_hash(th, token);
	if ((rc = hearth_sql_prepare(&st, h,
		     "INSERT INTO hearth_app_session (token_hash, account, csrf, created_ms, last_ms) "
		     "VALUES (?1, ?2, ?3, ?4, ?4)")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, th, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, account, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, out->csrf, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	return step_done(h, st, "cannot open the session");
}

int app_session_get(hearth_db *db, const char *token, int64_t idle_ms, app_session *out)
{
	sqlite3 *h = hearth_db_sqlite(db);
	sqlite3_stmt *st = NULL;
	int64_t now = (int64_t)hearth_time_now_ms(), last = 0;
	char th[65];
	int rc, found = 0;

	memset(out, 0, sizeof(*out));
	if (!token || strlen(token) != APP_TOKEN_TEXT - 1)
		return HEARTH_ENOTFOUND;
	token_hash(th, token);
	/* every request asks: prepared once per handle (the handles are kept in the pool) */
	if ((rc = hearth_db_stmt(db, &st,
		     "SELECT s.account, a.role, s.csrf, s.last_ms FROM hearth_app_session s "
		     "JOIN hearth_account a ON a.name = s.account WHERE s.token_hash = ?1")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, th, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		found = 1;
		snprintf(out->account, sizeof(out->account), "%s", sqlite3_column_text(st, 0));
		out->role = app_role_parse((const char *)sqlite3_column_text(st, 1));
		snprintf(out->csrf, sizeof(out->csrf), "%s", sqlite3_column_text(st, 2));
		last = sqlite3_column_int64(st, 3);
	}
	hearth_stmt_done(st);
	if (!found)
		return HEARTH_ENOTFOUND;
	if (now - last > idle_ms || (int)out->role < 0) {
		app_session_end(db, token);
		memset(out, 0, sizeof(*out));
		return HEARTH_ENOTFOUND;
	}
	/* the idle clock moves in steps: a write per page view would queue every reader behind
	 * the write lock (and behind a running sync) */
	if (now - last < idle_ms / 8 && now - last < 60000)
		return 0;
	if ((rc = hearth_sql_prepare(&st, h,
		     "UPDATE hearth_app_session SET last_ms = ?2 WHERE token_hash = ?1")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, th, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	return step_done(h, st, "cannot touch the session");
}

int app_session_end(hearth_db *db, const char *token)
{
	sqlite3 *h = hearth_db_sqlite(db);
	sqlite3_stmt *st = NULL;
	char th[65];
	int rc;

	if (!token)
		return 0;
	token_hash(th, token);
	if ((rc = hearth_sql_prepare(&st, h, "DELETE FROM hearth_app_session WHERE token_hash = ?1")) <
		0)
		return rc;
	sqlite3_bind_text(st, 1, th, -1, SQLITE_STATIC);
	return step_done(h, st, "cannot end the session");
}
